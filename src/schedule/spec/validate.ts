/**
 * @module Validation and compilation of a schedule spec: every check names the field it failed
 * on ("spec.cron[0]", "spec.intervals[1].every", "spec.calendars[0].dayOfWeek"), never throws, and
 * caps every list and string before reading it, so the time is linear in the (capped) input.
 */
import { type Duration, DurationError, toMs } from "../../../sdk/common/duration";
import {
  CALENDAR_FIELDS,
  type CompiledCalendar,
  compileCalendar,
  MAX_COMMENT_LENGTH,
} from "./calendar";
import { parseCron, type WallPattern } from "./cron";
import { type CompiledInterval, compileInterval } from "./interval";
import { parseInstant } from "./iso";
import type { Engine } from "./next";
import { isKnownTimeZone, MAX_TIMEZONE_LENGTH } from "./timezone";

/** Most items in each of `cron`, `intervals`, `calendars` and `skip`. */
export const MAX_SPEC_ITEMS = 100;

export interface CalendarSpecInput {
  second?: string;
  minute?: string;
  hour?: string;
  dayOfMonth?: string;
  month?: string;
  dayOfWeek?: string;
  year?: string;
  comment?: string;
}
export interface IntervalSpecInput {
  every: string | number;
  offset?: string | number;
}
export interface ScheduleSpecInput {
  cron?: string[];
  intervals?: IntervalSpecInput[];
  calendars?: CalendarSpecInput[];
  timezone?: string;
  startAt?: string | null;
  endAt?: string | null;
  jitter?: string | number;
  skip?: CalendarSpecInput[];
}

export type Checked =
  | { ok: true; input: ScheduleSpecInput; engine: Engine }
  | { ok: false; field: string; message: string };

class Refusal {
  constructor(
    readonly field: string,
    readonly message: string,
  ) {}
}

const SPEC_KEYS = [
  "cron",
  "intervals",
  "calendars",
  "timezone",
  "startAt",
  "endAt",
  "jitter",
  "skip",
];
const INTERVAL_KEYS = ["every", "offset"];
const CALENDAR_KEYS: readonly string[] = [...CALENDAR_FIELDS, "comment"];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
}

/** Refuses keys outside `known`, naming the first one (its name cut, so a huge key is not echoed). */
function onlyKeys(value: Record<string, unknown>, known: readonly string[], path: string): void {
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (!known.includes(key)) {
      const shown = key.length > 40 ? `${key.slice(0, 40)}…` : key;
      throw new Refusal(
        `${path}.${shown}`,
        `unknown field ${JSON.stringify(shown)}: expected one of ${known.join(", ")}`,
      );
    }
  }
}

/** A list: absent (or null) is empty; more than MAX_SPEC_ITEMS is refused before any item is read. */
function list(value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Refusal(path, `must be an array, got ${typeName(value)}`);
  if (value.length > MAX_SPEC_ITEMS) {
    throw new Refusal(path, `has ${value.length} items; the limit is ${MAX_SPEC_ITEMS}`);
  }
  return value;
}

function calendarInput(value: unknown, path: string): CalendarSpecInput {
  if (!isRecord(value)) throw new Refusal(path, `must be an object, got ${typeName(value)}`);
  onlyKeys(value, CALENDAR_KEYS, path);
  const out: CalendarSpecInput = {};
  for (const field of CALENDAR_FIELDS) {
    const given = value[field];
    if (given === undefined || given === null) continue;
    if (typeof given === "number" && Number.isSafeInteger(given)) out[field] = String(given);
    else if (typeof given === "string") out[field] = given;
    else
      throw new Refusal(
        `${path}.${field}`,
        `must be a string like "1-5" or "MON-FRI", got ${typeName(given)}`,
      );
  }
  const comment = value.comment;
  if (comment !== undefined && comment !== null) {
    if (typeof comment !== "string")
      throw new Refusal(`${path}.comment`, `must be a string, got ${typeName(comment)}`);
    if (comment.length > MAX_COMMENT_LENGTH) {
      throw new Refusal(
        `${path}.comment`,
        `is ${comment.length} characters long; the limit is ${MAX_COMMENT_LENGTH}`,
      );
    }
    out.comment = comment;
  }
  return out;
}

function calendars(values: unknown[], path: string, mode: "fire" | "skip") {
  const inputs: CalendarSpecInput[] = [];
  const compiled: CompiledCalendar[] = [];
  values.forEach((value, i) => {
    const at = `${path}[${i}]`;
    const input = calendarInput(value, at);
    const result = compileCalendar(input, mode);
    if (!result.ok)
      throw new Refusal(result.field === null ? at : `${at}.${result.field}`, result.message);
    inputs.push(input);
    compiled.push(result.calendar);
  });
  return { inputs, compiled };
}

