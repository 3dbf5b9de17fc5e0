/**
 * @module Calendar specs, Temporal's structured calendars: `second minute hour dayOfMonth month
 * dayOfWeek year`, each a comma-separated list of `*`, a value, a range `a-b`, or a step
 * `*\/s`, `a-b/s`, `a/s` (from a to the field's maximum). Values are numbers; months also take
 * names (JAN or JANUARY), days of the week too (SUN or SUNDAY; 0 and 7 are Sunday). A time
 * matches when EVERY field matches (unlike cron's day-of-month OR day-of-week).
 *
 * Omitted fields: in `calendars` second, minute and hour default to "0" and the others to "*"
 * (as Temporal: `{dayOfWeek: "MON"}` fires at 00:00:00 every Monday, not every second of it); in
 * `skip` every omitted field is "*", so `{month: "12", dayOfMonth: "25"}` skips all of Christmas Day.
 *
 * Our own linear parser checks the text and rewrites it as numbers; croner (7-part mode, day
 * fields ANDed) then enumerates the matching wall times with its field-by-field search, so a
 * calendar never walks second by second, and one that cannot match (February 30) ends fast.
 */
import { Cron } from "croner";
import { cronerMessage, type WallPattern, wallPattern } from "./cron";
import { calendarFeasible } from "./feasible";

/** Longest calendar field text accepted; longer text is refused before it is read. */
export const MAX_CALENDAR_FIELD_LENGTH = 256;
/** Longest calendar comment accepted. */
export const MAX_COMMENT_LENGTH = 1000;

export const CALENDAR_FIELDS = [
  "second",
  "minute",
  "hour",
  "dayOfMonth",
  "month",
  "dayOfWeek",
  "year",
] as const;
export type CalendarField = (typeof CALENDAR_FIELDS)[number];

const RANGES: Record<CalendarField, readonly [number, number]> = {
  second: [0, 59],
  minute: [0, 59],
  hour: [0, 23],
  dayOfMonth: [1, 31],
  month: [1, 12],
  dayOfWeek: [0, 7],
  year: [1970, 9999],
};

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const MONTHS_LONG = [
  "JANUARY",
  "FEBRUARY",
  "MARCH",
  "APRIL",
  "MAY",
  "JUNE",
  "JULY",
  "AUGUST",
  "SEPTEMBER",
  "OCTOBER",
  "NOVEMBER",
  "DECEMBER",
];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const DAYS_LONG = ["SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"];

/** How much of a wall time a skip calendar covers at once around a match (see `skipUnitEnd`). */
export type SkipUnit = "second" | "minute" | "hour" | "day" | "month" | "year";

export interface CompiledCalendar {
  readonly pattern: WallPattern;
  /** Whether the wall time (whole seconds) matches. */
  matches(wall: number): boolean;
  /** The coarsest unit that, around a matching wall time, matches in full. */
  readonly unit: SkipUnit;
}

function nameValue(field: CalendarField, word: string): number | undefined {
  const upper = word.toUpperCase();
  if (field === "month") {
    const i = MONTHS.indexOf(upper);
    if (i >= 0) return i + 1;
    const j = MONTHS_LONG.indexOf(upper);
    return j >= 0 ? j + 1 : undefined;
  }
  if (field === "dayOfWeek") {
    const i = DAYS.indexOf(upper);
    if (i >= 0) return i;
    const j = DAYS_LONG.indexOf(upper);
    return j >= 0 ? j : undefined;
  }
  return undefined;
}

/** One value: digits, or a name for months and days of the week. Returns a number or a message. */
function value(field: CalendarField, text: string): number | string {
  if (text.length === 0) return "a value is missing";
  if (text.length > 10) return `${JSON.stringify(text.slice(0, 10))}… is not a value`;
  let digits = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) digits = false;
  }
  const [lo, hi] = RANGES[field];
  const n = digits ? Number(text) : nameValue(field, text);
  if (n === undefined) {
    const names =
      field === "month" ? " or a name (JAN)" : field === "dayOfWeek" ? " or a name (MON)" : "";
    return `${JSON.stringify(text)} is not a number${names}`;
  }
  if (n < lo || n > hi) return `${n} is out of range ${lo}-${hi}`;
  return n;
}

