import { describe, expect, it } from "vitest";
import { resolveRetryPolicy } from "../../../sdk/common/retry-policy";
import {
  attemptFailed,
  complete,
  DISPATCH_LEASE_MS,
  fitsOffer,
  isCurrent,
  MAX_DISPATCH_LEASE_MS,
  nextLeaseMs,
  schedule,
  start,
  TIMER_FIRES_IN,
  timerFired,
} from "../../../src/execution/activity/state";
import type { ActivityRow, ActivityState, ActivityTimerData } from "../../../src/execution/rows";
import type { ActivityOptionsMs } from "../../../src/history/events";
import type { Command } from "../../../src/replay/commands";

const T0 = 1_000_000;
const retry = resolveRetryPolicy({
  initialInterval: 1000,
  backoffCoefficient: 2,
  maximumAttempts: 5,
});

function cmd(
  options: Partial<ActivityOptionsMs> = {},
): Extract<Command, { type: "ScheduleActivity" }> {
  return {
    type: "ScheduleActivity",
    seq: 3,
    activityId: "3",
    activityType: "charge",
    input: "[1]",
    options: { taskQueue: "default", retry, ...options },
  };
}

function row(
  state: ActivityState,
  over: Partial<ActivityRow> = {},
  options: Partial<ActivityOptionsMs> = {},
): ActivityRow {
  return {
    ...schedule("r1", cmd(options), T0).row,
    state,
    ...over,
  };
}

const data = (type: ActivityTimerData["type"], attempt = 1): ActivityTimerData => ({
  seq: 3,
  attempt,
  type,
});

