/**
 * @module What a queue step reads (issue 14, cheaper steps): the report that follows an activity's
 * scheduling takes its row as the transition committed it (activity/store.ts), not from SQLite; the
 * run's task timer is deleted only while it may exist (timers.ts); the alarm's wake-up times are
 * read only when something written since may be earlier than the armed alarm (wake-floor.ts); the
 * run's row is taken as the previous step's transition left it (runs-store.ts). So an eagerly
 * dispatched step runs 3 statements, all writes: its events, the finished row's delete, the next
 * row's insert. A write between the scheduling and the report (a heartbeat, a signal's events) is
 * what the report then sees.
 */
import { describe, expect, it } from "vitest";
import { decodeToken } from "../../src/execution/addressing";
import {
  assertIncreasingIds,
  describeWf,
  eventually,
  history,
  mode,
  post,
  result,
  skipTime,
  start,
  stub,
  uniqueId,
} from "../helpers";
import { outboxDrained } from "./outbox-drained";

const parked = { taskQueue: "parked", startToCloseTimeout: "1m", retry: { maximumAttempts: 1 } };

type Counts = { rowsWritten: number; statements: number; writeStatements: number };

async function countsOf(n: number): Promise<Counts> {
  const workflowId = uniqueId(`reads-${n}`);
  await start({ workflowType: "steps", workflowId, input: { n, local: false } });
  expect(await result(workflowId)).toMatchObject({ status: "Completed", result: n });
  await outboxDrained(workflowId);
  return stub(workflowId).unsafeStorageCounts();
}

describe("what a queue step reads", () => {
  it.skipIf(mode !== "warm")(
    "an eagerly dispatched step runs 3 statements, all of them writing",
    async () => {
      const small = await countsOf(2);
      const large = await countsOf(7);
      expect((large.writeStatements - small.writeStatements) / 5).toBe(3);
      // Was 7: the activity and run rows read back, the task timer's delete that matched nothing,
      // and the wake-up times' read. Three, plus background reads (a delivery pass) now and then.
      expect((large.statements - small.statements) / 5).toBeLessThan(4);
    },
  );

  it("a heartbeat after the eager handout is what the attempt's timeout then sees", async () => {
    const workflowId = uniqueId("reads-beat");
    const { runId } = await start({
      workflowType: "sequence",
      workflowId,
      input: {
        types: ["echo", "echo"],
        options: {
          taskQueue: "parked",
          startToCloseTimeout: "10s",
          // A minute: the backoff runs out in real time too, and the Backoff state must still be
          // there when describe reads it, however slow the machine.
          retry: { initialInterval: "1m", maximumAttempts: 2 },
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
    await eventually(async () => {
      if (!(await stub(workflowId).activityStarted(token(1), "delivery-1"))) {
        throw new Error("activity 1 not scheduled yet");
      }
    });
    const offer = { taskQueue: "parked", activityTypes: ["echo"], deliveryId: "consumer-a" };
    const eager = await stub(workflowId).activityCompleted(token(1), "0", offer);
    expect(decodeToken(eager!.token)).toEqual(token(2));
    expect(await stub(workflowId).activityHeartbeat(token(2), '{"progress":7}')).toEqual({
      cancelRequested: false,
    });
    await skipTime(workflowId, 10_100);
    const d = await describeWf(workflowId);
    expect(d.pendingActivities[0]).toMatchObject({
      activityId: "2",
      state: "Backoff",
      lastFailure: { timeoutType: "StartToClose", details: { progress: 7 } },
    });
    // Its next attempt (queued) starts with the details and completes.
    await skipTime(workflowId, 60_000);
    await eventually(async () => {
      const started = await stub(workflowId).activityStarted(token(2, 2), "delivery-2");
      if (!started) throw new Error("attempt 2 not dispatched yet");
      expect(started.heartbeatDetails).toBe('{"progress":7}');
    });
    expect(await stub(workflowId).activityCompleted(token(2, 2), "1")).toBeNull();
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: [0, 1] });
  });

  it("a signal's events between the eager handout and the report: the report appends after them", async () => {
    const workflowId = uniqueId("reads-signal");
    const { runId } = await start({
      workflowType: "sequence",
      workflowId,
      input: { types: ["echo", "echo", "echo"], options: parked },
    });
    const token = (seq: number) => ({ namespace: "default", workflowId, runId, seq, attempt: 1 });
    await eventually(async () => {
      if (!(await stub(workflowId).activityStarted(token(1), "delivery-1"))) {
        throw new Error("activity 1 not scheduled yet");
      }
    });
    const offer = { taskQueue: "parked", activityTypes: ["echo"], deliveryId: "consumer-a" };
    const second = await stub(workflowId).activityCompleted(token(1), "0", offer);
    expect(decodeToken(second!.token)).toEqual(token(2));
    const res = await post(`/api/v1/workflows/${workflowId}/signals/poke`, { input: 1 });
    expect(res.status).toBeLessThan(300);
    const third = await stub(workflowId).activityCompleted(token(2), "1", offer);
    expect(decodeToken(third!.token)).toEqual(token(3));
    expect(await stub(workflowId).activityCompleted(token(3), "2", offer)).toBeNull();
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: [0, 1, 2] });
    const events = await history(workflowId);
    assertIncreasingIds(events);
    expect(events.map((e) => e.eventType)).toContain("WorkflowExecutionSignaled");
  });
});