/**
 * Rewrites one field as croner's numeric syntax, or returns `{ error }`. Linear: one split on
 * commas, then constant work per item (each item is at most a few short numbers).
 */
export function normalizeField(
  field: CalendarField,
  text: string,
): { text: string; bits: Uint8Array } | { error: string } {
  if (text.length > MAX_CALENDAR_FIELD_LENGTH) {
    return {
      error: `is ${text.length} characters long; the limit is ${MAX_CALENDAR_FIELD_LENGTH}`,
    };
  }
  const trimmed = text.trim();
  if (trimmed.length === 0) return { error: "is empty" };
  const [lo, hi] = RANGES[field];
  const out: string[] = [];
  // The allowed values, indexed by value (day of week 7 folded onto 0): our own matcher's table.
  const bits = new Uint8Array(hi + 1);
  const allow = (from: number, to: number, step: number) => {
    for (let v = from; v <= to; v += step) bits[field === "dayOfWeek" && v === 7 ? 0 : v] = 1;
  };
  for (const raw of trimmed.split(",")) {
    const item = raw.trim();
    if (item === "*") {
      out.push("*");
      allow(lo, hi, 1);
      continue;
    }
    const slash = item.indexOf("/");
    const rangePart = slash >= 0 ? item.slice(0, slash) : item;
    let step: number | undefined;
    if (slash >= 0) {
      const s = item.slice(slash + 1);
      if (s.length === 0 || s.length > 5 || !/^[0-9]+$/.test(s) || Number(s) === 0) {
        return {
          error: `${JSON.stringify(item.slice(0, 20))}: the step must be a positive number`,
        };
      }
      step = Number(s);
    }
    let from: number;
    let to: number;
    if (rangePart === "*") {
      from = lo;
      to = hi;
    } else {
      const dash = rangePart.indexOf("-");
      const a = value(field, dash >= 0 ? rangePart.slice(0, dash) : rangePart);
      if (typeof a === "string") return { error: a };
      from = a;
      if (dash >= 0) {
        const b = value(field, rangePart.slice(dash + 1));
        if (typeof b === "string") return { error: b };
        // A range of weekdays may end on Sunday as 0 or SUN: "FRI-SUN" is 5-7.
        to = field === "dayOfWeek" && b === 0 && from > 0 ? 7 : b;
        if (to < from)
          return { error: `${JSON.stringify(rangePart)}: the range ends before it starts` };
      } else {
        // "a/s" steps from a to the field's end; a lone value is just itself.
        to = step === undefined ? from : hi;
      }
    }
    allow(from, to, step ?? 1);
    // Croner reads 7 as Sunday only as a lone value; a range up to 7 is split so SUN stays 0.
    if (field === "dayOfWeek" && to === 7 && from !== 7) {
      out.push(step === undefined ? `${from}-6` : `${from}-6/${step}`);
      if (step === undefined || (7 - from) % step === 0) out.push("0");
      continue;
    }
    if (field === "dayOfWeek" && from === 7) {
      out.push("0");
      continue;
    }
    out.push(
      step === undefined ? (from === to ? `${from}` : `${from}-${to}`) : `${from}-${to}/${step}`,
    );
  }
  return { text: out.join(","), bits };
}

export type CalendarInput = Partial<Record<CalendarField, string | number>>;

/**
 * Compiles one calendar. `defaults` is "0" for second/minute/hour in `calendars`, and "*" for
 * everything in `skip`. Returns the calendar, or the failing field and its message.
 */
