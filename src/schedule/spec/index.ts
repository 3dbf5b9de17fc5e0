/**
 * @module Schedule specs (issue #13): validation, next nominal times, jitter and a description in
 * words. Pure functions over a compiled spec; the schedule Durable Object stores the spec's
 * `input` and recompiles it on every wake (compiling is cheap: no search, no I/O).
 *
 * Semantics (see the modules for details):
 * - cron.ts: 5/6-field cron and @shorthands, Vixie day-of-month OR day-of-week.
 * - calendar.ts: Temporal-style calendars, all fields ANDed; omitted second/minute/hour are 0 in
 *   `calendars`, every omitted field is "*" in `skip`.
 * - interval.ts: `offset + k * every` from the Unix epoch, regardless of the time zone.
 * - timezone.ts: cron and calendars in `timezone` (default UTC); a repeated local time fires once
 *   (first occurrence), a non-existent one fires once, shifted forward by the gap.
 * - next.ts: union without duplicates, minus skip, within [startAt, endAt] inclusive.
 * - jitter.ts: a fixed pseudo-random delay per (scheduleId, nominal time).
 */
import { describeInput } from "./describe";
import { jitterFor } from "./jitter";
import { type Engine, nextTime, timesBetween } from "./next";
import { checkSpec, type ScheduleSpecInput } from "./validate";

export { MAX_CALENDAR_FIELD_LENGTH } from "./calendar";
export { MAX_CRON_LENGTH } from "./cron";
export type { CalendarSpecInput, IntervalSpecInput, ScheduleSpecInput } from "./validate";
export { MAX_SPEC_ITEMS } from "./validate";

/** A validated spec. Opaque to callers; recompiled from the stored input on every object wake. */
export interface CompiledSpec {
  /** The validated input (known keys only), as given: store this, not the compiled form. */
  readonly input: ScheduleSpecInput;
}

export type SpecResult =
  | { ok: true; spec: CompiledSpec }
  | { ok: false; field: string; message: string };

const engines = new WeakMap<CompiledSpec, Engine>();

function engineOf(spec: CompiledSpec): Engine {
  const engine = engines.get(spec);
  if (engine === undefined) throw new TypeError("not a spec compiled by compileSpec");
  return engine;
}

/**
 * Validates and compiles; `field` is a path like "spec.cron[0]", "spec.timezone",
 * "spec.intervals[1].every". Never throws. Linear time: every list (≤ 100 items) and string
 * (cron ≤ 256 characters, calendar fields ≤ 256, time zone ≤ 64, ISO times ≤ 40, durations ≤ 64)
 * is capped before it is parsed.
 */
export function compileSpec(input: unknown): SpecResult {
  const checked = checkSpec(input);
  if (!checked.ok) return checked;
  const spec: CompiledSpec = Object.freeze({ input: checked.input });
  engines.set(spec, checked.engine);
  return { ok: true, spec };
}

/**
 * The first nominal action time strictly after `afterMs` (union of cron, calendars, intervals;
 * minus skip; within startAt/endAt, both inclusive), or null when there is none (endAt passed).
 */
export function nextNominalTime(spec: CompiledSpec, afterMs: number): number | null {
  return nextTime(engineOf(spec), afterMs);
}

/** Nominal times in (fromMs, toMs], in order, at most `max`. */
export function nominalTimesBetween(
  spec: CompiledSpec,
  fromMs: number,
  toMs: number,
  max: number,
): number[] {
  return timesBetween(engineOf(spec), fromMs, toMs, Math.max(0, Math.floor(max)));
}

/**
 * Jitter in [0, jitter) for this nominal time, pseudo-random but fixed per (scheduleId,
 * nominalMs). Also less than the time to the next nominal time, so jittered actions keep the
 * order of their nominal times (as Temporal caps it). 0 without jitter.
 */
export function jitterMs(spec: CompiledSpec, scheduleId: string, nominalMs: number): number {
  const engine = engineOf(spec);
  if (engine.jitterMs <= 1) return 0;
  const next = nextTime(engine, nominalMs);
  const bound = next === null ? engine.jitterMs : Math.min(engine.jitterMs, next - nominalMs);
  return jitterFor(scheduleId, nominalMs, bound);
}

/** The spec in words for the UI/CLI, e.g. "every 15 minutes (offset 2m)", "cron 0 2 * * * (Europe/Berlin)". */
export function describeSpec(spec: CompiledSpec): string {
  return describeInput(spec.input);
}