describe("activity transitions", () => {
  it("schedules: a row, the schedule-to-close timer, the task, its lease and schedule-to-start", () => {
    const t = schedule(
      "r1",
      cmd({ scheduleToCloseTimeoutMs: 60_000, scheduleToStartTimeoutMs: 5000 }),
      T0,
    );
    expect(t.to).toBe("Scheduled");
    expect(t.effects.map((e) => e.op)).toEqual(["insert", "putTimer", "enqueue", "putTimer"]);
    // The lease is the row's deadline, written with it (no timer row).
    expect(t.row.deadline_ms).toBe(T0 + DISPATCH_LEASE_MS);
    expect(t.effects[0]).toEqual({ op: "insert", row: t.row });
    expect(t.effects.filter((e) => e.op === "putTimer")).toEqual([
      { op: "putTimer", purpose: "ScheduleToClose", attempt: 1, at: T0 + 60_000 },
      { op: "putTimer", purpose: "ScheduleToStart", attempt: 1, at: T0 + 5000 },
    ]);
  });

  it("schedules eagerly: started by the offering consumer, its own timeouts, nothing queued", () => {
    const t = schedule("r1", cmd({ startToCloseTimeoutMs: 30_000, heartbeatTimeoutMs: 5000 }), T0, {
      deliveryId: "m1",
    });
    expect(t.to).toBe("Started");
    expect(t.row).toMatchObject({
      state: "Started",
      started_by: "eager:m1:3:1",
      started_ms: T0,
      deadline_ms: T0 + 30_000,
    });
    expect(t.effects.some((e) => e.op === "enqueue")).toBe(false);
    // Inserted as started (no update), its start-to-close deadline on the row (no timer row).
    expect(t.effects[0]).toEqual({ op: "insert", row: t.row });
    expect(t.effects.some((e) => e.op === "update")).toBe(false);
    expect(
      t.effects.filter((e) => e.op === "putTimer").map((e) => e.op === "putTimer" && e.purpose),
    ).toEqual(["Heartbeat"]);
  });

  it("fits an eager offer only once, for its queue and types, with a bounded attempt", () => {
    const offer = { taskQueue: "default", activityTypes: ["charge"], deliveryId: "m" };
    const bounded: ActivityOptionsMs = { taskQueue: "default", retry, startToCloseTimeoutMs: 1000 };
    expect(fitsOffer(offer, false, "charge", bounded)).toBe(true);
    expect(fitsOffer(offer, true, "charge", bounded)).toBe(false);
    expect(fitsOffer(offer, false, "refund", bounded)).toBe(false);
    expect(fitsOffer(offer, false, "charge", { ...bounded, taskQueue: "other" })).toBe(false);
    expect(fitsOffer(offer, false, "charge", { taskQueue: "default", retry })).toBe(false);
    expect(
      fitsOffer(offer, false, "charge", { taskQueue: "default", retry, heartbeatTimeoutMs: 1 }),
    ).toBe(true);
  });

  it("starts: replaces the lease with the start-to-close deadline, arms heartbeat (no timer row to delete)", () => {
    const t = start(
      row("Scheduled", {}, { startToCloseTimeoutMs: 30_000, heartbeatTimeoutMs: 5000 }),
      T0 + 10,
      "msg-1",
    );
    expect(t.effects).toEqual([
      {
        op: "update",
        set: {
          state: "Started",
          started_ms: T0 + 10,
          last_heartbeat_ms: null,
          started_by: "msg-1",
          deadline_ms: T0 + 30_010,
        },
      },
      { op: "putTimer", purpose: "Heartbeat", attempt: 1, at: T0 + 5010 },
    ]);
  });

  it("completes with ActivityTaskStarted (carrying the last failure) then Completed", () => {
    const t = complete(
      row("Started", { attempt: 2, last_failure: '{"message":"x","type":"E"}' }),
      '"ok"',
    );
    expect(t.to).toBe("Closed");
    expect(t.events).toEqual([
      {
        eventType: "ActivityTaskStarted",
        attributes: { seq: 3, attempt: 2, lastFailure: { message: "x", type: "E" } },
      },
      { eventType: "ActivityTaskCompleted", attributes: { seq: 3, result: '"ok"', attempt: 2 } },
    ]);
    expect(t.effects).toEqual([{ op: "delete" }]);
  });

  it("retries a failed attempt after its backoff, doubling", () => {
    const failure = { message: "boom", type: "Error" };
    const first = attemptFailed(row("Started"), failure, T0);
    expect(first.to).toBe("Backoff");
    expect(first.effects).toContainEqual({
      op: "putTimer",
      purpose: "Retry",
      attempt: 1,
      at: T0 + 1000,
    });
    const third = attemptFailed(row("Started", { attempt: 3 }), failure, T0);
    expect(third.effects).toContainEqual({
      op: "putTimer",
      purpose: "Retry",
      attempt: 3,
      at: T0 + 4000,
    });
  });

  it("fails for good when attempts run out or the failure is non-retryable", () => {
    const failure = { message: "boom", type: "Error" };
    const last = attemptFailed(row("Started", { attempt: 5 }), failure, T0);
    expect(last.to).toBe("Closed");
    expect(last.events[1]).toMatchObject({
      eventType: "ActivityTaskFailed",
      attributes: { retryState: "MaximumAttemptsReached", attempt: 5 },
    });
    const fatal = attemptFailed(row("Started"), { ...failure, nonRetryable: true }, T0);
    expect(fatal.events[1]).toMatchObject({ attributes: { retryState: "NonRetryableFailure" } });
  });

  it("does not retry past the schedule-to-close deadline (retry vs schedule-to-close)", () => {
    const act = row("Started", { attempt: 2 }, { scheduleToCloseTimeoutMs: 3000 });
    // The retry (2 s backoff) would be due exactly at the deadline: Timeout, not a retry.
    expect(attemptFailed(act, { message: "x", type: "E" }, T0 + 1000).events[1]).toMatchObject({
      eventType: "ActivityTaskFailed",
      attributes: { retryState: "Timeout" },
    });
    // Just inside the deadline: retried.
    expect(attemptFailed(act, { message: "x", type: "E" }, T0 + 999).to).toBe("Backoff");
  });
});

