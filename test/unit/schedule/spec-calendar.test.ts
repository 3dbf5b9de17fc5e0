/**
 * Calendar specs (Temporal's structured calendars) and skip calendars: fields ANDed, names,
 * ranges, lists and steps, defaults, years, time zones across DST, and skips matched in local time.
 */
import { describe, expect, it } from "vitest";
import { between, next } from "./spec-helpers";

const weekdays9 = { hour: "9", minute: "0", dayOfWeek: "MON-FRI" };

describe("calendars", () => {
  it("weekdays at 09:00 Berlin, across both DST changes", () => {
    // 2026-03-27 is a Friday; 03-30 a Monday after the spring change.
    expect(
      next({ calendars: [weekdays9], timezone: "Europe/Berlin" }, "2026-03-27T00:00:00Z", 2),
    ).toEqual(["2026-03-27T08:00:00Z", "2026-03-30T07:00:00Z"]);
    expect(
      next({ calendars: [weekdays9], timezone: "Europe/Berlin" }, "2026-10-23T00:00:00Z", 2),
    ).toEqual(["2026-10-23T07:00:00Z", "2026-10-26T08:00:00Z"]);
  });

  it("America/New_York: a calendar time in the spring gap is shifted, a repeated one fires once", () => {
    const ny = (cal: object) => ({ calendars: [cal], timezone: "America/New_York" });
    expect(next(ny({ hour: "2", minute: "30" }), "2026-03-07T12:00:00Z", 2)).toEqual([
      "2026-03-08T07:30:00Z",
      "2026-03-09T06:30:00Z",
    ]);
    expect(
      between(ny({ hour: "1", minute: "*/30" }), "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"),
    ).toEqual(["2026-11-01T05:00:00Z", "2026-11-01T05:30:00Z"]);
  });

  it("Asia/Kolkata", () => {
    expect(
      next(
        { calendars: [{ hour: "9", minute: "30" }], timezone: "Asia/Kolkata" },
        "2026-01-01T00:00:00Z",
        1,
      ),
    ).toEqual(["2026-01-01T04:00:00Z"]);
  });

  it("day of month AND day of week (Friday the 13th), unlike cron", () => {
    expect(
      next({ calendars: [{ dayOfMonth: "13", dayOfWeek: "FRI" }] }, "2026-01-01T00:00:00Z", 3),
    ).toEqual(["2026-02-13T00:00:00Z", "2026-03-13T00:00:00Z", "2026-11-13T00:00:00Z"]);
  });

  it("omitted second, minute and hour are 0; the rest are *", () => {
    // 2026-01-05 is a Monday.
    expect(next({ calendars: [{ dayOfWeek: "MON" }] }, "2026-01-01T00:00:00Z", 2)).toEqual([
      "2026-01-05T00:00:00Z",
      "2026-01-12T00:00:00Z",
    ]);
    expect(next({ calendars: [{}] }, "2026-01-01T00:00:00Z", 2)).toEqual([
      "2026-01-02T00:00:00Z",
      "2026-01-03T00:00:00Z",
    ]);
  });

  it("names (short and long, any case), lists, ranges and steps", () => {
    expect(
      next({ calendars: [{ month: "JAN,jul", dayOfMonth: "1" }] }, "2026-01-02T00:00:00Z", 2),
    ).toEqual(["2026-07-01T00:00:00Z", "2027-01-01T00:00:00Z"]);
    expect(
      next(
        { calendars: [{ month: "December", dayOfMonth: "25", hour: "18" }] },
        "2026-01-01T00:00:00Z",
        1,
      ),
    ).toEqual(["2026-12-25T18:00:00Z"]);
    expect(next({ calendars: [{ hour: "8-18/5" }] }, "2026-01-01T00:00:00Z", 4)).toEqual([
      "2026-01-01T08:00:00Z",
      "2026-01-01T13:00:00Z",
      "2026-01-01T18:00:00Z",
      "2026-01-02T08:00:00Z",
    ]);
    expect(next({ calendars: [{ minute: "5/20", hour: "*" }] }, "2026-01-01T00:00:00Z", 4)).toEqual(
      [
        "2026-01-01T00:05:00Z",
        "2026-01-01T00:25:00Z",
        "2026-01-01T00:45:00Z",
        "2026-01-01T01:05:00Z",
      ],
    );
    expect(
      next({ calendars: [{ second: "*/20", minute: "*", hour: "*" }] }, "2026-01-01T00:00:00Z", 3),
    ).toEqual(["2026-01-01T00:00:20Z", "2026-01-01T00:00:40Z", "2026-01-01T00:01:00Z"]);
    expect(
      next({ calendars: [{ dayOfWeek: "Saturday-Sunday", hour: 10 }] }, "2026-01-01T00:00:00Z", 2),
    ).toEqual(["2026-01-03T10:00:00Z", "2026-01-04T10:00:00Z"]);
  });

  it("day of week 7 is Sunday, alone and at the end of a range", () => {
    expect(next({ calendars: [{ dayOfWeek: "7" }] }, "2026-01-01T00:00:00Z", 1)).toEqual([
      "2026-01-04T00:00:00Z",
    ]);
    expect(next({ calendars: [{ dayOfWeek: "5-7" }] }, "2026-01-01T00:00:00Z", 4)).toEqual([
      "2026-01-02T00:00:00Z",
      "2026-01-03T00:00:00Z",
      "2026-01-04T00:00:00Z",
      "2026-01-09T00:00:00Z",
    ]);
  });

  it("month ends and the leap day", () => {
    expect(next({ calendars: [{ dayOfMonth: "31" }] }, "2026-04-01T00:00:00Z", 2)).toEqual([
      "2026-05-31T00:00:00Z",
      "2026-07-31T00:00:00Z",
    ]);
    expect(
      next({ calendars: [{ month: "2", dayOfMonth: "29" }] }, "2026-01-01T00:00:00Z", 2),
    ).toEqual(["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"]);
  });

  it("years: a calendar limited to 2027 has times in 2027 only, then none", () => {
    const cal = { calendars: [{ year: "2027", month: "1", dayOfMonth: "1-2" }] };
    expect(next(cal, "2026-01-01T00:00:00Z", 3)).toEqual([
      "2027-01-01T00:00:00Z",
      "2027-01-02T00:00:00Z",
    ]);
    expect(next(cal, "2027-06-01T00:00:00Z", 1)).toEqual([]);
  });
});

