/**
 * @module Eager dispatch when the consumer dies: an attempt handed out (already started) with its
 * predecessor's report is retried at its start-to-close timeout, like any started attempt, and a late
 * report of the dead attempt changes nothing. The test plays the consumer on the unconsumed "parked"
 * task queue.
 */
import { describe, expect, it } from "vitest";
import { decodeToken } from "../../src/execution/addressing";
import {
  describeWf,
  eventually,
  history,
  result,
  skipTime,
  start,
  stub,
  timers,
  uniqueId,
} from "../helpers";

describe("eager dispatch when the consumer dies", () => {
  it("retries the eagerly started attempt at its start-to-close timeout", async () => {
    const workflowId = uniqueId("eager-dies");
    const { runId } = await start({
      workflowType: "sequence",
      workflowId,
      input: {
        types: ["echo", "echo"],
        options: {
          taskQueue: "parked",
          // Minutes: the deadline and the backoff run out in real time too (the test clock only
          // skips ahead), so each read below has a minute of real time before the next one is due.
          startToCloseTimeout: "10m",
          retry: { initialInterval: "1m", maximumAttempts: 3 },
        },
      },
    });
    const token = (seq: number, attempt = 1) => ({
      namespace: "default",
      workflowId,
      runId,
      seq,
      attempt,
    });
    const offer = { taskQueue: "parked", activityTypes: ["echo"], deliveryId: "consumer-a" };
    await eventually(async () => {
      if (!(await stub(workflowId).activityStarted(token(1), "delivery-1"))) {
        throw new Error("activity 1 not scheduled yet");
      }
    });
    const eager = await stub(workflowId).activityCompleted(token(1), "0", offer);
    expect(eager).not.toBeNull();
    expect(decodeToken(eager!.token)).toEqual(token(2));
    // The consumer that took it dies here: no report ever comes for attempt 1.

    await skipTime(workflowId, 9 * 60_000);
    let d = await describeWf(workflowId);
    expect(d.pendingActivities).toHaveLength(1);
    expect(d.pendingActivities[0]).toMatchObject({ activityId: "2", attempt: 1, state: "Started" });

    await skipTime(workflowId, 2 * 60_000);
    d = await describeWf(workflowId);
    expect(d.pendingActivities).toHaveLength(1);
    const timedOut = d.pendingActivities[0]!;
    expect(timedOut).toMatchObject({
      activityId: "2",
      attempt: 1,
      state: "Backoff",
      lastFailure: { timeoutType: "StartToClose" },
    });
    expect(
      Date.parse(timedOut.nextAttemptTime!) - Date.parse(timedOut.lastAttemptCompleteTime!),
    ).toBe(60_000);
    // The dead attempt's late report is stale: ignored, nothing recorded.
    const before = await history(workflowId);
    expect(await stub(workflowId).activityCompleted(token(2, 1), '"late"')).toBeNull();
    expect(await history(workflowId)).toEqual(before);

    // Attempt 2 goes out after its 1 min backoff (through the queue, not eagerly) and completes.
    await skipTime(workflowId, 60_000);
    await eventually(async () => {
      if (!(await stub(workflowId).activityStarted(token(2, 2), "delivery-2"))) {
        throw new Error("attempt 2 not dispatched yet");
      }
    });
    expect((await timers(workflowId)).some((t) => t.key.includes(":2:StartToClose"))).toBe(true);
    expect(await stub(workflowId).activityCompleted(token(2, 2), "1")).toBeNull();
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: [0, 1] });

    const events = await history(workflowId);
    const started = events.filter((e) => e.eventType === "ActivityTaskStarted");
    expect(started.map((e) => e.attributes)).toEqual([
      { seq: 1, attempt: 1 },
      {
        seq: 2,
        attempt: 2,
        lastFailure: expect.objectContaining({
          message: "Activity echo timed out (StartToClose) on attempt 1",
          timeoutType: "StartToClose",
        }),
      },
    ]);
    const completed = events.filter((e) => e.eventType === "ActivityTaskCompleted");
    expect(completed.map((e) => e.attributes)).toEqual([
      { seq: 1, result: 0, attempt: 1 },
      { seq: 2, result: 1, attempt: 2 },
    ]);
    expect(events.map((e) => e.eventType)).not.toContain("ActivityTaskTimedOut");
  });
});