describe("activity timers", () => {
  it("fire only while current: the one guard, per purpose", () => {
    const purposes = Object.keys(TIMER_FIRES_IN) as Array<ActivityTimerData["type"]>;
    for (const purpose of purposes) {
      for (const state of ["Scheduled", "Started", "Backoff"] as const) {
        const current = TIMER_FIRES_IN[purpose].includes(state);
        expect(isCurrent({ state, attempt: 1 }, data(purpose, 1))).toBe(current);
        // A timer of an earlier attempt is stale, except schedule-to-close (whole activity).
        expect(isCurrent({ state, attempt: 2 }, data(purpose, 1))).toBe(
          current && purpose === "ScheduleToClose",
        );
      }
    }
    expect(timerFired(row("Started"), data("Redispatch"), T0)).toBeUndefined();
  });

  it("schedule-to-start: times out a task never started, with retryState Timeout", () => {
    const t = timerFired(row("Scheduled"), data("ScheduleToStart"), T0 + 5000);
    expect(t?.to).toBe("Closed");
    expect(t?.events).toMatchObject([
      {
        eventType: "ActivityTaskTimedOut",
        attributes: {
          timeoutType: "ScheduleToStart",
          retryState: "Timeout",
          failure: { timeoutType: "ScheduleToStart" },
        },
      },
    ]);
  });

  it("schedule-to-close: times out the whole activity in any state and attempt", () => {
    for (const state of ["Scheduled", "Started", "Backoff"] as const) {
      const t = timerFired(row(state, { attempt: 4 }), data("ScheduleToClose", 1), T0);
      expect(t?.events[0]).toMatchObject({
        attributes: { timeoutType: "ScheduleToClose", attempt: 4 },
      });
    }
  });

  it("start-to-close and heartbeat: a retryable attempt failure (retried, or final)", () => {
    for (const purpose of ["StartToClose", "Heartbeat"] as const) {
      const retried = timerFired(row("Started"), data(purpose), T0);
      expect(retried?.to).toBe("Backoff");
      const final = timerFired(
        row("Started", { attempt: 5, heartbeat_details: '{"p":1}' }),
        data(purpose, 5),
        T0,
      );
      expect(final?.events[1]).toMatchObject({
        eventType: "ActivityTaskTimedOut",
        attributes: {
          timeoutType: purpose,
          retryState: "MaximumAttemptsReached",
          failure: { details: { p: 1 } },
        },
      });
    }
  });

  it("retry: the next attempt is scheduled and queued with a fresh lease", () => {
    const t = timerFired(row("Backoff", { attempt: 2 }), data("Retry", 2), T0 + 7);
    expect(t?.to).toBe("Scheduled");
    expect(t?.effects).toEqual([
      {
        op: "update",
        set: {
          attempt: 3,
          state: "Scheduled",
          scheduled_ms: T0 + 7,
          next_attempt_ms: null,
          // The lease is the row's deadline (no timer row).
          deadline_ms: T0 + 7 + DISPATCH_LEASE_MS,
        },
      },
      { op: "enqueue", attempt: 3 },
    ]);
  });

  it("redispatch: queued again, the lease doubling with the wait up to 5 minutes", () => {
    expect(nextLeaseMs(T0 + 10_000, T0)).toBe(10_000);
    expect(nextLeaseMs(T0 + 20_000, T0)).toBe(20_000);
    expect(nextLeaseMs(T0 + 40_000, T0)).toBe(40_000);
    expect(nextLeaseMs(T0 + 10 * 60_000, T0)).toBe(MAX_DISPATCH_LEASE_MS);
    expect(nextLeaseMs(T0 + 1, T0)).toBe(DISPATCH_LEASE_MS);
    // Fired at 10 s, 20 s, 40 s … after scheduling: each lease as long as the wait so far.
    let at = T0 + DISPATCH_LEASE_MS;
    const fired: number[] = [];
    for (let i = 0; i < 8; i++) {
      fired.push(at - T0);
      const t = timerFired(row("Scheduled"), data("Redispatch"), at);
      const put = t?.effects.find((e) => e.op === "update");
      expect(t?.effects[0]).toEqual({ op: "enqueue", attempt: 1 });
      at = put && put.op === "update" ? (put.set.deadline_ms ?? Number.NaN) : Number.NaN;
    }
    expect(fired).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 620_000, 920_000]);
  });
});
