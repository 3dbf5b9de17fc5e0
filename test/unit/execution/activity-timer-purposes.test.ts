import { describe, expect, it } from "vitest";
import { timerPurposesOf } from "../../../src/execution/activity/state";
import type { ActivityState } from "../../../src/execution/rows";

const act = (state: ActivityState, options: object, deadline_ms: number | null = 1) => ({
  state,
  options: JSON.stringify({ taskQueue: "q", ...options }),
  deadline_ms,
});

describe("which timer rows deleting an activity must delete", () => {
  it("none for a started step whose deadlines are on its row (the common step: no statement)", () => {
    expect(timerPurposesOf(act("Started", { startToCloseTimeoutMs: 10_000 }))).toEqual([]);
  });

  it("each configured timeout, the retry while backing off", () => {
    expect(
      timerPurposesOf(
        act("Backoff", {
          scheduleToCloseTimeoutMs: 1,
          scheduleToStartTimeoutMs: 1,
          heartbeatTimeoutMs: 1,
        }),
      ),
    ).toEqual(["ScheduleToClose", "ScheduleToStart", "Heartbeat", "Retry"]);
  });

  it("a row from before schema 6 (no deadline column value): its lease or start-to-close timer row", () => {
    expect(timerPurposesOf(act("Started", { startToCloseTimeoutMs: 1 }, null))).toEqual([
      "StartToClose",
    ]);
    expect(timerPurposesOf(act("Scheduled", {}, null))).toEqual(["Redispatch"]);
    expect(timerPurposesOf({ state: "Scheduled", options: '{"taskQueue":"q"}' })).toEqual([
      "Redispatch",
    ]);
  });
});
