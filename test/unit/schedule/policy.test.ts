/** @module The schedule's pure decisions (src/schedule/policy.ts): overlap, buffer release, due times. */
import { describe, expect, it } from "vitest";
import { OVERLAP_POLICIES } from "../../../sdk/common/schedule";
import {
  actionWorkflowId,
  acts,
  BUFFER_LIMIT,
  decideOverlap,
  dueTimes,
  nextActionTimes,
  pausesOnFailure,
  releasesBuffer,
} from "../../../src/schedule/policy";
import { compileSpec } from "../../../src/schedule/spec-api";

const MIN = 60_000;
const HOUR = 60 * MIN;

function everyMs(every: number) {
  const c = compileSpec({ intervals: [{ every }] });
  if (!c.ok) throw new Error(c.message);
  return c.spec;
}

describe("decideOverlap", () => {
  it("starts under every policy when nothing runs and nothing waits", () => {
    for (const p of OVERLAP_POLICIES) {
      expect(decideOverlap(p, { running: 0, buffered: 0 })).toEqual({ kind: "start" });
    }
  });

  it("follows Temporal's policy while one runs", () => {
    const busy = { running: 1, buffered: 0 };
    expect(decideOverlap("Skip", busy)).toEqual({ kind: "skip" });
    expect(decideOverlap("BufferOne", busy)).toEqual({ kind: "buffer", replaceBuffered: false });
    expect(decideOverlap("BufferOne", { running: 1, buffered: 1 })).toEqual({ kind: "skip" });
    expect(decideOverlap("BufferAll", { running: 1, buffered: 5 })).toEqual({
      kind: "buffer",
      replaceBuffered: false,
    });
    expect(decideOverlap("BufferAll", { running: 1, buffered: BUFFER_LIMIT })).toEqual({
      kind: "skip",
    });
    expect(decideOverlap("CancelOther", busy)).toEqual({
      kind: "buffer",
      replaceBuffered: true,
      endRunning: "cancel",
    });
    expect(decideOverlap("TerminateOther", { running: 2, buffered: 1 })).toEqual({
      kind: "buffer",
      replaceBuffered: true,
      endRunning: "terminate",
    });
    expect(decideOverlap("AllowAll", { running: 7, buffered: 0 })).toEqual({ kind: "start" });
  });

  it("queues behind waiting actions even when nothing runs (a paused schedule's buffer)", () => {
    expect(decideOverlap("Skip", { running: 0, buffered: 1 })).toEqual({ kind: "skip" });
    expect(decideOverlap("BufferAll", { running: 0, buffered: 1 }).kind).toBe("buffer");
  });
});

describe("releasesBuffer", () => {
  it("starts the oldest buffered action only when nothing runs and the schedule is not paused", () => {
    expect(releasesBuffer({ running: 0, buffered: 1, paused: false })).toBe(true);
    expect(releasesBuffer({ running: 1, buffered: 1, paused: false })).toBe(false);
    expect(releasesBuffer({ running: 0, buffered: 0, paused: false })).toBe(false);
    expect(releasesBuffer({ running: 0, buffered: 3, paused: true })).toBe(false);
  });
});

describe("dueTimes", () => {
  const spec = everyMs(MIN);
  const t0 = Date.UTC(2026, 0, 1, 12, 0, 30); // 30 s past a minute

  it("after 10 intervals of downtime with a window of 3, runs the last 3 in order and counts 7", () => {
    const due = dueTimes(spec, "s", t0, t0 + 10 * MIN, 3 * MIN);
    expect(due.missed).toBe(7);
    expect(due.due).toEqual([8, 9, 10].map((k) => t0 - 30_000 + k * MIN));
    expect(due.cursorMs).toBe(due.due[2]);
    expect(due.more).toBe(false);
  });

  it("takes nothing before the first nominal time, and exactly it at that time", () => {
    expect(dueTimes(spec, "s", t0, t0 + 29_999, HOUR).due).toEqual([]);
    expect(dueTimes(spec, "s", t0, t0 + 30_000, HOUR).due).toEqual([t0 + 30_000]);
  });

  it("is bounded per wake-up: the rest follows from the next one, nothing lost or repeated", () => {
    const limits = { maxActions: 4, maxMissed: 5 };
    const seen: number[] = [];
    let missed = 0;
    let cursor = t0;
    const now = t0 + 20 * MIN;
    for (let i = 0; i < 20; i++) {
      const d = dueTimes(spec, "s", cursor, now, 12 * MIN, limits);
      seen.push(...d.due);
      missed += d.missed;
      cursor = d.cursorMs;
      if (!d.more) break;
    }
    expect(missed).toBe(8);
    expect(seen).toEqual(Array.from({ length: 12 }, (_, k) => t0 - 30_000 + (k + 9) * MIN));
  });

  it("a window longer than the downtime misses nothing", () => {
    const d = dueTimes(spec, "s", t0, t0 + 5 * MIN, HOUR);
    expect(d.missed).toBe(0);
    expect(d.due).toHaveLength(5);
  });
});

describe("helpers", () => {
  it("nextActionTimes lists the next times after the cursor", () => {
    const times = nextActionTimes(everyMs(HOUR), "s", Date.UTC(2026, 0, 1, 0, 10), 3);
    expect(times.map((t) => new Date(t.nominalMs).toISOString())).toEqual([
      "2026-01-01T01:00:00.000Z",
      "2026-01-01T02:00:00.000Z",
      "2026-01-01T03:00:00.000Z",
    ]);
  });

  it("acts only unpaused and with actions left", () => {
    expect(acts({ paused: false, remainingActions: null })).toBe(true);
    expect(acts({ paused: true, remainingActions: null })).toBe(false);
    expect(acts({ paused: false, remainingActions: 0 })).toBe(false);
    expect(acts({ paused: false, remainingActions: 1 })).toBe(true);
  });

  it("names workflows <prefix>-<nominal time ISO> and pauses on Failed and TimedOut only", () => {
    expect(actionWorkflowId("report", Date.UTC(2026, 11, 1, 2))).toBe(
      "report-2026-12-01T02:00:00.000Z",
    );
    expect(
      ["Failed", "TimedOut", "Completed", "Canceled", "Terminated"].map(pausesOnFailure),
    ).toEqual([true, true, false, false, false]);
  });
});
