/**
 * Properties of the spec engine (fast-check; SUNDIAL_PROPERTY_RUNS/_SEED/_PATH as elsewhere):
 * - timezone.ts agrees with an independent zone model (zone-model.ts) on offsets and on the
 *   instant of any wall time near the 2026 DST changes (gaps, repeats) and elsewhere;
 * - nextNominalTime agrees with a brute-force oracle (every wall minute matched by croner's own
 *   matcher, mapped by the zone model, skips applied, sorted, deduplicated);
 * - nextNominalTime is strictly increasing, nominalTimesBetween agrees with iterating it, and a
 *   freshly compiled spec (empty memo) gives the same times as a reused one;
 * - a union is the sorted, deduplicated merge of its parts;
 * - jitter is in [0, jitter), stable per (schedule, nominal time), and varies across times.
 */
import { Cron } from "croner";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compileSpec,
  jitterMs,
  nextNominalTime,
  nominalTimesBetween,
} from "../../../src/schedule/spec";
import { instantOf, offsetAt } from "../../../src/schedule/spec/timezone";
import { propertyParameters, propertyRuns } from "../helpers/property";
import { spec } from "./spec-helpers";
import { type ZoneModel, zoneModel } from "./zone-model";

const runs = propertyRuns(100);
/** The spec properties search many times per case: fewer cases by default. */
const specRuns = Math.max(1, Math.ceil(runs / 3));
const timeout = { timeout: 90_000 + runs * 1000 };

const ZONES = [
  "UTC",
  "Europe/Berlin",
  "America/New_York",
  "Asia/Kolkata",
  "Australia/Lord_Howe",
  "America/Sao_Paulo",
];
const models = new Map<string, ZoneModel>();
function model(zone: string): ZoneModel {
  let m = models.get(zone);
  if (m === undefined) {
    m = zoneModel(zone);
    models.set(zone, m);
  }
  return m;
}

const H = 3_600_000;
const DAY = 24 * H;
/** Instants near the DST changes of 2026 (Berlin, New York, Lord Howe) or anywhere in 2026. */
const CHANGES_2026 = [
  "2026-03-29T01:00:00Z",
  "2026-10-25T01:00:00Z",
  "2026-03-08T07:00:00Z",
  "2026-11-01T06:00:00Z",
  "2026-04-04T15:00:00Z",
  "2026-10-03T15:30:00Z",
].map(Date.parse);
const instant2026 = fc.oneof(
  fc
    .tuple(fc.constantFrom(...CHANGES_2026), fc.integer({ min: -6 * 60, max: 6 * 60 }))
    .map(([c, m]) => c + m * 60_000),
  fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) }),
);
const zone = fc.constantFrom(...ZONES);

describe("time zones", () => {
  it("offsets and the instant of a wall time agree with the independent model", timeout, () => {
    fc.assert(
      fc.property(zone, instant2026, fc.integer({ min: 0, max: 59 }), (z, t, s) => {
        const m = model(z);
        expect(offsetAt(z, t)).toBe(m.offset(Math.floor(t / 1000) * 1000));
        // A wall time near t, on a whole second.
        const wall = Math.floor((t + m.offset(t)) / 60_000) * 60_000 + s * 1000;
        expect(instantOf(z, wall)).toBe(m.instantOfWall(wall));
      }),
      propertyParameters(runs * 10),
    );
  });
});

// Minute-level patterns, so the oracle can enumerate every wall minute.
const CRONS = [
  "*/15 * * * *",
  "30 2 * * *",
  "0,30 1-3 * * *",
  "5 * * * 0,6",
  "0 0 L * *",
  "45 23 * * *",
  "0 9 * * MON-FRI",
  "10,50 2 29 3 *",
  "*/7 0-4 * * *",
];
const CALENDARS: Array<Record<string, string>> = [
  { hour: "2", minute: "30" },
  { hour: "1-3", minute: "*/20" },
  { dayOfMonth: "13", dayOfWeek: "FRI", hour: "*", minute: "0" },
  { hour: "9", dayOfWeek: "MON-FRI" },
  { minute: "0", hour: "*/2" },
];
const SKIPS: Array<Record<string, string>> = [
  { hour: "2" },
  { dayOfWeek: "SUN" },
  { minute: "0-29" },
  { month: "3", dayOfMonth: "29" },
  { hour: "3", minute: "30" },
];

