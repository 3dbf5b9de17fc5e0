import { describe, expect, it } from "vitest";
import { releaseHung } from "../fixtures/workflows";
import {
  describeWf,
  eventTypes,
  eventually,
  history,
  result,
  skipTime,
  start,
  stub,
  timers,
  uniqueId,
  waitInPlace,
} from "../helpers";

async function pendingActivity(
  workflowId: string,
  match: (a: Awaited<ReturnType<typeof describeWf>>["pendingActivities"][number]) => boolean,
  options: { evict?: boolean } = {},
) {
  const check = async () => {
    const act = (await describeWf(workflowId)).pendingActivities[0];
    if (!act || !match(act)) throw new Error(`activity not there yet: ${JSON.stringify(act)}`);
    return act;
  };
  if (options.evict === false) return waitInPlace(check);
  return eventually(check);
}

describe("activity retries", () => {
  it("retries a failing activity with the policy's backoff and completes on attempt 3", async () => {
    const workflowId = uniqueId("retry");
    await start({ workflowType: "retrying", workflowId, input: { key: workflowId, failures: 2 } });

    const first = await pendingActivity(
      workflowId,
      (a) => a.state === "Backoff" && a.attempt === 1,
    );
    expect(first.lastFailure).toMatchObject({ message: "flaky failure on attempt 1" });
    // initialInterval 1m, backoffCoefficient 3: the second retry waits 3m.
    expect(Date.parse(first.nextAttemptTime!) - Date.parse(first.lastAttemptCompleteTime!)).toBe(
      60_000,
    );
    await skipTime(workflowId, 60_000);

    const second = await pendingActivity(
      workflowId,
      (a) => a.state === "Backoff" && a.attempt === 2,
    );
    expect(Date.parse(second.nextAttemptTime!) - Date.parse(second.lastAttemptCompleteTime!)).toBe(
      180_000,
    );
    await skipTime(workflowId, 180_000);

    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: { attempt: 3 } });
    const events = await history(workflowId);
    // Like Temporal, only the last attempt is in history.
    expect(events.map((e) => e.eventType)).toEqual([
      "WorkflowExecutionStarted",
      "ActivityTaskScheduled",
      "ActivityTaskStarted",
      "ActivityTaskCompleted",
      "WorkflowExecutionCompleted",
    ]);
    expect(events[2]?.attributes).toMatchObject({
      attempt: 3,
      lastFailure: { message: "flaky failure on attempt 2" },
    });
  });

  it("fails a non-retryable ApplicationFailure at once and fails the workflow with it", async () => {
    const workflowId = uniqueId("nonretry");
    await start({ workflowType: "nonRetryable", workflowId });
    const body = await result(workflowId);
    expect(body).toMatchObject({
      status: "Failed",
      failure: {
        type: "ActivityFailure",
        retryState: "NonRetryableFailure",
        cause: {
          type: "CardDeclined",
          message: "card declined",
          nonRetryable: true,
          details: { code: 51 },
        },
      },
    });
    expect(JSON.stringify(body)).not.toContain("stack");
    const events = await history(workflowId);
    const failed = events.find((e) => e.eventType === "ActivityTaskFailed");
    expect(failed?.attributes).toMatchObject({ attempt: 1, retryState: "NonRetryableFailure" });
    expect(events.at(-1)?.eventType).toBe("WorkflowExecutionFailed");
  });

  it("lets workflow code catch an ActivityFailure and read its cause", async () => {
    const workflowId = uniqueId("catch");
    await start({ workflowType: "catchesFailure", workflowId });
    expect(await result(workflowId)).toMatchObject({
      status: "Completed",
      result: { caught: "CardDeclined", details: { code: 51 } },
    });
  });
});

