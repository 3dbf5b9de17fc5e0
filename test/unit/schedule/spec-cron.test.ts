/**
 * Cron strings: next times in UTC, Europe/Berlin, America/New_York and Asia/Kolkata, both DST
 * changes of Berlin (2026-03-29, 2026-10-25) and New York (2026-03-08, 2026-11-01), month ends,
 * leap days, shorthands and 6-field (seconds) strings.
 */
import { describe, expect, it } from "vitest";
import { between, next } from "./spec-helpers";

const berlin = (cron: string) => ({ cron: [cron], timezone: "Europe/Berlin" });
const newYork = (cron: string) => ({ cron: [cron], timezone: "America/New_York" });

describe("cron in UTC", () => {
  it("5-field: daily at 02:00", () => {
    expect(next({ cron: ["0 2 * * *"] }, "2026-01-01T00:00:00Z", 2)).toEqual([
      "2026-01-01T02:00:00Z",
      "2026-01-02T02:00:00Z",
    ]);
  });

  it("is strictly after: a matching afterMs is not returned again", () => {
    expect(next({ cron: ["0 2 * * *"] }, "2026-01-01T02:00:00Z", 1)).toEqual([
      "2026-01-02T02:00:00Z",
    ]);
    expect(next({ cron: ["0 2 * * *"] }, "2026-01-01T01:59:59.999Z", 1)).toEqual([
      "2026-01-01T02:00:00Z",
    ]);
  });

  it("6-field: the first field is seconds", () => {
    expect(next({ cron: ["*/10 * * * * *"] }, "2026-01-01T00:00:05Z", 3)).toEqual([
      "2026-01-01T00:00:10Z",
      "2026-01-01T00:00:20Z",
      "2026-01-01T00:00:30Z",
    ]);
    expect(next({ cron: ["30 15 10 * * *"] }, "2026-01-01T00:00:00Z", 1)).toEqual([
      "2026-01-01T10:15:30Z",
    ]);
  });

  it("shorthands (2026-01-01 is a Thursday)", () => {
    const after = "2026-01-01T00:30:00Z";
    expect(next({ cron: ["@hourly"] }, after, 1)).toEqual(["2026-01-01T01:00:00Z"]);
    expect(next({ cron: ["@daily"] }, after, 1)).toEqual(["2026-01-02T00:00:00Z"]);
    expect(next({ cron: ["@midnight"] }, after, 1)).toEqual(["2026-01-02T00:00:00Z"]);
    expect(next({ cron: ["@weekly"] }, after, 1)).toEqual(["2026-01-04T00:00:00Z"]);
    expect(next({ cron: ["@monthly"] }, after, 1)).toEqual(["2026-02-01T00:00:00Z"]);
    expect(next({ cron: ["@yearly"] }, after, 1)).toEqual(["2027-01-01T00:00:00Z"]);
    expect(next({ cron: ["@annually"] }, after, 1)).toEqual(["2027-01-01T00:00:00Z"]);
    expect(next({ cron: ["@DAILY"] }, after, 1)).toEqual(["2026-01-02T00:00:00Z"]);
  });

  it("day of month OR day of week when both are restricted (Vixie cron)", () => {
    // 2026-01-02 and 01-09 are Fridays; the 13th is a Tuesday.
    expect(next({ cron: ["0 0 13 * FRI"] }, "2026-01-01T00:00:00Z", 3)).toEqual([
      "2026-01-02T00:00:00Z",
      "2026-01-09T00:00:00Z",
      "2026-01-13T00:00:00Z",
    ]);
  });

  it("month ends: the 31st skips 30-day months, the 30th skips February", () => {
    expect(next({ cron: ["0 0 31 * *"] }, "2026-04-01T00:00:00Z", 3)).toEqual([
      "2026-05-31T00:00:00Z",
      "2026-07-31T00:00:00Z",
      "2026-08-31T00:00:00Z",
    ]);
    expect(next({ cron: ["0 12 30 * *"] }, "2026-01-30T12:00:00Z", 1)).toEqual([
      "2026-03-30T12:00:00Z",
    ]);
    // croner's L: the last day of the month, whatever its length.
    expect(next({ cron: ["0 0 L * *"] }, "2026-01-31T00:00:00Z", 2)).toEqual([
      "2026-02-28T00:00:00Z",
      "2026-03-31T00:00:00Z",
    ]);
    expect(next({ cron: ["0 0 L 2 *"] }, "2027-03-01T00:00:00Z", 1)).toEqual([
      "2028-02-29T00:00:00Z",
    ]);
  });

  it("leap day: 0 0 29 2 * fires on 2028-02-29, then 2032-02-29", () => {
    expect(next({ cron: ["0 0 29 2 *"] }, "2026-01-01T00:00:00Z", 2)).toEqual([
      "2028-02-29T00:00:00Z",
      "2032-02-29T00:00:00Z",
    ]);
  });
});

