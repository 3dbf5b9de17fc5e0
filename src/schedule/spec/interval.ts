/**
 * @module Interval specs, as Temporal's: `every` and `offset` are durations, and the times are
 * `offset + k * every` for whole k, counted from the Unix epoch (1970-01-01T00:00:00Z) — not from
 * the schedule's creation, not from `startAt`, and not in the time zone (an interval ignores it:
 * "every 1 day" fires at 00:00 UTC, whatever the zone; use a calendar for local midnight).
 * `every` is at least 1 second; `offset` is in [0, every).
 */
import { type Duration, DurationError, toMs } from "../../../sdk/common/duration";

/** Shortest interval accepted. */
export const MIN_INTERVAL_MS = 1000;

export interface CompiledInterval {
  readonly everyMs: number;
  readonly offsetMs: number;
}

/** Parses one interval. Returns it, or the failing key ("every" or "offset") and a message. */
export function compileInterval(
  every: unknown,
  offset: unknown,
):
  | { ok: true; interval: CompiledInterval }
  | { ok: false; key: "every" | "offset"; message: string } {
  const everyMs = duration(every);
  if (typeof everyMs === "string") return { ok: false, key: "every", message: everyMs };
  if (everyMs < MIN_INTERVAL_MS) {
    return { ok: false, key: "every", message: `must be at least 1s, got ${everyMs} ms` };
  }
  let offsetMs = 0;
  if (offset !== undefined) {
    const parsed = duration(offset);
    if (typeof parsed === "string") return { ok: false, key: "offset", message: parsed };
    if (parsed >= everyMs) {
      return {
        ok: false,
        key: "offset",
        message: `must be less than every (${everyMs} ms), got ${parsed} ms`,
      };
    }
    offsetMs = parsed;
  }
  return { ok: true, interval: { everyMs, offsetMs } };
}

/** A duration in ms, or a message. */
function duration(value: unknown): number | string {
  if (typeof value !== "string" && typeof value !== "number") {
    return `must be a duration ("15m") or a number of ms, got ${value === null ? "null" : typeof value}`;
  }
  try {
    return toMs(value as Duration);
  } catch (error) {
    if (error instanceof DurationError) return error.message;
    throw error;
  }
}

/** The first time of the interval strictly after `afterMs`. */
export function nextIntervalTime(interval: CompiledInterval, afterMs: number): number {
  const k = Math.floor((afterMs - interval.offsetMs) / interval.everyMs) + 1;
  return interval.offsetMs + k * interval.everyMs;
}