describe("activity timeouts", () => {
  it("retries a hanging activity after start-to-close", async () => {
    const workflowId = uniqueId("s2c");
    await start({ workflowType: "timeouts", workflowId, input: { kind: "startToClose" } });
    await pendingActivity(workflowId, (a) => a.state === "Started" && a.attempt === 1);
    // Just under the 5 min start-to-close nothing happens; past it, attempt 1 times out.
    await skipTime(workflowId, 210_000);
    expect((await describeWf(workflowId)).pendingActivities[0]).toMatchObject({
      state: "Started",
      attempt: 1,
    });
    await skipTime(workflowId, 120_000);
    releaseHung(); // the consumer's own copy of attempt 1 gives up; its late report is ignored
    const backoff = await pendingActivity(workflowId, (a) => a.state === "Backoff");
    expect(backoff.lastFailure).toMatchObject({
      type: "TimeoutFailure",
      timeoutType: "StartToClose",
    });
    await skipTime(workflowId, 60_000);
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: { attempt: 2 } });
  });

  it("gives up at schedule-to-close", async () => {
    const workflowId = uniqueId("sched2close");
    await start({ workflowType: "timeouts", workflowId, input: { kind: "scheduleToClose" } });
    await pendingActivity(workflowId, (a) => a.state === "Started" && a.attempt === 1);
    await skipTime(workflowId, 300_000); // attempt 1 times out (start-to-close), retry in 1 min
    releaseHung();
    await pendingActivity(workflowId, (a) => a.state === "Backoff");
    await skipTime(workflowId, 60_000);
    await pendingActivity(workflowId, (a) => a.state === "Started" && a.attempt === 2);
    // ~7 min since scheduling: under both the 8 min schedule-to-close and attempt 2's start-to-close.
    await skipTime(workflowId, 60_000);
    expect((await describeWf(workflowId)).pendingActivities[0]).toMatchObject({
      state: "Started",
      attempt: 2,
    });
    // ~8.5 min: past schedule-to-close, still ~2.5 min before attempt 2's start-to-close (due at ~11 min).
    await skipTime(workflowId, 90_000);
    releaseHung();
    expect(await result(workflowId)).toMatchObject({
      status: "Completed",
      result: {
        failed: true,
        cause: "TimeoutFailure",
        timeoutType: "ScheduleToClose",
        retryState: "Timeout",
      },
    });
    const timedOut = (await history(workflowId)).filter(
      (e) => e.eventType === "ActivityTaskTimedOut",
    );
    expect(timedOut).toHaveLength(1);
  });

  it("retries an activity that stops heartbeating, and the retry sees its last details", async () => {
    const workflowId = uniqueId("heartbeat");
    await start({ workflowType: "timeouts", workflowId, input: { kind: "heartbeat" } });
    // Polled without the cold project's evictions: the activity heartbeats once, and an eviction
    // while that heartbeat is in flight loses it (the worker logs it and never sends it again).
    const beating = await pendingActivity(workflowId, (a) => a.lastHeartbeat !== null, {
      evict: false,
    });
    expect(beating.lastHeartbeat?.details).toEqual({ progress: 42 });
    // Under the 3 min heartbeat timeout nothing happens (its 1 h start-to-close is far away).
    await skipTime(workflowId, 90_000);
    expect((await describeWf(workflowId)).pendingActivities[0]).toMatchObject({
      state: "Started",
      attempt: 1,
    });
    await skipTime(workflowId, 120_000);
    releaseHung();
    const backoff = await pendingActivity(workflowId, (a) => a.state === "Backoff");
    expect(backoff.lastFailure).toMatchObject({
      timeoutType: "Heartbeat",
      details: { progress: 42 },
    });
    await skipTime(workflowId, 60_000);
    expect(await result(workflowId)).toMatchObject({
      status: "Completed",
      result: { attempt: 2, resumedFrom: { progress: 42 } },
    });
  });

  it("times out a task nobody picks up at schedule-to-start", async () => {
    const workflowId = uniqueId("s2s");
    await start({ workflowType: "timeouts", workflowId, input: { kind: "scheduleToStart" } });
    await pendingActivity(workflowId, (a) => a.state === "Scheduled");
    await skipTime(workflowId, 28 * 60_000);
    expect((await describeWf(workflowId)).status).toBe("Running");
    expect((await describeWf(workflowId)).pendingActivities[0]).toMatchObject({
      state: "Scheduled",
    });
    await skipTime(workflowId, 3 * 60_000);
    expect(await result(workflowId)).toMatchObject({
      status: "Completed",
      result: { failed: true, timeoutType: "ScheduleToStart" },
    });
  });
});