describe("cron in a time zone", () => {
  it("Asia/Kolkata (+05:30, no DST)", () => {
    expect(
      next({ cron: ["0 9 * * *"], timezone: "Asia/Kolkata" }, "2026-01-01T00:00:00Z", 2),
    ).toEqual(["2026-01-01T03:30:00Z", "2026-01-02T03:30:00Z"]);
    expect(
      next({ cron: ["0 0 * * *"], timezone: "Asia/Kolkata" }, "2026-06-30T12:00:00Z", 1),
    ).toEqual(["2026-06-30T18:30:00Z"]);
  });

  it("Europe/Berlin: 09:00 local is 08:00Z in winter and 07:00Z in summer", () => {
    expect(next(berlin("0 9 * * *"), "2026-03-27T12:00:00Z", 3)).toEqual([
      "2026-03-28T08:00:00Z",
      "2026-03-29T07:00:00Z",
      "2026-03-30T07:00:00Z",
    ]);
    expect(next(berlin("0 9 * * *"), "2026-10-24T12:00:00Z", 2)).toEqual([
      "2026-10-25T08:00:00Z",
      "2026-10-26T08:00:00Z",
    ]);
  });

  it("Berlin spring forward (2026-03-29 02:00 → 03:00): 02:30 does not exist, fires once at 03:30 CEST", () => {
    expect(next(berlin("30 2 * * *"), "2026-03-28T00:00:00Z", 3)).toEqual([
      "2026-03-28T01:30:00Z", // 02:30 CET
      "2026-03-29T01:30:00Z", // 02:30 moved by the gap: 03:30 CEST
      "2026-03-30T00:30:00Z", // 02:30 CEST
    ]);
    // A list in the gap: each time moved by the gap, 02:00 → 03:00 and 02:30 → 03:30.
    expect(between(berlin("0,30 2 * * *"), "2026-03-28T12:00:00Z", "2026-03-30T12:00:00Z")).toEqual(
      [
        "2026-03-29T01:00:00Z",
        "2026-03-29T01:30:00Z",
        "2026-03-30T00:00:00Z",
        "2026-03-30T00:30:00Z",
      ],
    );
  });

  it("Berlin spring forward: every 15 minutes runs on without duplicates (shifted gap times coincide)", () => {
    expect(between(berlin("*/15 * * * *"), "2026-03-29T00:30:00Z", "2026-03-29T01:30:00Z")).toEqual(
      [
        "2026-03-29T00:45:00Z", // 01:45 CET
        "2026-03-29T01:00:00Z", // 03:00 CEST (and 02:00 moved by the gap)
        "2026-03-29T01:15:00Z",
        "2026-03-29T01:30:00Z",
      ],
    );
  });

  it("Berlin spring forward: a shifted gap time and a later real time come out in time order", () => {
    // 02:30 (gap) is 03:30 CEST, after 03:10 CEST although its wall time is earlier.
    expect(
      next(
        { cron: ["30 2 * * *", "10 3 * * *"], timezone: "Europe/Berlin" },
        "2026-03-29T00:00:00Z",
        2,
      ),
    ).toEqual(["2026-03-29T01:10:00Z", "2026-03-29T01:30:00Z"]);
    // Asked from just after the jump, the shifted time is still ahead.
    expect(next(berlin("30 2 * * *"), "2026-03-29T01:00:00Z", 1)).toEqual(["2026-03-29T01:30:00Z"]);
    expect(next(berlin("30 2 * * *"), "2026-03-29T01:30:00Z", 1)).toEqual(["2026-03-30T00:30:00Z"]);
  });

  it("Berlin fall back (2026-10-25 03:00 → 02:00): 02:30 happens twice, fires once, the first time", () => {
    expect(next(berlin("30 2 * * *"), "2026-10-24T00:00:00Z", 3)).toEqual([
      "2026-10-24T00:30:00Z", // 02:30 CEST
      "2026-10-25T00:30:00Z", // the first 02:30 (CEST), not the second (01:30Z, CET)
      "2026-10-26T01:30:00Z", // 02:30 CET
    ]);
  });

  it("Berlin fall back: every 30 minutes does not repeat the repeated hour", () => {
    expect(between(berlin("*/30 * * * *"), "2026-10-24T23:40:00Z", "2026-10-25T02:30:00Z")).toEqual(
      [
        "2026-10-25T00:00:00Z", // 02:00 CEST
        "2026-10-25T00:30:00Z", // 02:30 CEST
        // 02:00 and 02:30 CET (01:00Z, 01:30Z) repeat local times that already fired
        "2026-10-25T02:00:00Z", // 03:00 CET
        "2026-10-25T02:30:00Z",
      ],
    );
    // Asked from inside the second pass, the next time is after it.
    expect(next(berlin("*/15 * * * *"), "2026-10-25T01:10:00Z", 1)).toEqual([
      "2026-10-25T02:00:00Z",
    ]);
  });

  it("New York spring forward (2026-03-08 02:00 → 03:00): 02:30 fires at 03:30 EDT", () => {
    expect(next(newYork("30 2 * * *"), "2026-03-07T12:00:00Z", 2)).toEqual([
      "2026-03-08T07:30:00Z", // 03:30 EDT
      "2026-03-09T06:30:00Z", // 02:30 EDT
    ]);
    expect(next(newYork("0 9 * * *"), "2026-03-06T12:00:00Z", 3)).toEqual([
      "2026-03-06T14:00:00Z",
      "2026-03-07T14:00:00Z",
      "2026-03-08T13:00:00Z",
    ]);
  });

  it("New York fall back (2026-11-01 02:00 → 01:00): 01:30 fires once, at 01:30 EDT", () => {
    expect(between(newYork("30 1 * * *"), "2026-10-31T12:00:00Z", "2026-11-02T12:00:00Z")).toEqual([
      "2026-11-01T05:30:00Z", // 01:30 EDT
      "2026-11-02T06:30:00Z", // 01:30 EST
    ]);
    expect(
      between(newYork("*/15 * * * *"), "2026-11-01T04:59:59Z", "2026-11-01T07:00:00Z"),
    ).toEqual([
      "2026-11-01T05:00:00Z",
      "2026-11-01T05:15:00Z",
      "2026-11-01T05:30:00Z",
      "2026-11-01T05:45:00Z",
      "2026-11-01T07:00:00Z", // 02:00 EST; 01:00–01:45 EST repeat local times
    ]);
  });
});
