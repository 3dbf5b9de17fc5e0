/**
 * @module The two halves of a remote activity Worker, each as its own subject: the engine's
 * `SundialService` RPC entrypoint (reached over a real service binding, as an activity Worker binds
 * it) and `createActivityWorker`'s `queue()` handler (fed hand-built batches, reporting to that
 * binding). Activities run on the "parked" task queue, which nothing else consumes here.
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ActivityContext } from "../../sdk/activity/index";
import type { ActivityTaskMessage } from "../../sdk/activity/protocol";
import { createActivityWorker } from "../../sdk/activity/worker";
import { encodeToken } from "../../src/execution/addressing";
import { signTaskToken } from "../../src/security/task-token-mac";
import { api, eventTypes, eventually, history, result, start, stub, uniqueId } from "../helpers";

const parked = { taskQueue: "parked", startToCloseTimeout: "10s", retry: { maximumAttempts: 1 } };

async function startSequence(workflowId: string, types: string[]) {
  const { runId } = await start({
    workflowType: "sequence",
    workflowId,
    input: { types, options: parked },
  });
  // Wait until the first activity is scheduled (describe lists it).
  await eventually(async () => {
    if (!(await eventTypes(workflowId)).includes("ActivityTaskScheduled")) {
      throw new Error("not scheduled yet");
    }
  });
  return runId;
}

/** A task message as the engine sends it: its token signed (src/security/task-token-mac.ts). */
async function taskMessage(
  workflowId: string,
  runId: string,
  seq: number,
  activityType: string,
  attempt = 1,
): Promise<ActivityTaskMessage> {
  return {
    token: await signTaskToken(
      env,
      encodeToken({ namespace: "default", workflowId, runId, seq, attempt }),
    ),
    namespace: "default",
    workflowId,
    runId,
    activityId: String(seq),
    activityType,
    attempt,
    taskQueue: "parked",
  };
}

describe("SundialService (RPC entrypoint)", () => {
  it("starts, heartbeats and completes a task over the service binding", async () => {
    const workflowId = uniqueId("svc");
    const runId = await startSequence(workflowId, ["echo"]);
    const { token } = await taskMessage(workflowId, runId, 1, "echo");
    const started = await env.SUNDIAL.activityStarted(token, "delivery-1");
    expect(started).toMatchObject({ input: "0", attempt: 1, startToCloseTimeoutMs: 10_000 });
    // The same delivery starting again gets the same answer; another delivery gets nothing.
    expect(await env.SUNDIAL.activityStarted(token, "delivery-1")).toEqual(started);
    expect(await env.SUNDIAL.activityStarted(token, "delivery-2")).toBeNull();
    expect(await env.SUNDIAL.activityHeartbeat(token, '{"progress":1}')).toEqual({
      cancelRequested: false,
    });
    const described = await stub(workflowId).describe();
    expect(JSON.parse(described.body).pendingActivities[0].lastHeartbeat.details).toEqual({
      progress: 1,
    });
    expect(await env.SUNDIAL.activityCompleted(token, '"done"')).toBeNull();
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: ["done"] });
    // Reports after the close are stale: ignored, history unchanged.
    const before = await history(workflowId);
    expect(await env.SUNDIAL.activityCompleted(token, '"again"')).toBeNull();
    expect(await env.SUNDIAL.activityHeartbeat(token)).toEqual({ cancelRequested: true });
    expect(await history(workflowId)).toEqual(before);
  });

  it("records a failure, and hands the next task out eagerly for a fitting offer", async () => {
    const workflowId = uniqueId("svc-fail");
    const runId = await startSequence(workflowId, ["echo", "echo"]);
    const first = await taskMessage(workflowId, runId, 1, "echo");
    expect(await env.SUNDIAL.activityStarted(first.token, "d-1")).not.toBeNull();
    const offer = { taskQueue: "parked", activityTypes: ["echo"], deliveryId: "d-1" };
    const eager = await env.SUNDIAL.activityCompleted(first.token, "0", offer);
    expect(eager).toMatchObject({ activityId: "2", attempt: 1, input: "1", taskQueue: "parked" });
    const failure = JSON.stringify({ message: "boom", type: "Boom", source: "ApplicationFailure" });
    expect(await env.SUNDIAL.activityFailed(eager!.token, failure)).toBeNull();
    const body = await result(workflowId);
    expect(body).toMatchObject({ status: "Failed" });
    const failed = (await history(workflowId)).find((e) => e.eventType === "ActivityTaskFailed");
    expect(failed?.attributes).toMatchObject({
      seq: 2,
      failure: { message: "boom", type: "Boom" },
    });
  });

  it("answers a malformed or unknown token with nothing (a heartbeat is told why), changing nothing", async () => {
    const malformed = [
      "",
      "not-a-token",
      encodeToken({
        namespace: "default",
        workflowId: uniqueId("bad"),
        runId: "r",
        seq: 1,
        attempt: 1,
      }),
    ];
    for (const token of malformed) {
      // Nothing to run and nothing recorded; a heartbeat is told to stop, with the reason.
      expect(await env.SUNDIAL.activityStarted(token, "d")).toBeNull();
      expect(await env.SUNDIAL.activityHeartbeat(token)).toEqual({
        cancelRequested: true,
        reason: expect.stringMatching(/^Malformed task token: /),
      });
      expect(await env.SUNDIAL.activityCompleted(token, "1")).toBeNull();
      expect(await env.SUNDIAL.activityFailed(token, '{"message":"x"}')).toBeNull();
    }
    const workflowId = uniqueId("none");
    const unknown = await signTaskToken(
      env,
      encodeToken({
        namespace: "default",
        workflowId,
        runId: crypto.randomUUID(),
        seq: 1,
        attempt: 1,
      }),
    );
    expect(await env.SUNDIAL.activityStarted(unknown, "d")).toBeNull();
    expect(await env.SUNDIAL.activityHeartbeat(unknown)).toEqual({ cancelRequested: true });
    expect(await env.SUNDIAL.activityCompleted(unknown, "1")).toBeNull();
    expect(await env.SUNDIAL.activityFailed(unknown, '{"message":"x"}')).toBeNull();
    // Nothing was created for the unknown workflow.
    expect((await api(`/api/v1/workflows/${workflowId}`)).status).toBe(404);
  });
});

