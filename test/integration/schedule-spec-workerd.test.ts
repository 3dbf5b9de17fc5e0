/**
 * The schedule spec engine inside workerd (croner and Intl time zones as the Worker runtime has
 * them): the same DST answers as in Node, and a malformed cron refused by field.
 */
import { describe, expect, it } from "vitest";
import {
  compileSpec,
  jitterMs,
  nextNominalTime,
  nominalTimesBetween,
} from "../../src/schedule/spec";

const iso = (ms: number) => new Date(ms).toISOString();

describe("schedule specs in workerd", () => {
  it("cron and calendars across the Berlin and New York DST changes", () => {
    const berlin = compileSpec({ cron: ["30 2 * * *"], timezone: "Europe/Berlin" });
    const ny = compileSpec({
      calendars: [{ hour: "1", minute: "30" }],
      timezone: "America/New_York",
    });
    if (!berlin.ok || !ny.ok) throw new Error("refused");
    expect(
      nominalTimesBetween(
        berlin.spec,
        Date.parse("2026-03-28T00:00:00Z"),
        Date.parse("2026-03-30T12:00:00Z"),
        10,
      ).map(iso),
    ).toEqual(["2026-03-28T01:30:00.000Z", "2026-03-29T01:30:00.000Z", "2026-03-30T00:30:00.000Z"]);
    expect(
      nominalTimesBetween(
        berlin.spec,
        Date.parse("2026-10-24T12:00:00Z"),
        Date.parse("2026-10-26T12:00:00Z"),
        10,
      ).map(iso),
    ).toEqual(["2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z"]);
    expect(
      nominalTimesBetween(
        ny.spec,
        Date.parse("2026-10-31T12:00:00Z"),
        Date.parse("2026-11-02T12:00:00Z"),
        10,
      ).map(iso),
    ).toEqual(["2026-11-01T05:30:00.000Z", "2026-11-02T06:30:00.000Z"]);
  });

  it("intervals, jitter and refusals", () => {
    const s = compileSpec({
      intervals: [{ every: "15m", offset: "2m" }],
      jitter: "30s",
      timezone: "Asia/Kolkata",
    });
    if (!s.ok) throw new Error("refused");
    const t = nextNominalTime(s.spec, Date.parse("2026-01-01T00:00:00Z"));
    expect(t === null ? null : iso(t)).toBe("2026-01-01T00:02:00.000Z");
    const j = jitterMs(s.spec, "report", t ?? 0);
    expect(j).toBeGreaterThanOrEqual(0);
    expect(j).toBeLessThan(30_000);
    expect(compileSpec({ cron: ["61 * * * *"] })).toMatchObject({
      ok: false,
      field: "spec.cron[0]",
    });
    expect(compileSpec({ timezone: "Mars/Base" })).toMatchObject({
      ok: false,
      field: "spec.timezone",
    });
  });
});
