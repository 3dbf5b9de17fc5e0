/** @module Durations: `"500ms"`, `"30s"`, `"5m"`, `"1h"`, `"2d"`, `"1 hour"`, or a number of milliseconds. */

/** A duration: milliseconds, or a string such as `"30s"`, `"5 minutes"`, `"1h"`. */
export type Duration = number | string;

const UNIT_MS: Record<string, number> = {
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
};

const DURATION_RE = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)?\s*$/i;

/** Thrown for a duration that cannot be parsed. */
export class DurationError extends TypeError {
  override name = "DurationError";
}

/**
 * Converts a {@link Duration} to whole milliseconds.
 * @throws {@link DurationError} for negative, non-finite or unparseable values.
 */
export function toMs(duration: Duration): number {
  if (typeof duration === "number") {
    if (!Number.isFinite(duration) || duration < 0) {
      throw new DurationError(`Invalid duration ${duration}: expected a non-negative number of ms`);
    }
    return Math.round(duration);
  }
  const match = DURATION_RE.exec(duration);
  const unit = (match?.[2] ?? "ms").toLowerCase();
  const factor = UNIT_MS[unit];
  if (!match || factor === undefined) {
    throw new DurationError(
      `Invalid duration "${duration}": use a number of ms or a string like "500ms", "30s", "5m", "1h", "2d"`,
    );
  }
  return Math.round(Number(match[1]) * factor);
}

/** Like {@link toMs} but passes `undefined` through. */
export function optionalMs(duration: Duration | undefined): number | undefined {
  return duration === undefined ? undefined : toMs(duration);
}
