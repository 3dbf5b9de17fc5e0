/**
 * @module A spec in words, for the web UI and the CLI: "every 15 minutes (offset 2m)",
 * "cron 0 2 * * * (Europe/Berlin)", "calendar hour=9 minute=0 dayOfWeek=MON-FRI (UTC)", then
 * skips, bounds and jitter.
 */
import { toMs } from "../../../sdk/common/duration";
import { calendarWords } from "./calendar";
import type { ScheduleSpecInput } from "./validate";

const UNITS: ReadonlyArray<readonly [number, string, string]> = [
  [604_800_000, "week", "w"],
  [86_400_000, "day", "d"],
  [3_600_000, "hour", "h"],
  [60_000, "minute", "m"],
  [1000, "second", "s"],
  [1, "millisecond", "ms"],
];

/** "15 minutes", "1 hour", "90 seconds": the largest unit that divides the duration. */
export function durationWords(ms: number): string {
  for (const [size, name] of UNITS) {
    if (ms % size === 0 && ms >= size) {
      const n = ms / size;
      return n === 1 ? `1 ${name}` : `${n} ${name}s`;
    }
  }
  return `${ms} milliseconds`;
}

/** "2m", "1h30m", "1.5s" style: compact, for offsets and jitter. */
export function durationShort(ms: number): string {
  if (ms === 0) return "0s";
  let rest = ms;
  let out = "";
  for (const [size, , short] of UNITS) {
    if (rest >= size) {
      const n = Math.floor(rest / size);
      out += `${n}${short}`;
      rest -= n * size;
    }
  }
  return out;
}

/** The spec's input (already validated) in words. */
export function describeInput(input: ScheduleSpecInput): string {
  const zone = input.timezone ?? "UTC";
  const parts: string[] = [];
  for (const interval of input.intervals ?? []) {
    const every = toMs(interval.every);
    const offset = interval.offset === undefined ? 0 : toMs(interval.offset);
    const words = durationWords(every);
    const base = words.startsWith("1 ") ? `every ${words.slice(2)}` : `every ${words}`;
    parts.push(offset > 0 ? `${base} (offset ${durationShort(offset)})` : base);
  }
  for (const cron of input.cron ?? []) parts.push(`cron ${cron.trim()} (${zone})`);
  for (const calendar of input.calendars ?? [])
    parts.push(`calendar ${calendarWords(calendar)} (${zone})`);
  let text = parts.length > 0 ? parts.join("; ") : "no automatic times (trigger and backfill only)";
  if (input.skip && input.skip.length > 0) {
    text += `; except ${input.skip.map((s) => calendarWords(s)).join(" or ")}`;
  }
  if (input.startAt) text += `; from ${input.startAt}`;
  if (input.endAt) text += `; until ${input.endAt}`;
  if (input.jitter !== undefined) {
    const jitter = toMs(input.jitter);
    if (jitter > 0) text += `; jitter up to ${durationShort(jitter)}`;
  }
  return text;
}
