/**
 * @module Cron strings, parsed by croner: 5 fields (minute hour day-of-month month day-of-week), 6
 * fields (a leading seconds field), or one of the shorthands @yearly @annually @monthly @weekly
 * @daily @midnight @hourly. Croner's extensions work too: `L` (last day of the month), `W`
 * (nearest weekday), `#` (nth weekday, `FRI#2`), `?` (as `*`), month and day names.
 * Day-of-month and day-of-week follow Vixie cron: when both are restricted, a day matching
 * EITHER fires (`0 0 13 * FRI` fires on every 13th and on every Friday).
 *
 * Croner runs in its fixed-offset mode (`utcOffset: 0`) and so only enumerates wall times (see
 * timezone.ts): the time zone and its DST rules are applied by this module's callers, one rule
 * for cron strings and calendars alike, not croner's own DST rule (which skips non-existent times
 * of patterns with wildcards or lists, and fires such patterns twice when the clock falls back).
 */
import { Cron, CronPattern } from "croner";
import { cronFeasible } from "./feasible";

/** Longest cron string accepted; longer text is refused before it is parsed. */
export const MAX_CRON_LENGTH = 256;

/** Enumerates the wall times (ms, as UTC) of one croner pattern, in order. */
export interface WallPattern {
  /** The first matching wall time strictly after `wall` (whole seconds), or null when none is left. */
  nextWall(wall: number): number | null;
}

const SHORTHANDS = new Set([
  "@yearly",
  "@annually",
  "@monthly",
  "@weekly",
  "@daily",
  "@midnight",
  "@hourly",
]);

/** Croner's message without its "CronPattern: " prefix and without echoing the whole input. */
export function cronerMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/^Cron(Pattern|Options)?: /, "").slice(0, 200);
}

/** Characters a cron string may hold: croner's syntax, and nothing that selects its one-off date mode (`:`). */
function allowedCronChar(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    c === 0x20 || // space
    c === 0x2a || // *
    c === 0x2c || // ,
    c === 0x2f || // /
    c === 0x2d || // -
    c === 0x3f || // ?
    c === 0x23 || // #
    c === 0x2b // + (croner: day-of-week AND day-of-month)
  );
}

/** A croner wall-time enumerator over a pattern croner has already accepted. */
export function wallPattern(cron: Cron): WallPattern {
  return {
    nextWall(wall) {
      const next = cron.nextRun(new Date(wall));
      return next === null ? null : next.getTime();
    },
  };
}

/**
 * Parses one cron string. Returns the enumerator, or a message saying what is wrong. Checks the
 * length and the characters first (linear), so croner only ever sees short, plain text.
 */
export function parseCron(
  text: string,
): { ok: true; pattern: WallPattern } | { ok: false; message: string } {
  if (text.length > MAX_CRON_LENGTH) {
    return {
      ok: false,
      message: `is ${text.length} characters long; the limit is ${MAX_CRON_LENGTH}`,
    };
  }
  const trimmed = text.trim();
  if (trimmed.length === 0) return { ok: false, message: "is empty" };
  if (trimmed.startsWith("@")) {
    if (!SHORTHANDS.has(trimmed.toLowerCase())) {
      return {
        ok: false,
        message: `unknown shorthand ${JSON.stringify(trimmed.slice(0, 32))}: use one of ${[...SHORTHANDS].join(" ")}`,
      };
    }
  } else {
    for (let i = 0; i < trimmed.length; i++) {
      if (!allowedCronChar(trimmed.charCodeAt(i))) {
        return {
          ok: false,
          message: `has the character ${JSON.stringify(trimmed[i])} at ${i}: a cron string has 5 or 6 space-separated fields of digits, names, * , - / ? L W #`,
        };
      }
    }
  }
  let cron: Cron;
  let fields: CronPattern;
  try {
    cron = new Cron(trimmed, {
      paused: true,
      utcOffset: 0,
      mode: "5-or-6-parts",
      domAndDow: false,
    });
    fields = new CronPattern(trimmed, undefined, { mode: "5-or-6-parts" });
  } catch (error) {
    return { ok: false, message: `is not a valid cron string: ${cronerMessage(error)}` };
  }
  if (!cronFeasible(fields)) {
    return { ok: false, message: "never matches any date (e.g. February 30)" };
  }
  return { ok: true, pattern: wallPattern(cron) };
}