interface Case {
  zone: string;
  cron: string[];
  calendars: Array<Record<string, string>>;
  skip: Array<Record<string, string>>;
  intervals: Array<{ every: string; offset?: string }>;
}
const specCase: fc.Arbitrary<Case> = fc.record({
  zone,
  cron: fc.subarray(CRONS, { maxLength: 3 }),
  calendars: fc.subarray(CALENDARS, { maxLength: 2 }),
  skip: fc.subarray(SKIPS, { maxLength: 2 }),
  intervals: fc.subarray(
    [
      { every: "45m" },
      { every: "1h", offset: "30m" },
      { every: "1d", offset: "90m" },
      { every: "7m", offset: "3m" },
    ],
    { maxLength: 2 },
  ),
});
function input(c: Case) {
  return {
    cron: c.cron,
    calendars: c.calendars,
    skip: c.skip,
    intervals: c.intervals,
    timezone: c.zone,
  };
}

/** Croner's own matcher for a calendar (7 fields, day fields ANDed), as the oracle reads it. */
function calendarCron(cal: Record<string, string>, skip: boolean): Cron {
  const d = skip ? "*" : "0";
  const days: Record<string, string> = { SUN: "0", MON: "1", FRI: "5", "MON-FRI": "1-5" };
  const dow = cal.dayOfWeek === undefined ? "*" : (days[cal.dayOfWeek] ?? cal.dayOfWeek);
  const fields = [
    cal.second ?? d,
    cal.minute ?? d,
    cal.hour ?? d,
    cal.dayOfMonth ?? "*",
    cal.month ?? "*",
    dow,
    cal.year ?? "*",
  ];
  return new Cron(fields.join(" "), {
    paused: true,
    utcOffset: 0,
    mode: "7-part",
    domAndDow: true,
  });
}

/** Every nominal time in (from, from + span], by enumerating wall minutes (and interval instants). */
function oracle(c: Case, from: number, span: number): number[] {
  const m = model(c.zone);
  const fires = [
    ...c.cron.map((p) => new Cron(p, { paused: true, utcOffset: 0 })),
    ...c.calendars.map((cal) => calendarCron(cal, false)),
  ];
  const skips = c.skip.map((cal) => calendarCron(cal, true));
  const skipped = (t: number) => {
    const wall = new Date(t + m.offset(t));
    return skips.some((s) => s.match(wall));
  };
  const out = new Set<number>();
  const wallFrom = Math.floor((from + m.offset(from)) / 60_000) * 60_000 - 4 * H;
  for (let w = wallFrom; w <= from + span + 16 * H; w += 60_000) {
    if (!fires.some((f) => f.match(new Date(w)))) continue;
    const t = m.instantOfWall(w);
    if (t > from && t <= from + span && !skipped(t)) out.add(t);
  }
  for (const iv of c.intervals) {
    const every = { "45m": 45, "1h": 60, "1d": 1440, "7m": 7 }[iv.every]! * 60_000;
    const offset = { "30m": 30, "90m": 90, "3m": 3 }[iv.offset ?? ""] ?? 0;
    for (let t = Math.floor(from / every) * every + offset * 60_000; t <= from + span; t += every) {
      if (t > from && !skipped(t)) out.add(t);
    }
  }
  return [...out].sort((a, b) => a - b);
}