function instant(value: unknown, path: string): { text: string; ms: number } | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string")
    throw new Refusal(path, `must be an ISO 8601 string or null, got ${typeName(value)}`);
  const ms = parseInstant(value);
  if (typeof ms === "string") throw new Refusal(path, ms);
  return { text: value, ms };
}

function check(value: unknown): { input: ScheduleSpecInput; engine: Engine } {
  if (!isRecord(value)) throw new Refusal("spec", `must be an object, got ${typeName(value)}`);
  onlyKeys(value, SPEC_KEYS, "spec");
  const input: ScheduleSpecInput = {};

  let zone = "UTC";
  if (value.timezone !== undefined && value.timezone !== null) {
    const tz = value.timezone;
    if (typeof tz !== "string")
      throw new Refusal("spec.timezone", `must be a string, got ${typeName(tz)}`);
    if (tz.length > MAX_TIMEZONE_LENGTH) {
      throw new Refusal(
        "spec.timezone",
        `is ${tz.length} characters long; the limit is ${MAX_TIMEZONE_LENGTH}`,
      );
    }
    if (!isKnownTimeZone(tz)) {
      throw new Refusal(
        "spec.timezone",
        `unknown time zone ${JSON.stringify(tz)}: use an IANA name like "Europe/Berlin" or "UTC"`,
      );
    }
    zone = tz;
    input.timezone = tz;
  }

  const walls: WallPattern[] = [];
  const cronList = list(value.cron, "spec.cron");
  if (cronList.length > 0) input.cron = [];
  cronList.forEach((text, i) => {
    if (typeof text !== "string")
      throw new Refusal(`spec.cron[${i}]`, `must be a string, got ${typeName(text)}`);
    const parsed = parseCron(text);
    if (!parsed.ok) throw new Refusal(`spec.cron[${i}]`, parsed.message);
    input.cron?.push(text);
    walls.push(parsed.pattern);
  });

  const intervals: CompiledInterval[] = [];
  const intervalList = list(value.intervals, "spec.intervals");
  if (intervalList.length > 0) input.intervals = [];
  intervalList.forEach((item, i) => {
    const at = `spec.intervals[${i}]`;
    if (!isRecord(item))
      throw new Refusal(at, `must be an object like {"every": "15m"}, got ${typeName(item)}`);
    onlyKeys(item, INTERVAL_KEYS, at);
    if (item.every === undefined) throw new Refusal(`${at}.every`, "is required");
    const result = compileInterval(item.every, item.offset ?? undefined);
    if (!result.ok) throw new Refusal(`${at}.${result.key}`, result.message);
    const copy: IntervalSpecInput = { every: item.every as string | number };
    if (item.offset !== undefined && item.offset !== null)
      copy.offset = item.offset as string | number;
    input.intervals?.push(copy);
    intervals.push(result.interval);
  });

  const fire = calendars(list(value.calendars, "spec.calendars"), "spec.calendars", "fire");
  if (fire.inputs.length > 0) input.calendars = fire.inputs;
  walls.push(...fire.compiled.map((c) => c.pattern));
  const skip = calendars(list(value.skip, "spec.skip"), "spec.skip", "skip");
  if (skip.inputs.length > 0) input.skip = skip.inputs;

  const start = instant(value.startAt, "spec.startAt");
  const end = instant(value.endAt, "spec.endAt");
  if (start) input.startAt = start.text;
  if (end) input.endAt = end.text;
  if (start && end && end.ms < start.ms) {
    throw new Refusal("spec.endAt", `${end.text} is before startAt ${start.text}`);
  }

  let jitterMs = 0;
  if (value.jitter !== undefined && value.jitter !== null) {
    const jitter = value.jitter;
    if (typeof jitter !== "string" && typeof jitter !== "number") {
      throw new Refusal(
        "spec.jitter",
        `must be a duration ("30s") or a number of ms, got ${typeName(jitter)}`,
      );
    }
    try {
      jitterMs = toMs(jitter as Duration);
    } catch (error) {
      if (error instanceof DurationError) throw new Refusal("spec.jitter", error.message);
      throw error;
    }
    input.jitter = jitter;
  }

  return {
    input,
    engine: {
      zone,
      walls,
      intervals,
      skips: skip.compiled,
      startMs: start?.ms ?? null,
      endMs: end?.ms ?? null,
      jitterMs,
      memo: [],
    },
  };
}

/** Validates and compiles a spec; never throws for any input. */
export function checkSpec(value: unknown): Checked {
  try {
    return { ok: true, ...check(value) };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, field: error.field, message: error.message };
    // A bug here must not become a 500 with a stack trace: report it against the spec as a whole.
    return {
      ok: false,
      field: "spec",
      message: `could not be read: ${error instanceof Error ? error.message.slice(0, 200) : "unknown error"}`,
    };
  }
}