/** Activities of the worker under test; `ran` records what each call saw. */
function workerActivities(ran: string[]) {
  return {
    async echo(input: unknown, ctx: ActivityContext) {
      ran.push(`${ctx.activityId}@${ctx.attempt}`);
      return input;
    },
  };
}

describe("createActivityWorker", () => {
  it("runs a task, reports it, runs the next one eagerly, and acks the message", async () => {
    const workflowId = uniqueId("worker");
    const runId = await startSequence(workflowId, ["echo", "echo", "echo"]);
    const ran: string[] = [];
    const worker = createActivityWorker({ activities: workerActivities(ran) });
    const batch = createMessageBatch<ActivityTaskMessage>("sundial-parked", [
      {
        id: "m-1",
        timestamp: new Date(),
        attempts: 1,
        body: await taskMessage(workflowId, runId, 1, "echo"),
      },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    const outcome = await getQueueResult(batch, ctx);
    expect(outcome.explicitAcks).toEqual(["m-1"]);
    expect(outcome.retryMessages).toEqual([]);
    // One message, three activities: 2 and 3 came back with the previous report.
    expect(ran).toEqual(["1@1", "2@1", "3@1"]);
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: [0, 1, 2] });
    const started = (await history(workflowId)).filter(
      (e) => e.eventType === "ActivityTaskStarted",
    );
    expect(started.map((e) => e.attributes.eager ?? false)).toEqual([false, true, true]);
  });

  it("drops a stale or duplicate task unrun, acking it", async () => {
    const workflowId = uniqueId("worker-stale");
    const runId = await startSequence(workflowId, ["echo"]);
    const ran: string[] = [];
    const worker = createActivityWorker({ activities: workerActivities(ran) });
    const stale = await taskMessage(workflowId, runId, 1, "echo", 7); // an attempt that does not exist
    const batch = createMessageBatch<ActivityTaskMessage>("sundial-parked", [
      { id: "m-stale", timestamp: new Date(), attempts: 1, body: stale },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["m-stale"]);
    expect(ran).toEqual([]);
    expect(await eventTypes(workflowId)).toEqual([
      "WorkflowExecutionStarted",
      "ActivityTaskScheduled",
    ]);
  });

  it("fails an unregistered activity type non-retryably", async () => {
    const workflowId = uniqueId("worker-unknown");
    const runId = await startSequence(workflowId, ["nowhere"]);
    const worker = createActivityWorker({ activities: workerActivities([]) });
    const batch = createMessageBatch<ActivityTaskMessage>("sundial-parked", [
      {
        id: "m-u",
        timestamp: new Date(),
        attempts: 1,
        body: await taskMessage(workflowId, runId, 1, "nowhere"),
      },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["m-u"]);
    expect(await result(workflowId)).toMatchObject({ status: "Failed" });
    const failed = (await history(workflowId)).find((e) => e.eventType === "ActivityTaskFailed");
    expect(failed?.attributes).toMatchObject({
      failure: { type: "ActivityNotRegistered", nonRetryable: true },
    });
  });

  it("asks the queue to redeliver when the engine cannot be reached, running nothing", async () => {
    const workflowId = uniqueId("worker-down");
    const runId = await startSequence(workflowId, ["echo"]);
    const ran: string[] = [];
    const down = async () => {
      throw new Error("engine unreachable");
    };
    const worker = createActivityWorker({
      activities: workerActivities(ran),
      reporter: () => ({
        activityStarted: down,
        activityHeartbeat: down,
        activityCompleted: down,
        activityFailed: down,
      }),
    });
    const batch = createMessageBatch<ActivityTaskMessage>("sundial-parked", [
      {
        id: "m-d",
        timestamp: new Date(),
        attempts: 1,
        body: await taskMessage(workflowId, runId, 1, "echo"),
      },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    const outcome = await getQueueResult(batch, ctx);
    expect(outcome.explicitAcks).toEqual([]);
    expect(outcome.retryMessages.map((m: { msgId: string }) => m.msgId)).toEqual(["m-d"]);
    expect(ran).toEqual([]);
  });

  it("names the missing SUNDIAL binding when none is given", async () => {
    const worker = createActivityWorker({ activities: workerActivities([]) });
    const batch = createMessageBatch<ActivityTaskMessage>("sundial-parked", []);
    await expect(worker.queue(batch, {})).rejects.toThrow(/no service binding SUNDIAL/);
  });
});