describe("next times", () => {
  it("agree with a brute-force oracle over every wall minute", timeout, () => {
    fc.assert(
      fc.property(specCase, instant2026, (c, from) => {
        const expected = oracle(c, from, 2 * DAY);
        expect(nominalTimesBetween(spec(input(c)), from, from + 2 * DAY, 10_000)).toEqual(expected);
      }),
      propertyParameters(specRuns),
    );
  });

  it(
    "are strictly increasing; nominalTimesBetween equals iterating nextNominalTime; memo or not",
    timeout,
    () => {
      fc.assert(
        fc.property(specCase, instant2026, fc.integer({ min: 1, max: 40 }), (c, from, max) => {
          const s = spec(input(c));
          const to = from + 3 * DAY;
          const listed = nominalTimesBetween(s, from, to, max);
          const iterated: number[] = [];
          let t: number | null = from;
          while (iterated.length < max) {
            // The first steps with a fresh compile each (no memo), the rest with one compiled spec.
            t = nextNominalTime(iterated.length < 5 ? spec(input(c)) : s, t);
            if (t === null || t > to) break;
            iterated.push(t);
          }
          expect(listed).toEqual(iterated);
          for (let i = 0; i < listed.length; i++) {
            expect(listed[i]!).toBeGreaterThan(i === 0 ? from : listed[i - 1]!);
            expect(nextNominalTime(s, i === 0 ? from : listed[i - 1]!)).toBe(listed[i]);
          }
        }),
        propertyParameters(specRuns),
      );
    },
  );

  it("a union is the sorted, deduplicated merge of its parts", timeout, () => {
    fc.assert(
      fc.property(specCase, instant2026, (c, from) => {
        const to = from + DAY;
        const parts = [
          ...c.cron.map((x) => ({ cron: [x] })),
          ...c.calendars.map((x) => ({ calendars: [x] })),
          ...c.intervals.map((x) => ({ intervals: [x] })),
        ].map((p) =>
          nominalTimesBetween(spec({ ...p, skip: c.skip, timezone: c.zone }), from, to, 10_000),
        );
        const merged = [...new Set(parts.flat())].sort((a, b) => a - b);
        expect(nominalTimesBetween(spec(input(c)), from, to, 10_000)).toEqual(merged);
      }),
      propertyParameters(specRuns),
    );
  });
});

describe("jitter", () => {
  it("is a whole number in [0, jitter), the same on every call and every compile", timeout, () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 1, max: 86_400_000 }),
        (id, k, jitter) => {
          // Nominal times a week apart: the jitter is never capped by the next one.
          const input = { intervals: [{ every: "7d" }], jitter };
          const nominal = k * 7 * DAY;
          const j = jitterMs(spec(input), id, nominal);
          expect(Number.isInteger(j)).toBe(true);
          expect(j).toBeGreaterThanOrEqual(0);
          expect(j).toBeLessThan(Math.max(jitter, 1));
          expect(jitterMs(spec(input), id, nominal)).toBe(j);
        },
      ),
      propertyParameters(runs * 10),
    );
  });

  it("differs across nominal times and schedules (no constant or short cycle)", timeout, () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.integer({ min: 0, max: 1_000_000 }), (id, k) => {
        const s = spec({ cron: ["* * * * *"], jitter: "30s" });
        const start = Date.UTC(2026, 0, 1) + k * 60_000;
        const values = Array.from({ length: 64 }, (_, i) => jitterMs(s, id, start + i * 60_000));
        expect(new Set(values).size).toBeGreaterThan(48);
        const others = Array.from({ length: 64 }, (_, i) =>
          jitterMs(s, `${id}-other`, start + i * 60_000),
        );
        expect(others.filter((v, i) => v === values[i]).length).toBeLessThan(8);
        // Spread over the range, not bunched: both halves are used.
        expect(values.some((v) => v < 15_000) && values.some((v) => v >= 15_000)).toBe(true);
      }),
      propertyParameters(runs),
    );
  });
});

it("compileSpec never throws, whatever the input", timeout, () => {
  fc.assert(
    fc.property(fc.anything({ maxDepth: 3 }), fc.jsonValue({ maxDepth: 3 }), (a, b) => {
      for (const value of [
        a,
        b,
        { cron: [a] },
        { calendars: [b] },
        { intervals: [{ every: a, offset: b }] },
        { timezone: a, startAt: b },
      ]) {
        const result = compileSpec(value);
        expect(typeof result.ok).toBe("boolean");
        if (!result.ok) expect(result.field.startsWith("spec")).toBe(true);
      }
    }),
    propertyParameters(runs * 5),
  );
});
