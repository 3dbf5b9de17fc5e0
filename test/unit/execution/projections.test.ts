import { describe, expect, it } from "vitest";
import {
  describedSearchAttributes,
  description,
  parentOf,
  resultBody,
} from "../../../src/execution/describe";
import { stringifyWithRaw } from "../../../src/execution/raw-json";
import type { ActivityRow, ChildRow, RunRow, TimerRow } from "../../../src/execution/rows";
import {
  ACTIVITY_TIMER_PURPOSES,
  activityTimerKeys,
  mustRearm,
  nextAlarmAt,
  timerKey,
} from "../../../src/execution/timer-keys";
import { visibilityRow, visibilityVersion } from "../../../src/visibility/row";

const T0 = Date.UTC(2026, 0, 1);
/** What goes on the wire: stored payloads are spliced in as their text (rawJson). */
const wire = <T>(value: T): T => JSON.parse(stringifyWithRaw(value)) as T;

function run(over: Partial<RunRow> = {}): RunRow {
  return {
    run_id: "r1",
    run_no: 1,
    workflow_type: "wf",
    task_queue: "default",
    status: "Running",
    start_ms: T0,
    close_ms: null,
    result: null,
    failure: null,
    next_run_id: null,
    history_length: 3,
    next_task_id: 2,
    wft_attempt: 0,
    wft_failure: null,
    attempt: 1,
    memo: null,
    search_attributes: null,
    parent: null,
    cancel_requested: 0,
    ...over,
  };
}

const activity: ActivityRow = {
  run_id: "r1",
  seq: 2,
  activity_id: "2",
  activity_type: "charge",
  input: "[1]",
  options: "{}",
  attempt: 3,
  state: "Backoff",
  first_scheduled_ms: T0,
  scheduled_ms: T0 + 1000,
  started_ms: null,
  last_failure: JSON.stringify({ message: "boom", type: "Error" }),
  heartbeat_details: '{"at":5}',
  last_heartbeat_ms: T0 + 1500,
  next_attempt_ms: T0 + 4000,
  last_attempt_ms: T0 + 2000,
  started_by: null,
};

describe("describe projection", () => {
  it("projects the run, its pending activities, timers, children and deliveries", () => {
    const timer: TimerRow = {
      key: "timer:r1:4",
      run_id: "r1",
      kind: "timer",
      fire_at_ms: T0 + 9000,
      data: "4",
    };
    const child: ChildRow = {
      run_id: "r1",
      seq: 5,
      workflow_id: "kid",
      workflow_type: "childWf",
      child_run_id: null,
      state: "Initiated",
      parent_close_policy: "Abandon",
    };
    const d = wire(
      description({
        workflowId: "w",
        run: run({
          memo: '{"a":1}',
          parent: JSON.stringify({ namespace: "default", workflowId: "p", runId: "pr", seq: 1 }),
          wft_attempt: 2,
          wft_failure: JSON.stringify({ message: "bad", type: "Error", stack: "s" }),
        }),
        activities: [activity],
        timers: [timer],
        children: [child],
        pendingDeliveries: [],
      }),
    );
    expect(d).toMatchObject({
      workflowId: "w",
      runId: "r1",
      status: "Running",
      startTime: new Date(T0).toISOString(),
      closeTime: null,
      historyLength: 3,
      memo: { a: 1 },
      searchAttributes: {},
      parent: { workflowId: "p", runId: "pr" },
      workflowTaskFailure: { message: "bad", type: "Error", attempt: 2 },
      pendingTimers: [{ timerId: "4", fireTime: new Date(T0 + 9000).toISOString() }],
      pendingChildren: [
        {
          workflowId: "kid",
          runId: null,
          workflowType: "childWf",
          state: "Initiated",
          parentClosePolicy: "Abandon",
        },
      ],
    });
    expect(d.pendingActivities).toEqual([
      {
        activityId: "2",
        activityType: "charge",
        attempt: 3,
        state: "Backoff",
        lastFailure: { message: "boom", type: "Error" },
        lastHeartbeat: { time: new Date(T0 + 1500).toISOString(), details: { at: 5 } },
        scheduledTime: new Date(T0 + 1000).toISOString(),
        nextAttemptTime: new Date(T0 + 4000).toISOString(),
        lastAttemptCompleteTime: new Date(T0 + 2000).toISOString(),
      },
    ]);
  });

  it("answers results: completed, failed without stacks, timed out, terminated with its reason", () => {
    expect(wire(resultBody(run({ status: "Completed", result: '{"x":1}' })))).toEqual({
      status: "Completed",
      result: { x: 1 },
      runId: "r1",
    });
    const failed = resultBody(
      run({ status: "Failed", failure: JSON.stringify({ message: "m", type: "E", stack: "at" }) }),
    );
    expect(failed).toEqual({ status: "Failed", failure: { message: "m", type: "E" }, runId: "r1" });
    expect(resultBody(run({ status: "TimedOut" }))).toMatchObject({
      failure: { message: "Workflow timed out", type: "TimeoutFailure" },
    });
    expect(resultBody(run({ status: "Terminated" }), "by ops")).toMatchObject({
      failure: { message: "Workflow terminated: by ops", type: "TerminatedFailure" },
    });
    expect(resultBody(run({ status: "Canceled" }))).toMatchObject({
      failure: { message: "Workflow Canceled", type: "Canceled" },
    });
  });

  it("shows search attributes as plain values and keeps unvalidated ones as given", () => {
    expect(describedSearchAttributes(null)).toEqual({});
    expect(describedSearchAttributes('{"CustomerId":"c-7"}')).toEqual({ CustomerId: "c-7" });
    expect(parentOf({ parent: null })).toBeNull();
  });
});

