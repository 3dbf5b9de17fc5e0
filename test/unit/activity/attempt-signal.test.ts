/**
 * An attempt's abort signal is made when the activity first reads `ctx.signal` (issue 14, cheap
 * steps): an activity that never reads it costs no AbortController and no start-to-close timer set
 * and cleared per task (before, every task armed one). Once read, the signal aborts exactly when it
 * would have: at the start-to-close timeout counted from the task's start, at once when that is
 * already past, and when a heartbeat's answer says the attempt was cancelled.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Activities, ActivityContext } from "../../../sdk/activity/index";
import type {
  ActivityReporter,
  ActivityTaskMessage,
  HeartbeatResponse,
} from "../../../sdk/activity/protocol";
import { runTask } from "../../../sdk/activity/worker";

const task: ActivityTaskMessage = {
  token: "t",
  namespace: "default",
  workflowId: "wf",
  runId: "r",
  activityId: "1",
  activityType: "act",
  attempt: 1,
};

function reporter(heartbeat: HeartbeatResponse = { cancelRequested: false }): ActivityReporter {
  return {
    activityStarted: async () => ({ input: "null", attempt: 1, startToCloseTimeoutMs: 1_000 }),
    activityHeartbeat: async () => heartbeat,
    activityCompleted: async () => null,
    activityFailed: async () => null,
  };
}

/** An activity that waits for `release` and hands its context out. */
function held() {
  let release: () => void = () => {};
  let ctx: ActivityContext | undefined;
  const activities: Activities = {
    act: (_input, c) => {
      ctx = c;
      return new Promise<void>((resolve) => {
        release = resolve;
      });
    },
  };
  return { activities, ctx: () => ctx, release: () => release() };
}

/** Lets pending promise reactions run (the timers are fake: vi.waitFor would wait on them). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

async function running(h: ReturnType<typeof held>, r = reporter()) {
  const done = runTask(task, h.activities, r, "d", () => undefined);
  await settle();
  expect(h.ctx()).toBeDefined();
  return { done }; // wrapped: an async function returning the promise would wait for it
}

describe("an attempt's abort signal", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("arms no timer for an activity that never reads it", async () => {
    const h = held();
    const { done } = await running(h);
    expect(vi.getTimerCount()).toBe(0);
    h.release();
    await done;
    expect(vi.getTimerCount()).toBe(0);
  });

  it("read at once, aborts at the start-to-close timeout", async () => {
    const h = held();
    const { done } = await running(h);
    const signal = h.ctx()!.signal;
    expect(signal.aborted).toBe(false);
    vi.advanceTimersByTime(999);
    expect(signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(signal.aborted).toBe(true);
    expect(String(signal.reason)).toMatch(/start-to-close timeout/);
    h.release();
    await done;
  });

  it("read late, counts the timeout from the task's start", async () => {
    const h = held();
    const { done } = await running(h);
    vi.setSystemTime(Date.now() + 600);
    const signal = h.ctx()!.signal;
    vi.advanceTimersByTime(399);
    expect(signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(signal.aborted).toBe(true);
    h.release();
    await done;
  });

  it("read after the timeout passed, is already aborted", async () => {
    const h = held();
    const { done } = await running(h);
    vi.setSystemTime(Date.now() + 1_000);
    expect(h.ctx()!.signal.aborted).toBe(true);
    h.release();
    await done;
  });

  it("aborts with the reason a heartbeat's answer gives, read or not before", async () => {
    const h = held();
    const { done } = await running(h, reporter({ cancelRequested: true, reason: "cancelled" }));
    h.ctx()!.heartbeat({ p: 1 });
    await settle();
    expect(h.ctx()!.signal.aborted).toBe(true);
    expect(String(h.ctx()!.signal.reason)).toMatch(/cancelled/);
    h.release();
    await done;
  });

  it("read once the activity returned, never aborts and leaves no timer", async () => {
    const h = held();
    const { done } = await running(h);
    h.release();
    await done;
    const signal = h.ctx()!.signal;
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(2_000);
    expect(signal.aborted).toBe(false);
  });

  it("read once the activity returned past its timeout, is aborted, as an armed timer left it", async () => {
    const h = held();
    const { done } = await running(h);
    vi.setSystemTime(Date.now() + 1_500);
    h.release();
    await done;
    const signal = h.ctx()!.signal;
    expect(signal.aborted).toBe(true);
    expect(String(signal.reason)).toMatch(/start-to-close timeout/);
    expect(vi.getTimerCount()).toBe(0);
  });
});