export function compileCalendar(
  input: CalendarInput,
  mode: "fire" | "skip",
):
  | { ok: true; calendar: CompiledCalendar }
  | { ok: false; field: CalendarField | null; message: string } {
  const parts: string[] = [];
  const bits = {} as Record<CalendarField, Uint8Array>;
  for (const field of CALENDAR_FIELDS) {
    const given = input[field];
    const fallback =
      mode === "fire" && (field === "second" || field === "minute" || field === "hour") ? "0" : "*";
    const text = given === undefined ? fallback : String(given);
    const normalized = normalizeField(field, text);
    if ("error" in normalized) return { ok: false, field, message: normalized.error };
    parts.push(normalized.text);
    bits[field] = normalized.bits;
  }
  if (!calendarFeasible(bits)) {
    return { ok: false, field: null, message: "never matches any date (e.g. February 30)" };
  }
  // Only a firing calendar needs croner's search; a skip calendar is only ever matched.
  let walls: WallPattern = { nextWall: () => null };
  if (mode === "fire") {
    try {
      const cron = new Cron(parts.join(" "), {
        paused: true,
        utcOffset: 0,
        mode: "7-part",
        domAndDow: true,
      });
      walls = wallPattern(cron);
    } catch (error) {
      return {
        ok: false,
        field: null,
        message: `is not a valid calendar: ${cronerMessage(error)}`,
      };
    }
  }
  return { ok: true, calendar: { pattern: walls, unit: skipUnit(bits), matches: matcher(bits) } };
}

function full(bits: Uint8Array, from: number): boolean {
  for (let i = from; i < bits.length; i++) if (bits[i] === 0) return false;
  return true;
}

/** The coarsest unit of time a match covers in full (every finer field allows every value). */
function skipUnit(bits: Record<CalendarField, Uint8Array>): SkipUnit {
  if (!full(bits.second, 0)) return "second";
  if (!full(bits.minute, 0)) return "minute";
  if (!full(bits.hour, 0)) return "hour";
  // dayOfWeek's table has 8 slots (7 folded onto 0, so slot 7 stays 0): check 0-6.
  if (!full(bits.dayOfMonth, 1) || !full(bits.dayOfWeek.subarray(0, 7), 0)) return "day";
  if (!full(bits.month, 1)) return "month";
  return "year";
}

/** Whether a wall time (ms as UTC) has every field allowed. */
function matcher(bits: Record<CalendarField, Uint8Array>): (wall: number) => boolean {
  return (wall) => {
    const d = new Date(wall);
    return (
      bits.second[d.getUTCSeconds()] === 1 &&
      bits.minute[d.getUTCMinutes()] === 1 &&
      bits.hour[d.getUTCHours()] === 1 &&
      bits.dayOfMonth[d.getUTCDate()] === 1 &&
      bits.month[d.getUTCMonth() + 1] === 1 &&
      bits.dayOfWeek[d.getUTCDay()] === 1 &&
      bits.year[d.getUTCFullYear()] === 1
    );
  };
}

/** The end (exclusive, a wall time) of the `unit` that holds `wall`. */
export function unitEnd(wall: number, unit: SkipUnit): number {
  const d = new Date(wall);
  switch (unit) {
    case "second":
      return Math.floor(wall / 1000) * 1000 + 1000;
    case "minute":
      return Math.floor(wall / 60_000) * 60_000 + 60_000;
    case "hour":
      return Math.floor(wall / 3_600_000) * 3_600_000 + 3_600_000;
    case "day":
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
    case "month":
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    case "year":
      return Date.UTC(d.getUTCFullYear() + 1, 0, 1);
  }
}

/** The calendar as text for descriptions: its given fields, e.g. "hour=9 minute=0 dayOfWeek=MON-FRI". */
export function calendarWords(input: CalendarInput & { comment?: string }): string {
  const words: string[] = [];
  for (const field of CALENDAR_FIELDS) {
    const given = input[field];
    if (given !== undefined) words.push(`${field}=${String(given).trim()}`);
  }
  const text = words.length > 0 ? words.join(" ") : "(all defaults)";
  return input.comment ? `${text} "${input.comment}"` : text;
}