describe("visibility row", () => {
  it("versions rows by history length, a closed row above a running one of the same length", () => {
    expect(visibilityVersion(5, "Running")).toBe(20);
    expect(visibilityVersion(5, "Completed")).toBe(22);
    expect(visibilityVersion(6, "Running")).toBeGreaterThan(visibilityVersion(5, "Failed"));
  });

  it("projects the run with the events about to be appended", () => {
    const row = visibilityRow(
      { namespace: "ns", workflowId: "w" },
      run({
        status: "Completed",
        close_ms: T0 + 5,
        memo: '"m"',
        search_attributes: '{"Bad Name":1}',
      }),
      2,
    );
    expect(row).toMatchObject({
      namespace: "ns",
      workflowId: "w",
      runId: "r1",
      status: "Completed",
      closeTime: new Date(T0 + 5).toISOString(),
      historyLength: 5,
      memo: "m",
      searchAttributes: {}, // not storable: left out of the index
      parent: null,
      version: 22,
    });
  });
});

describe("timer keys and the alarm", () => {
  it("builds one key per timer; an activity's keys cover every purpose", () => {
    expect(timerKey.user("r", 3)).toBe("timer:r:3");
    expect(timerKey.wft("r")).toBe("wft:r");
    expect(timerKey.runTimeout("r")).toBe("run-timeout:r");
    expect(timerKey.execTimeout("r")).toBe("exec-timeout:r");
    expect(timerKey.activity({ run_id: "r", seq: 2 }, "Heartbeat")).toBe("act:r:2:Heartbeat");
    const keys = activityTimerKeys({ run_id: "r", seq: 2 });
    expect(keys).toHaveLength(ACTIVITY_TIMER_PURPOSES.length);
    expect(new Set(keys).size).toBe(6);
    expect(keys).not.toContain(timerKey.activity({ run_id: "r", seq: 20 }, "Retry"));
  });

  it("rings at the earliest timer or outbox retry, in real time", () => {
    expect(nextAlarmAt(null, null, 0)).toBeNull();
    expect(nextAlarmAt(100, null, 0)).toBe(100);
    expect(nextAlarmAt(null, 50, 0)).toBe(50);
    expect(nextAlarmAt(100, 50, 30)).toBe(20);
    expect(nextAlarmAt(100, 150, 30)).toBe(70);
  });

  it("moves the alarm earlier or when forced, never later on its own", () => {
    expect(mustRearm(100, null, false)).toBe(true);
    expect(mustRearm(100, 100, false)).toBe(false);
    expect(mustRearm(50, 100, false)).toBe(true);
    expect(mustRearm(150, 100, false)).toBe(false);
    expect(mustRearm(null, 100, false)).toBe(false);
    expect(mustRearm(null, null, false)).toBe(false);
    expect(mustRearm(150, 100, true)).toBe(true);
    expect(mustRearm(null, 100, true)).toBe(true);
    // Forced, but already armed at exactly that time (or known to have none): no write.
    expect(mustRearm(100, 100, true)).toBe(false);
    expect(mustRearm(null, null, true)).toBe(false);
  });
});
