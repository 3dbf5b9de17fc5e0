/**
 * Intervals (epoch-aligned, with offsets, regardless of the time zone), startAt/endAt bounds
 * (both inclusive), unions of several specs without duplicates, jitter and descriptions.
 */
import { describe, expect, it } from "vitest";
import { describeSpec, jitterMs, nextNominalTime } from "../../../src/schedule/spec";
import { between, ms, next, spec } from "./spec-helpers";

describe("intervals", () => {
  it("every 15 minutes, offset 2 minutes, from the Unix epoch", () => {
    expect(
      next({ intervals: [{ every: "15m", offset: "2m" }] }, "2026-01-01T00:00:00Z", 3),
    ).toEqual(["2026-01-01T00:02:00Z", "2026-01-01T00:17:00Z", "2026-01-01T00:32:00Z"]);
  });

  it("numbers are milliseconds", () => {
    expect(
      next({ intervals: [{ every: 90_000, offset: 1000 }] }, "2026-01-01T00:00:00Z", 2),
    ).toEqual(["2026-01-01T00:00:01Z", "2026-01-01T00:01:31Z"]);
  });

  it("aligned to the epoch, not to the time zone: every day is 00:00 UTC, also in Berlin and Kolkata", () => {
    for (const timezone of ["UTC", "Europe/Berlin", "Asia/Kolkata", "America/New_York"]) {
      expect(next({ intervals: [{ every: "1d" }], timezone }, "2026-03-28T12:00:00Z", 3)).toEqual([
        "2026-03-29T00:00:00Z",
        "2026-03-30T00:00:00Z",
        "2026-03-31T00:00:00Z",
      ]);
    }
  });

  it("an interval is real elapsed time across DST changes (every hour stays hourly)", () => {
    expect(
      between(
        { intervals: [{ every: "1h" }], timezone: "Europe/Berlin" },
        "2026-10-24T23:30:00Z",
        "2026-10-25T02:30:00Z",
      ),
    ).toEqual(["2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z", "2026-10-25T02:00:00Z"]);
  });

  it("a week interval from the epoch falls on Thursdays (1970-01-01 was a Thursday)", () => {
    expect(next({ intervals: [{ every: "1w" }] }, "2026-01-03T00:00:00Z", 1)).toEqual([
      "2026-01-08T00:00:00Z",
    ]);
  });
});

describe("startAt and endAt", () => {
  const hourly = { intervals: [{ every: "1h" }] };

  it("startAt is inclusive; nothing before it", () => {
    expect(next({ ...hourly, startAt: "2026-01-01T05:00:00Z" }, "2026-01-01T00:00:00Z", 1)).toEqual(
      ["2026-01-01T05:00:00Z"],
    );
    expect(next({ ...hourly, startAt: "2026-01-01T05:30:00Z" }, "2026-01-01T00:00:00Z", 1)).toEqual(
      ["2026-01-01T06:00:00Z"],
    );
    expect(
      next({ cron: ["0 5 * * *"], startAt: "2026-01-01T05:00:00.500Z" }, "2026-01-01T00:00:00Z", 1),
    ).toEqual(["2026-01-02T05:00:00Z"]);
    expect(
      next({ ...hourly, startAt: "2026-01-01T07:00:00+02:00" }, "2026-01-01T00:00:00Z", 1),
    ).toEqual(["2026-01-01T05:00:00Z"]);
  });

  it("endAt is inclusive; then null", () => {
    const s = { ...hourly, startAt: "2026-01-01T05:30:00Z", endAt: "2026-01-01T08:00:00Z" };
    expect(between(s, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z")).toEqual([
      "2026-01-01T06:00:00Z",
      "2026-01-01T07:00:00Z",
      "2026-01-01T08:00:00Z",
    ]);
    expect(nextNominalTime(spec(s), ms("2026-01-01T08:00:00Z"))).toBeNull();
    expect(nextNominalTime(spec(s), ms("2030-01-01T00:00:00Z"))).toBeNull();
  });

  it("startAt equal to endAt is one instant", () => {
    const s = {
      cron: ["* * * * *"],
      startAt: "2026-01-01T05:00:00Z",
      endAt: "2026-01-01T05:00:00Z",
    };
    expect(next(s, "2026-01-01T00:00:00Z", 3)).toEqual(["2026-01-01T05:00:00Z"]);
  });

  it("null bounds are no bounds", () => {
    expect(next({ ...hourly, startAt: null, endAt: null }, "2026-01-01T00:00:00Z", 1)).toEqual([
      "2026-01-01T01:00:00Z",
    ]);
  });

  it("a spec with no cron, calendar or interval has no times (trigger and backfill only)", () => {
    expect(nextNominalTime(spec({}), 0)).toBeNull();
    expect(describeSpec(spec({}))).toBe("no automatic times (trigger and backfill only)");
  });
});

