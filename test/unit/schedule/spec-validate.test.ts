/**
 * Bad specs: each refused with the field it is wrong in (never a throw), and oversized input
 * (1 MB cron string, 1 MB calendar field, long runs of commas) refused in under 50 ms.
 */
import { describe, expect, it } from "vitest";
import { compileSpec, nextNominalTime, nominalTimesBetween } from "../../../src/schedule/spec";
import { refusedField, spec } from "./spec-helpers";

describe("refused specs name their field", () => {
  const cases: Array<[string, unknown, string]> = [
    ["not an object", "0 * * * *", "spec"],
    ["an array", [], "spec"],
    ["null", null, "spec"],
    ["an unknown key", { cron: ["0 * * * *"], crons: ["0 * * * *"] }, "spec.crons"],
    ["cron not a list", { cron: "0 * * * *" }, "spec.cron"],
    ["cron item not a string", { cron: [5] }, "spec.cron[0]"],
    ["a minute of 61", { cron: ["61 * * * *"] }, "spec.cron[0]"],
    ["three fields", { cron: ["* * *"] }, "spec.cron[0]"],
    ["seven fields", { cron: ["0 0 0 1 1 * 2027"] }, "spec.cron[0]"],
    ["the second item", { cron: ["0 * * * *", "0 0 * * FUNDAY"] }, "spec.cron[1]"],
    ["an unknown shorthand", { cron: ["@every 5m"] }, "spec.cron[0]"],
    ["@reboot", { cron: ["@reboot"] }, "spec.cron[0]"],
    [
      "a date instead of a cron (croner's one-off mode)",
      { cron: ["2026-01-01T00:00:00"] },
      "spec.cron[0]",
    ],
    ["an empty cron", { cron: ["  "] }, "spec.cron[0]"],
    ["a step of 0", { cron: ["*/0 * * * *"] }, "spec.cron[0]"],
    ["February 30 in cron", { cron: ["0 0 30 2 *"] }, "spec.cron[0]"],
    ["April 31 in cron", { cron: ["0 0 31 4,6,9,11 *"] }, "spec.cron[0]"],
    ["an unknown time zone", { timezone: "Mars/Olympus_Mons" }, "spec.timezone"],
    ["a UTC offset as time zone", { timezone: "+01:00" }, "spec.timezone"],
    ["an empty time zone", { timezone: "" }, "spec.timezone"],
    ["a time zone number", { timezone: 1 }, "spec.timezone"],
    ["interval not a list", { intervals: { every: "1m" } }, "spec.intervals"],
    ["interval not an object", { intervals: ["1m"] }, "spec.intervals[0]"],
    ["interval every 0", { intervals: [{ every: 0 }] }, "spec.intervals[0].every"],
    ["interval every '0s'", { intervals: [{ every: "0s" }] }, "spec.intervals[0].every"],
    ["interval every negative", { intervals: [{ every: -60_000 }] }, "spec.intervals[0].every"],
    ["interval every '-5m'", { intervals: [{ every: "-5m" }] }, "spec.intervals[0].every"],
    ["interval under 1s", { intervals: [{ every: 999 }] }, "spec.intervals[0].every"],
    ["interval not a duration", { intervals: [{ every: "soon" }] }, "spec.intervals[0].every"],
    ["interval without every", { intervals: [{ offset: "1m" }] }, "spec.intervals[0].every"],
    [
      "offset equal to every",
      { intervals: [{ every: "1m" }, { every: "1h", offset: "1h" }] },
      "spec.intervals[1].offset",
    ],
    [
      "offset over every",
      { intervals: [{ every: "1m", offset: "2m" }] },
      "spec.intervals[0].offset",
    ],
    ["offset negative", { intervals: [{ every: "1m", offset: -1 }] }, "spec.intervals[0].offset"],
    [
      "unknown interval key",
      { intervals: [{ every: "1m", jitter: "1s" }] },
      "spec.intervals[0].jitter",
    ],
    ["calendar not an object", { calendars: ["9:00"] }, "spec.calendars[0]"],
    ["calendar hour 25", { calendars: [{ hour: "25" }] }, "spec.calendars[0].hour"],
    [
      "calendar minute list item out of range",
      { calendars: [{ minute: "0,15,60" }] },
      "spec.calendars[0].minute",
    ],
    [
      "calendar unknown day name",
      { calendars: [{ dayOfWeek: "FUNDAY" }] },
      "spec.calendars[0].dayOfWeek",
    ],
    ["calendar month name in the hour", { calendars: [{ hour: "JAN" }] }, "spec.calendars[0].hour"],
    [
      "calendar backwards range",
      { calendars: [{ dayOfMonth: "20-10" }] },
      "spec.calendars[0].dayOfMonth",
    ],
    ["calendar step 0", { calendars: [{ minute: "*/0" }] }, "spec.calendars[0].minute"],
    ["calendar empty field", { calendars: [{ hour: "" }] }, "spec.calendars[0].hour"],
    ["calendar empty list item", { calendars: [{ hour: "1,,2" }] }, "spec.calendars[0].hour"],
    ["calendar year before 1970", { calendars: [{ year: "1969" }] }, "spec.calendars[0].year"],
    ["calendar field an object", { calendars: [{ hour: { from: 1 } }] }, "spec.calendars[0].hour"],
    [
      "calendar unknown key",
      { calendars: [{ hour: "9", weekday: "MON" }] },
      "spec.calendars[0].weekday",
    ],
    [
      "calendar February 30",
      { calendars: [{ month: "2", dayOfMonth: "30" }] },
      "spec.calendars[0]",
    ],
    [
      "calendar Feb 29 only in non-leap years",
      { calendars: [{ month: "2", dayOfMonth: "29", year: "2025-2027" }] },
      "spec.calendars[0]",
    ],
    // 2032-02-29 is a Sunday: no leap day in 2029-2035 is a Monday.
    [
      "calendar Monday Feb 29 in 2029-2035",
      { calendars: [{ month: "2", dayOfMonth: "29", dayOfWeek: "MON", year: "2029-2035" }] },
      "spec.calendars[0]",
    ],
    [
      "the second calendar",
      { calendars: [{ hour: "9" }, { hour: "x" }] },
      "spec.calendars[1].hour",
    ],
    ["comment not a string", { calendars: [{ comment: 5 }] }, "spec.calendars[0].comment"],
    ["skip not a list", { skip: { month: "12" } }, "spec.skip"],
    ["skip bad field", { skip: [{ month: "13" }] }, "spec.skip[0].month"],
    ["skip February 31", { skip: [{ month: "2", dayOfMonth: "31" }] }, "spec.skip[0]"],
    ["startAt not ISO", { startAt: "yesterday" }, "spec.startAt"],
    ["startAt month 13", { startAt: "2026-13-01T00:00:00Z" }, "spec.startAt"],
    ["startAt February 30", { startAt: "2026-02-30T00:00:00Z" }, "spec.startAt"],
    ["startAt without a zone", { startAt: "2026-01-01T00:00:00" }, "spec.startAt"],
    ["startAt a number", { startAt: 1767225600000 }, "spec.startAt"],
    ["endAt hour 24", { endAt: "2026-01-01T24:00:00Z" }, "spec.endAt"],
    [
      "endAt before startAt",
      { startAt: "2026-12-01T00:00:00Z", endAt: "2026-11-30T23:59:59Z" },
      "spec.endAt",
    ],
    ["jitter negative", { jitter: -1 }, "spec.jitter"],
    ["jitter not a duration", { jitter: "a bit" }, "spec.jitter"],
    ["jitter an object", { jitter: { s: 1 } }, "spec.jitter"],
    ["101 cron strings", { cron: Array(101).fill("0 * * * *") }, "spec.cron"],
    ["101 intervals", { intervals: Array(101).fill({ every: "1m" }) }, "spec.intervals"],
    ["101 calendars", { calendars: Array(101).fill({}) }, "spec.calendars"],
    ["101 skips", { skip: Array(101).fill({}) }, "spec.skip"],
    ["a 257-character cron", { cron: [`0 * * * ${"*".padStart(249, " ")}`] }, "spec.cron[0]"],
    [
      "a long calendar field",
      { calendars: [{ minute: "0,".repeat(200) }] },
      "spec.calendars[0].minute",
    ],
    ["a long time zone", { timezone: "Europe/".repeat(20) }, "spec.timezone"],
    ["a long comment", { calendars: [{ comment: "x".repeat(1001) }] }, "spec.calendars[0].comment"],
    ["a long ISO time", { startAt: `2026-01-01T00:00:00.${"0".repeat(40)}Z` }, "spec.startAt"],
    ["a long jitter", { jitter: `${"1".repeat(100)}s` }, "spec.jitter"],
  ];
  for (const [name, input, field] of cases) {
    it(`${name} → ${field}`, () => {
      expect(refusedField(input)).toBe(field);
    });
  }

  it("messages say what is wrong (and do not echo huge input)", () => {
    const message = (input: unknown) => {
      const r = compileSpec(input);
      return r.ok ? "" : r.message;
    };
    expect(message({ timezone: "Mars/Olympus_Mons" })).toMatch(
      /unknown time zone "Mars\/Olympus_Mons"/,
    );
    expect(message({ crons: [] })).toMatch(
      /unknown field "crons": expected one of cron, intervals/,
    );
    expect(message({ cron: ["0 0 30 2 *"] })).toMatch(/never matches/);
    expect(message({ intervals: [{ every: 0 }] })).toMatch(/at least 1s/);
    expect(message({ startAt: "2026-12-01T00:00:00Z", endAt: "2026-01-01T00:00:00Z" })).toMatch(
      /before startAt/,
    );
    expect(message({ cron: ["x".repeat(1_000_000)] })).toBe(
      "is 1000000 characters long; the limit is 256",
    );
    expect(message({ [`k${"x".repeat(100_000)}`]: 1 }).length).toBeLessThan(300);
    expect(message({ cron: ["61 * * * *"] })).toMatch(/^is not a valid cron string: /);
  });

  it("a spec at every limit is accepted (100 items each, 256-character fields)", () => {
    const minutes = Array.from({ length: 60 }, (_, i) => i)
      .join(",")
      .slice(0, 256);
    const s = compileSpec({
      cron: Array.from({ length: 100 }, (_, i) => `${i % 60} * * * *`),
      intervals: Array.from({ length: 100 }, (_, i) => ({ every: `${i + 1}m` })),
      calendars: Array.from({ length: 100 }, () => ({
        minute: minutes.slice(0, minutes.lastIndexOf(",")),
        hour: "*",
      })),
      skip: Array.from({ length: 100 }, (_, i) => ({ year: String(3000 + i) })),
      timezone: "America/Argentina/ComodRivadavia",
    });
    expect(s.ok).toBe(true);
    if (s.ok)
      expect(nextNominalTime(s.spec, Date.UTC(2026, 0, 1))).toBe(Date.UTC(2026, 0, 1, 0, 1));
  });
});

