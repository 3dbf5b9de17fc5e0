/** @module Durations: `"500ms"`, `"30s"`, `"5m"`, `"1h"`, `"2d"`, `"1 hour"`, or a number of milliseconds. */

/** A duration: milliseconds, or a string such as `"30s"`, `"5 minutes"`, `"1h"`. */
export type Duration = number | string;

// A Map, not an object literal: a unit like "constructor" must not find Object.prototype's members.
const UNIT_MS = new Map<string, number>(
  Object.entries({
    ms: 1,
    millisecond: 1,
    milliseconds: 1,
    s: 1000,
    sec: 1000,
    secs: 1000,
    second: 1000,
    seconds: 1000,
    m: 60_000,
    min: 60_000,
    mins: 60_000,
    minute: 60_000,
    minutes: 60_000,
    h: 3_600_000,
    hr: 3_600_000,
    hrs: 3_600_000,
    hour: 3_600_000,
    hours: 3_600_000,
    d: 86_400_000,
    day: 86_400_000,
    days: 86_400_000,
    w: 604_800_000,
    week: 604_800_000,
    weeks: 604_800_000,
  }),
);

/** Longest duration text accepted; longer text is refused before it is scanned. */
export const MAX_DURATION_TEXT = 64;
/** Longest duration: 100 years (later instants overflow dates and timers downstream). */
export const MAX_DURATION_MS = 100 * 365 * 86_400_000;

/** Thrown for a duration that cannot be parsed. */
export class DurationError extends TypeError {
  override name = "DurationError";
}

/** The value as an error message shows it: long text cut, so an error never echoes a huge input. */
function shown(text: string): string {
  return text.length > 32
    ? `${JSON.stringify(text.slice(0, 32))}… (${text.length} characters)`
    : JSON.stringify(text);
}

function isSpace(code: number): boolean {
  // The whitespace a person types: space, tab, newlines (what `\s` covered for this text).
  return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0xa0;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/**
 * One left-to-right pass over `"<number>[.<digits>] [unit]"` with optional surrounding spaces: no
 * regex, no backtracking, so the time is linear in the (already capped) length.
 * `null` when the text is not of that shape.
 */
function scan(text: string): { value: number; unit: string } | null {
  let i = 0;
  const n = text.length;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  const numberStart = i;
  while (i < n && isDigit(text.charCodeAt(i))) i++;
  if (i === numberStart) return null;
  if (i < n && text.charCodeAt(i) === 0x2e) {
    const fractionStart = ++i;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    if (i === fractionStart) return null;
  }
  const value = Number(text.slice(numberStart, i));
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  const unitStart = i;
  while (i < n && isLetter(text.charCodeAt(i))) i++;
  const unit = text.slice(unitStart, i);
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  return i === n ? { value, unit } : null;
}

/**
 * Converts a {@link Duration} to whole milliseconds.
 * @throws {@link DurationError} for negative, non-finite, too long (over 100 years) or unparseable values.
 */
export function toMs(duration: Duration): number {
  if (typeof duration === "number") {
    if (!Number.isFinite(duration) || duration < 0) {
      throw new DurationError(`Invalid duration ${duration}: expected a non-negative number of ms`);
    }
    return capped(Math.round(duration), duration);
  }
  if (typeof duration !== "string") {
    throw new DurationError(
      `Invalid duration: expected a string or a number of ms, got ${typeof duration}`,
    );
  }
  const parsed = duration.length <= MAX_DURATION_TEXT ? scan(duration) : null;
  const factor = parsed ? UNIT_MS.get((parsed.unit || "ms").toLowerCase()) : undefined;
  if (!parsed || factor === undefined) {
    throw new DurationError(
      `Invalid duration ${shown(duration)}: use a number of ms or a string like "500ms", "30s", "5m", "1h", "2d"`,
    );
  }
  return capped(Math.round(parsed.value * factor), duration);
}

/** `duration` is shown only in the error: quoting it on every call cost more than the parse. */
function capped(ms: number, duration: number | string): number {
  if (ms > MAX_DURATION_MS) {
    const shownValue = typeof duration === "string" ? shown(duration) : String(duration);
    throw new DurationError(`Invalid duration ${shownValue}: the longest duration is 100 years`);
  }
  return ms;
}

/** Like {@link toMs} but passes `undefined` through. */
export function optionalMs(duration: Duration | undefined): number | undefined {
  return duration === undefined ? undefined : toMs(duration);
}
