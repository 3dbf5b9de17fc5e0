/**
 * Starting a queued attempt (issue 14: the first step of a workflow) deletes only the timer rows
 * the attempt can have: none for a row of schema 6 without a schedule-to-start timeout (was two
 * DELETEs matching nothing); schedule-to-start when configured; the lease's timer row only on a
 * row written before schema 6, whose lease was a timer row.
 */
import { describe, expect, it } from "vitest";
import { resolveRetryPolicy } from "../../../sdk/common/retry-policy";
import { schedule, start } from "../../../src/execution/activity/state";
import type { ActivityRow } from "../../../src/execution/rows";
import type { ActivityOptionsMs } from "../../../src/history/events";

const T0 = 1_000_000;
const retry = resolveRetryPolicy({ initialInterval: 1000, maximumAttempts: 3 });

function queued(options: Partial<ActivityOptionsMs>, over: Partial<ActivityRow> = {}): ActivityRow {
  const cmd = {
    type: "ScheduleActivity" as const,
    seq: 1,
    activityId: "1",
    activityType: "echo",
    input: "0",
    options: { taskQueue: "q", retry, ...options },
  };
  return { ...schedule("r1", cmd, T0).row, ...over };
}

const deletes = (act: ActivityRow) =>
  start(act, T0 + 5, "m")
    .effects.filter((e) => e.op === "deleteTimer")
    .map((e) => (e.op === "deleteTimer" ? e.purpose : ""));

describe("starting a queued attempt", () => {
  it("deletes no timer row when its lease is on the row and it has no schedule-to-start", () => {
    expect(deletes(queued({ startToCloseTimeoutMs: 10_000 }))).toEqual([]);
  });

  it("deletes the schedule-to-start timer when it has one", () => {
    expect(deletes(queued({ scheduleToStartTimeoutMs: 5_000 }))).toEqual(["ScheduleToStart"]);
  });

  it("deletes the lease's timer row of a row from before schema 6", () => {
    expect(deletes(queued({ scheduleToStartTimeoutMs: 5_000 }, { deadline_ms: null }))).toEqual([
      "ScheduleToStart",
      "Redispatch",
    ]);
    expect(deletes(queued({}, { deadline_ms: null }))).toEqual(["Redispatch"]);
  });
});