describe("oversized and adversarial input is refused fast (best of 3 under 50 ms)", () => {
  function bestOf3(input: unknown): { ms: number; field: string } {
    let best = Number.POSITIVE_INFINITY;
    let field = "";
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const r = compileSpec(input);
      best = Math.min(best, performance.now() - t0);
      if (r.ok) throw new Error("accepted");
      field = r.field;
    }
    return { ms: best, field };
  }
  const MB = 1_000_000;
  const cases: Array<[string, unknown, string]> = [
    ["a 1 MB cron string of stars", { cron: ["* ".repeat(MB / 2)] }, "spec.cron[0]"],
    ["a 1 MB cron string of commas", { cron: [`0 ${"1,".repeat(MB / 2)} * * *`] }, "spec.cron[0]"],
    [
      "a 1 MB cron string of ranges and steps",
      { cron: [`${"1-2/3,".repeat(MB / 6)} * * * *`] },
      "spec.cron[0]",
    ],
    [
      "a 1 MB calendar field",
      { calendars: [{ minute: "1,".repeat(MB / 2) }] },
      "spec.calendars[0].minute",
    ],
    [
      "a 1 MB skip field",
      { skip: [{ dayOfWeek: "MON-".repeat(MB / 4) }] },
      "spec.skip[0].dayOfWeek",
    ],
    ["a 1 MB time zone", { timezone: "A/".repeat(MB / 2) }, "spec.timezone"],
    ["a 1 MB startAt", { startAt: "2".repeat(MB) }, "spec.startAt"],
    ["a 1 MB jitter", { jitter: "9".repeat(MB) }, "spec.jitter"],
    ["a 1 MB interval", { intervals: [{ every: "1".repeat(MB) }] }, "spec.intervals[0].every"],
    ["a million cron strings", { cron: Array(MB).fill("0 * * * *") }, "spec.cron"],
    // Within the length limit: 128 commas and empty items, the parser's worst shape.
    [
      "255 characters of commas in a cron",
      { cron: [`0 ${",".repeat(247)} * * *`] },
      "spec.cron[0]",
    ],
    [
      "255 characters of commas in a calendar",
      { calendars: [{ hour: ",".repeat(255) }] },
      "spec.calendars[0].hour",
    ],
    [
      "a cron of 100 valid items then a bad one",
      { cron: [...Array(99).fill("0 0 * * *"), "0 0 31 2 *"] },
      "spec.cron[99]",
    ],
  ];
  for (const [name, input, field] of cases) {
    it(name, () => {
      const result = bestOf3(input);
      expect(result.field).toBe(field);
      expect(result.ms).toBeLessThan(50);
    });
  }

  it("255-character comma lists that are valid compile and run fast too", () => {
    const list = Array.from({ length: 120 }, (_, i) => i % 60)
      .join(",")
      .slice(0, 240);
    const items = list.slice(0, list.lastIndexOf(","));
    const s = spec({
      cron: [`${items} * * * *`],
      calendars: [{ minute: items, hour: "*", second: items }],
    });
    expect(s.input.cron).toHaveLength(1);
    expect(nominalTimesBetween(s, 0, 3_600_000, 10_000).length).toBeGreaterThan(60);
  });
});