describe("skip", () => {
  it("a skipped day: daily at midnight skips Christmas", () => {
    const s = { cron: ["0 0 * * *"], skip: [{ month: "12", dayOfMonth: "25" }] };
    expect(next(s, "2026-12-24T00:00:00Z", 2)).toEqual([
      "2026-12-26T00:00:00Z",
      "2026-12-27T00:00:00Z",
    ]);
  });

  it("omitted skip fields are *: the whole local day is skipped, in the spec's time zone", () => {
    const s = {
      cron: ["0 * * * *"],
      timezone: "Europe/Berlin",
      skip: [{ month: "DEC", dayOfMonth: "25" }],
    };
    expect(between(s, "2026-12-24T21:30:00Z", "2026-12-26T00:30:00Z")).toEqual([
      "2026-12-24T22:00:00Z", // 23:00 on the 24th, Berlin
      "2026-12-25T23:00:00Z", // 00:00 on the 26th, Berlin
      "2026-12-26T00:00:00Z",
    ]);
  });

  it("every second of a skipped day is passed at once (no second-by-second walk)", () => {
    const s = { cron: ["* * * * * *"], skip: [{ dayOfMonth: "25", month: "12" }] };
    expect(next(s, "2026-12-24T23:59:58Z", 2)).toEqual([
      "2026-12-24T23:59:59Z",
      "2026-12-26T00:00:00Z",
    ]);
    // A whole skipped year.
    expect(
      next({ cron: ["* * * * * *"], skip: [{ year: "2027" }] }, "2026-12-31T23:59:59Z", 1),
    ).toEqual(["2028-01-01T00:00:00Z"]);
  });

  it("skip with times: hours 12 and 13", () => {
    const s = { cron: ["0 * * * *"], skip: [{ hour: "12-13" }] };
    expect(next(s, "2026-01-01T10:30:00Z", 3)).toEqual([
      "2026-01-01T11:00:00Z",
      "2026-01-01T14:00:00Z",
      "2026-01-01T15:00:00Z",
    ]);
  });

  it("skips apply to intervals too (weekends skipped)", () => {
    // 2026-01-02 is a Friday.
    const s = { intervals: [{ every: "1h" }], skip: [{ dayOfWeek: "SAT,SUN" }] };
    expect(next(s, "2026-01-02T22:30:00Z", 2)).toEqual([
      "2026-01-02T23:00:00Z",
      "2026-01-05T00:00:00Z",
    ]);
  });

  it("skips apply to calendars, and several skips combine", () => {
    const s = {
      calendars: [weekdays9],
      timezone: "Europe/Berlin",
      skip: [
        { month: "12", dayOfMonth: "24-26" },
        { month: "1", dayOfMonth: "1" },
      ],
    };
    expect(next(s, "2026-12-22T12:00:00Z", 4)).toEqual([
      "2026-12-23T08:00:00Z",
      "2026-12-28T08:00:00Z",
      "2026-12-29T08:00:00Z",
      "2026-12-30T08:00:00Z",
    ]);
    expect(next(s, "2026-12-31T12:00:00Z", 1)).toEqual(["2027-01-04T08:00:00Z"]);
  });

  it("a shifted gap time is matched at the local time it fires (03:30), not 02:30", () => {
    const base = { cron: ["30 2 * * *"], timezone: "Europe/Berlin" };
    expect(next({ ...base, skip: [{ hour: "3" }] }, "2026-03-28T12:00:00Z", 1)).toEqual([
      "2026-03-30T00:30:00Z",
    ]);
    expect(next({ ...base, skip: [{ hour: "2" }] }, "2026-03-28T12:00:00Z", 1)).toEqual([
      "2026-03-29T01:30:00Z",
    ]);
  });
});