describe("union", () => {
  it("the same times from cron, a calendar and an interval come out once", () => {
    const s = {
      cron: ["0 * * * *", "0 */2 * * *"],
      calendars: [{ minute: "0", hour: "*" }],
      intervals: [{ every: "1h" }, { every: "20m" }],
    };
    expect(between(s, "2026-01-01T00:00:00Z", "2026-01-01T02:00:00Z")).toEqual([
      "2026-01-01T00:20:00Z",
      "2026-01-01T00:40:00Z",
      "2026-01-01T01:00:00Z",
      "2026-01-01T01:20:00Z",
      "2026-01-01T01:40:00Z",
      "2026-01-01T02:00:00Z",
    ]);
  });

  it("a shifted gap time and the real time it lands on come out once", () => {
    const s = { cron: ["30 2 * * *", "30 3 * * *"], timezone: "Europe/Berlin" };
    expect(between(s, "2026-03-29T00:00:00Z", "2026-03-29T12:00:00Z")).toEqual([
      "2026-03-29T01:30:00Z",
    ]);
  });

  it("max caps the list", () => {
    expect(
      between({ cron: ["* * * * * *"] }, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", 5),
    ).toHaveLength(5);
    expect(
      between({ cron: ["* * * * * *"] }, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", 0),
    ).toEqual([]);
  });
});

describe("jitter", () => {
  it("is 0 without jitter", () => {
    expect(jitterMs(spec({ cron: ["* * * * *"] }), "s", ms("2026-01-01T00:00:00Z"))).toBe(0);
  });

  it("is within [0, jitter), fixed per (schedule, nominal time)", () => {
    const s = spec({ cron: ["0 * * * *"], jitter: "30s" });
    const t = ms("2026-01-01T05:00:00Z");
    const j = jitterMs(s, "nightly", t);
    expect(j).toBeGreaterThanOrEqual(0);
    expect(j).toBeLessThan(30_000);
    expect(Number.isInteger(j)).toBe(true);
    expect(jitterMs(spec({ cron: ["0 * * * *"], jitter: "30s" }), "nightly", t)).toBe(j);
  });

  it("never reaches the next nominal time (jitter 1h on a per-minute schedule stays under 1 minute)", () => {
    const s = spec({ cron: ["* * * * *"], jitter: "1h" });
    for (let i = 0; i < 200; i++) {
      expect(jitterMs(s, "s", ms("2026-01-01T00:00:00Z") + i * 60_000)).toBeLessThan(60_000);
    }
  });
});

describe("describeSpec", () => {
  it("says the spec in words", () => {
    expect(describeSpec(spec({ intervals: [{ every: "15m", offset: "2m" }] }))).toBe(
      "every 15 minutes (offset 2m)",
    );
    expect(describeSpec(spec({ intervals: [{ every: "1h" }] }))).toBe("every hour");
    expect(describeSpec(spec({ intervals: [{ every: 90_000 }] }))).toBe("every 90 seconds");
    expect(describeSpec(spec({ cron: ["0 2 * * *"], timezone: "Europe/Berlin" }))).toBe(
      "cron 0 2 * * * (Europe/Berlin)",
    );
    expect(
      describeSpec(
        spec({
          calendars: [{ hour: "9", minute: "0", dayOfWeek: "MON-FRI", comment: "office hours" }],
          skip: [{ month: "12", dayOfMonth: "25" }],
          startAt: "2026-12-01T00:00:00Z",
          endAt: "2027-12-01T00:00:00Z",
          jitter: "30s",
        }),
      ),
    ).toBe(
      'calendar minute=0 hour=9 dayOfWeek=MON-FRI "office hours" (UTC); except dayOfMonth=25 month=12; from 2026-12-01T00:00:00Z; until 2027-12-01T00:00:00Z; jitter up to 30s',
    );
  });

  it("keeps the validated input, known keys only, to store and recompile", () => {
    const input = {
      cron: ["0 2 * * *"],
      intervals: [{ every: "15m", offset: "2m" }],
      timezone: "Europe/Berlin",
      jitter: "30s",
    };
    const s = spec(input);
    expect(s.input).toEqual(input);
    expect(spec(s.input).input).toEqual(input);
    expect(spec({ cron: null, startAt: null }).input).toEqual({});
  });
});