describe("idempotent activity reports", () => {
  it("ignores a duplicate start, a repeated completion and a completion of an old attempt", async () => {
    const workflowId = uniqueId("dup");
    const { runId } = await start({
      workflowType: "retrying",
      workflowId,
      input: { key: workflowId, failures: 1 },
    });
    await pendingActivity(workflowId, (a) => a.state === "Backoff" && a.attempt === 1);
    const attempt1 = { namespace: "default", workflowId, runId, seq: 1, attempt: 1 };

    // A late completion of the failed attempt 1 while attempt 2 waits: ignored.
    await stub(workflowId).activityCompleted(attempt1, JSON.stringify("stale"));
    expect((await describeWf(workflowId)).pendingActivities[0]).toMatchObject({
      state: "Backoff",
      attempt: 1,
    });
    expect(await stub(workflowId).activityStarted(attempt1)).toBeNull();

    await skipTime(workflowId, 60_000);
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: { attempt: 2 } });
    const before = await eventTypes(workflowId);

    const attempt2 = { ...attempt1, attempt: 2 };
    await stub(workflowId).activityCompleted(attempt2, JSON.stringify("again"));
    await stub(workflowId).activityFailed(
      attempt2,
      JSON.stringify({ message: "late", type: "Error" }),
    );
    expect(await stub(workflowId).activityStarted(attempt2)).toBeNull();
    expect(await eventTypes(workflowId)).toEqual(before);
    expect(await result(workflowId)).toMatchObject({ result: { attempt: 2 } });
  });
});

describe("lost and redelivered tasks", () => {
  it("sends a task again while it stays unstarted (its message may be lost), backing off", async () => {
    const workflowId = uniqueId("lost");
    // "parked" maps to a Queue nobody consumes here: every message sent to it is as good as lost.
    const { runId } = await start({
      workflowType: "oneActivity",
      workflowId,
      input: { type: "echo", input: "x", options: { taskQueue: "parked" } },
    });
    const lease = async () =>
      eventually(async () => {
        const t = (await timers(workflowId)).find((x) => x.key.endsWith(":Redispatch"));
        if (!t) throw new Error("no dispatch lease yet");
        return t;
      });
    const first = await lease();
    // Each lease is as long as the task has waited so far (10 s at least), capped at 5 min: skip
    // to each lease's end and measure the next one.
    const intervals: number[] = [];
    let current = first;
    for (let i = 0; i < 7; i++) {
      const now = await stub(workflowId).unsafeAdvanceClock(0);
      await skipTime(workflowId, Math.max(0, current.fireAtMs - now));
      const renewed = current;
      current = await eventually(async () => {
        const t = await lease();
        if (t.fireAtMs <= renewed.fireAtMs) throw new Error("lease not renewed yet");
        return t;
      });
      intervals.push(current.fireAtMs - renewed.fireAtMs);
    }
    const expected = [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000];
    intervals.forEach((ms, i) => {
      expect(ms, `lease ${i + 2}`).toBeGreaterThanOrEqual(expected[i] ?? 0);
      expect(ms, `lease ${i + 2}`).toBeLessThan((expected[i] ?? 0) + 5_000);
    });
    expect((await describeWf(workflowId)).pendingActivities[0]).toMatchObject({
      state: "Scheduled",
      attempt: 1,
    });

    // A delivery starts it; the same delivery (redelivered after a consumer crash) may start it
    // again; any other copy (a redispatched one) is stale. The lease ends with the start.
    const token = { namespace: "default", workflowId, runId, seq: 1, attempt: 1 };
    const started = await stub(workflowId).activityStarted(token, "delivery-1");
    expect(started).toMatchObject({ attempt: 1, input: JSON.stringify("x") });
    expect(await stub(workflowId).activityStarted(token, "delivery-1")).toEqual(started);
    expect(await stub(workflowId).activityStarted(token, "delivery-2")).toBeNull();
    expect(await stub(workflowId).activityStarted(token)).toBeNull();
    expect((await timers(workflowId)).some((t) => t.key.endsWith(":Redispatch"))).toBe(false);
    await stub(workflowId).activityCompleted(token, JSON.stringify("done"));
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: "done" });
  });
});

describe("payload limits on what workflow code sends", () => {
  it.each(["activity", "local", "child", "signal"] as const)(
    "rejects an oversized %s input with a catchable PayloadTooLarge and stores nothing",
    async (via) => {
      const workflowId = uniqueId(`big-${via}`);
      await start({ workflowType: "oversized", workflowId, input: { via } });
      expect(await result(workflowId)).toMatchObject({
        status: "Completed",
        result: { caught: "PayloadTooLarge" },
      });
      const types = await eventTypes(workflowId);
      expect(types).toEqual(["WorkflowExecutionStarted", "WorkflowExecutionCompleted"]);
    },
  );

  it("fails the workflow with PayloadTooLarge when it is not caught", async () => {
    const workflowId = uniqueId("big-uncaught");
    await start({
      workflowType: "oversized",
      workflowId,
      input: { via: "activity", uncaught: true },
    });
    const body = await result(workflowId);
    expect(body).toMatchObject({ status: "Failed", failure: { type: "PayloadTooLarge" } });
    expect(JSON.stringify(body)).toContain("65536 bytes");
  });
});
