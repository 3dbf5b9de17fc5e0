/**
 * Sinks and reports (issue 9, items 6, 7, 9): nothing a workflow, an update handler or an activity
 * worker produces can make a transaction too large to commit or a stored payload unreadable; a
 * transition that still cannot commit fails its workflow task visibly, and its alarm stays armed.
 * Runs warm and cold.
 */
import { env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { WorkflowUpdateFailedError } from "../../sdk/client/errors";
import { createClient } from "../../sdk/client/index";
import { ApplicationFailure, type FailureInfo } from "../../sdk/common/failures";
import type { WireEvent } from "../../sdk/common/wire";
import { createReporter } from "../../src/engine";
import { heartbeatRefusals } from "../fixtures/sink-workflows";
import {
  api,
  describeWf,
  eventTypes,
  eventually,
  evictIfCold,
  history,
  post,
  result,
  resultNoEviction,
  skipTime,
  start,
  stub,
  timers,
  uniqueId,
  waitForTimer,
} from "../helpers";

const MB = 1024 * 1024;
const client = createClient({
  baseUrl: "http://sundial.test",
  fetch: (input, init) => SELF.fetch(input, init),
});

function failureOf(events: WireEvent[], type: string): FailureInfo {
  const ev = events.find((e) => e.eventType === type);
  if (!ev) throw new Error(`no ${type} yet`);
  return (ev as unknown as { attributes: { failure: FailureInfo } }).attributes.failure;
}

/** History answers 200 (warm, and after an eviction in cold mode). */
async function historyReadable(workflowId: string): Promise<void> {
  const path = `/api/v1/workflows/${encodeURIComponent(workflowId)}/history`;
  expect((await api(path)).status).toBe(200);
  await evictIfCold();
  expect((await api(path)).status).toBe(200);
}

describe("failures are stored bounded, never refused", () => {
  it("a workflow failing with a 3 MB message fails, its message cut with a marker", async () => {
    const workflowId = uniqueId("sink-fail");
    await start({ workflowType: "sinkThrow", workflowId, input: { mode: "fail", size: 3 * MB } });
    await waitForTimer(workflowId);
    await skipTime(workflowId, 60_000);
    const outcome = await result(workflowId);
    expect(outcome.status).toBe("Failed");
    const failure = (outcome as { failure: FailureInfo }).failure;
    expect(failure.type).toBe("Huge");
    expect(failure.message).toMatch(/^m+… \[truncated \d+ characters\]$/);
    expect(failure.message.length).toBeLessThan(20_000);
    await historyReadable(workflowId);
  });

  it("a workflow task throwing a 3 MB error records WorkflowTaskFailed with the message cut", async () => {
    const workflowId = uniqueId("sink-task");
    await start({ workflowType: "sinkThrow", workflowId, input: { mode: "task", size: 3 * MB } });
    await waitForTimer(workflowId);
    await skipTime(workflowId, 60_000);
    const failure = await eventually(async () =>
      failureOf(await history(workflowId), "WorkflowTaskFailed"),
    );
    expect(failure.type).toBe("TypeError");
    expect(failure.message).toContain("[truncated");
    expect((await describeWf(workflowId)).status).toBe("Running");
    // The task is retried with backoff: its timer is armed.
    expect((await timers(workflowId)).some((t) => t.kind === "wft")).toBe(true);
  });
});

describe("updates", () => {
  async function update(workflowId: string, name: string, body: unknown): Promise<Response> {
    return post(`/api/v1/workflows/${encodeURIComponent(workflowId)}/updates/${name}`, body);
  }

  it("an update result past the payload limit fails the update (PayloadTooLarge), not the commit", async () => {
    const workflowId = uniqueId("sink-update-big");
    await start({ workflowType: "sinkUpdates", workflowId });
    const res = await eventually(async () => {
      const r = await update(workflowId, "big", { input: { size: 70_000 }, updateId: "big-1" });
      if (r.status !== 200) throw new Error(`update: ${r.status} ${await r.text()}`);
      return r;
    });
    expect(await res.json()).toMatchObject({
      updateId: "big-1",
      failure: { type: "PayloadTooLarge", nonRetryable: true },
    });
    const small = await update(workflowId, "big", { input: { size: 3 } });
    expect(await small.json()).toMatchObject({ result: "xxx" });
    await historyReadable(workflowId);
  });

  it("a handler throwing after acceptance answers 200 {updateId, failure}; the client throws WorkflowUpdateFailedError", async () => {
    const workflowId = uniqueId("sink-update-throws");
    await start({ workflowType: "sinkUpdates", workflowId });
    const res = await eventually(async () => {
      const r = await update(workflowId, "throws", { updateId: "t-1" });
      if (r.status === 404) throw new Error("not started yet");
      return r;
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { updateId: string; failure: FailureInfo };
    expect(body).toEqual({
      updateId: "t-1",
      failure: expect.objectContaining({
        type: "Nope",
        message: "handler refused after acceptance",
      }),
    });
    expect(body).not.toHaveProperty("result");
    expect(body.failure).not.toHaveProperty("stack");
    const types = await eventTypes(workflowId);
    expect(types).toContain("WorkflowExecutionUpdateAccepted");
    expect(types).toContain("WorkflowExecutionUpdateCompleted");
    // The same updateId gets the same outcome.
    expect(await (await update(workflowId, "throws", { updateId: "t-1" })).json()).toEqual(body);

    const err = await client
      .getHandle(workflowId)
      .update("throws")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    const failed = err as WorkflowUpdateFailedError;
    expect(failed.failure.type).toBe("Nope");
    expect(failed.updateId).toMatch(/^[0-9a-f-]{36}$/);
    expect(failed.cause).toBeInstanceOf(ApplicationFailure);
  });
});

describe("activity reports are checked before anything is stored", () => {
  /** Starts `oneActivity` on the unconsumed queue and plays the worker: returns its started token. */
  async function startedActivity(prefix: string) {
    const workflowId = uniqueId(prefix);
    const { runId } = await start({
      workflowType: "oneActivity",
      workflowId,
      input: { type: "echo", input: "x", options: { taskQueue: "parked" } },
    });
    await eventually(async () => {
      if ((await describeWf(workflowId)).pendingActivities.length === 0) throw new Error("none");
    });
    const token = { namespace: "default", workflowId, runId, seq: 1, attempt: 1 };
    expect(await stub(workflowId).activityStarted(token, "delivery-1")).not.toBeNull();
    return { workflowId, token };
  }

  async function causeType(workflowId: string): Promise<string | undefined> {
    const outcome = await result(workflowId);
    expect(outcome.status).toBe("Failed");
    return (outcome as { failure: FailureInfo }).failure.cause?.type;
  }

  it.each([
    ["not JSON", "not json", "InvalidPayload"],
    ["nested 101 levels", `${"[".repeat(101)}${"]".repeat(101)}`, "PayloadTooDeep"],
    ["past the payload limit", JSON.stringify("x".repeat(70_000)), "PayloadTooLarge"],
  ])("a result %s fails the attempt for good; history stays readable", async (_n, bad, type) => {
    const { workflowId, token } = await startedActivity("sink-result");
    await stub(workflowId).activityCompleted(token, bad);
    expect(await causeType(workflowId)).toBe(type);
    await historyReadable(workflowId);
  });

  it.each([
    ["not JSON", "{{{", "InvalidPayload"],
    ["nested 200 levels", `${"[".repeat(200)}${"]".repeat(200)}`, "InvalidPayload"],
  ])("a failure report %s becomes a non-retryable InvalidPayload", async (_n, bad, type) => {
    const { workflowId, token } = await startedActivity("sink-failrep");
    await stub(workflowId).activityFailed(token, bad);
    expect(await causeType(workflowId)).toBe(type);
    await historyReadable(workflowId);
  });

  it("a failure report with a 3 MB message and a 1 MB stack is stored cut, not refused", async () => {
    const { workflowId, token } = await startedActivity("sink-failbig");
    const report = {
      message: "m".repeat(3 * MB),
      type: "Big",
      nonRetryable: true,
      stack: "s".repeat(MB),
    };
    await stub(workflowId).activityFailed(token, JSON.stringify(report));
    const outcome = (await result(workflowId)) as { failure: FailureInfo };
    expect(outcome.failure.cause?.type).toBe("Big");
    expect(outcome.failure.cause?.message).toContain("[truncated");
    await historyReadable(workflowId);
  });

  it("heartbeat details that are not JSON are refused: the attempt fails and the worker is told why", async () => {
    const { workflowId, token } = await startedActivity("sink-beat");
    const answer = await stub(workflowId).activityHeartbeat(token, "nope");
    expect(answer).toEqual({
      cancelRequested: true,
      reason: "The heartbeat details is not valid JSON",
    });
    expect(await causeType(workflowId)).toBe("InvalidPayload");
    await historyReadable(workflowId);
  });

  it("an activity heartbeating past the payload limit is aborted with the reason and fails", async () => {
    const workflowId = uniqueId("sink-bigbeat");
    await start({
      workflowType: "oneActivity",
      workflowId,
      input: { type: "bigBeat", options: { startToCloseTimeout: "1m" } },
    });
    // Polled without the cold project's evictions: an eviction while the one heartbeat is in
    // flight loses it (the worker logs it and runs on), and the attempt then completes normally.
    const outcome = await resultNoEviction(workflowId);
    expect(outcome.status).toBe("Failed");
    expect((outcome as { failure: FailureInfo }).failure.cause?.type).toBe("PayloadTooLarge");
    await eventually(async () => {
      expect(heartbeatRefusals.get(workflowId)).toMatch(/heartbeat details is larger than 65536/);
    });
  });

  it("a malformed task token is refused (nothing to run, a heartbeat is told why), touching no execution", async () => {
    const reporter = createReporter(env as never);
    expect(await reporter.activityCompleted("garbage", "1")).toBeNull();
    expect(await reporter.activityHeartbeat("default~wf~not-a-uuid~1~1", undefined)).toEqual({
      cancelRequested: true,
      reason: "Malformed task token: the run id is not a UUID",
    });
    const wellFormed = `default~nobody~${crypto.randomUUID()}~1~1`;
    expect(await reporter.activityStarted(wellFormed, "d".repeat(600))).toBeNull();
    // Nothing was created for the well-formed token's workflow either.
    expect((await api("/api/v1/workflows/nobody")).status).toBe(404);
  });
});

describe("search attributes", () => {
  it("an upsert past 100 attributes fails the workflow task; the attributes already set stay indexed", async () => {
    const workflowId = uniqueId("sink-sa");
    await start({
      workflowType: "sinkSearchAttributes",
      workflowId,
      input: { first: 60, more: 60 },
    });
    await eventually(async () => {
      const sa = (await describeWf(workflowId)).searchAttributes;
      expect(Object.keys(sa ?? {})).toHaveLength(60);
    });
    const res = await post(`/api/v1/workflows/${encodeURIComponent(workflowId)}/signals/stop`, {});
    expect(res.status).toBe(202);
    const failure = await eventually(async () =>
      failureOf(await history(workflowId), "WorkflowTaskFailed"),
    );
    expect(failure).toMatchObject({ type: "BadSearchAttributes" });
    expect(failure.message).toMatch(/at most 100 search attributes/);
    const sa = (await describeWf(workflowId)).searchAttributes ?? {};
    expect(Object.keys(sa)).toHaveLength(60);
    expect(sa).toMatchObject({ K0: 0, K59: 59 });

    // The index still has them: the workflow is found by one of its attributes.
    // (A row already sent to the visibility queue reaches D1 through its consumer: poll.)
    expect(await stub(workflowId).unsafeDeliverOutbox()).toBe(0);
    await eventually(async () => {
      const list = await api(`/api/v1/workflows?query=${encodeURIComponent("K59 = 59")}`);
      expect(list.status).toBe(200);
      const ids = ((await list.json()) as { executions: { workflowId: string }[] }).executions.map(
        (e) => e.workflowId,
      );
      expect(ids).toContain(workflowId);
    });
  });
});

describe("request ids", () => {
  it("a start with requestId signal:x does not swallow a later signal with requestId x", async () => {
    const workflowId = uniqueId("sink-req");
    const x = `req-${crypto.randomUUID()}`;
    const first = await start({
      workflowType: "sinkSignals",
      workflowId,
      requestId: `signal:${x}`,
    });
    const again = await start({
      workflowType: "sinkSignals",
      workflowId,
      requestId: `signal:${x}`,
    });
    expect(again).toMatchObject({ runId: first.runId, started: false });
    const path = `/api/v1/workflows/${encodeURIComponent(workflowId)}/signals`;
    expect((await post(`${path}/item`, { input: "hello", requestId: x })).status).toBe(202);
    expect((await post(`${path}/item`, { input: "hello", requestId: x })).status).toBe(202);
    expect((await post(`${path}/stop`, {})).status).toBe(202);
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: ["hello"] });
  });
});

describe("execution deadline across continue-as-new", () => {
  it("a continued run keeps the first run's deadline, shifted by its start delay", async () => {
    const workflowId = uniqueId("sink-can");
    const { runId } = await start({
      workflowType: "sinkChain",
      workflowId,
      input: { left: 1 },
      startDelay: "10m",
      executionTimeout: "1h",
    });
    const first = (await timers(workflowId)).find((t) => t.kind === "exec-timeout");
    expect(first?.key).toContain(runId);
    await skipTime(workflowId, 10 * 60_000);
    const next = await eventually(async () => {
      const t = (await timers(workflowId)).find(
        (x) => x.kind === "exec-timeout" && !x.key.includes(runId),
      );
      if (!t) throw new Error("not continued yet");
      return t;
    });
    expect(next.fireAtMs).toBe(first?.fireAtMs);
  });
});

describe("a transition that cannot commit", () => {
  async function alarmAt(workflowId: string): Promise<number | null> {
    return runInDurableObject(stub(workflowId), (_obj, state) => state.storage.getAlarm());
  }

  it("fails its workflow task visibly (CommitFailed), keeping its inputs; the run goes on", async () => {
    const workflowId = uniqueId("sink-commit");
    // A minute: the timer must not fire in real time before the fault is armed.
    await start({ workflowType: "sleeper", workflowId, input: { sleeps: ["1m"] } });
    await waitForTimer(workflowId);
    await stub(workflowId).unsafeFailCommits(1);
    // The armed fault lives in the object's memory: keep the object (no cold-mode eviction).
    await skipTime(workflowId, 60_000, { evict: false });
    const events = await history(workflowId);
    expect(failureOf(events, "WorkflowTaskFailed")).toMatchObject({
      type: "CommitFailed",
      message: expect.stringContaining("SQLITE_TOOBIG"),
    });
    expect(events.map((e) => e.eventType)).toContain("TimerFired");
    expect(await alarmAt(workflowId)).not.toBeNull();
    await skipTime(workflowId, 1000);
    expect(await result(workflowId)).toMatchObject({ status: "Completed" });
  });

  it("when even the failed task cannot commit, records the failure alone and keeps the alarm armed", async () => {
    const workflowId = uniqueId("sink-commit2");
    await start({ workflowType: "sleeper", workflowId, input: { sleeps: ["1m"] } });
    await waitForTimer(workflowId);
    await stub(workflowId).unsafeFailCommits(2);
    // The armed fault lives in the object's memory: keep the object (no cold-mode eviction).
    await skipTime(workflowId, 60_000, { evict: false });
    // The retry is due 1 s after the failure, in real time too: on a slow machine it may already
    // have run by the time these reads happen. So read the alarm first, then the history: an alarm
    // gone while the retry has not run yet is the bug; the failed task's own commit is told by the
    // order (the failure alone, before the timer's firing; with its inputs kept it comes after).
    const armed = await alarmAt(workflowId);
    const types = await eventTypes(workflowId);
    const failedAt = types.indexOf("WorkflowTaskFailed");
    expect(failedAt).toBeGreaterThan(-1);
    expect(types.slice(0, failedAt)).not.toContain("TimerFired");
    const retried = types.includes("TimerFired");
    expect(armed !== null || retried).toBe(true);
    if (!retried) {
      expect((await timers(workflowId)).some((t) => t.kind === "timer")).toBe(true);
      // Skip to the retry, unless it runs first on its own (then there is no alarm left to run).
      await stub(workflowId).unsafeAdvanceClock(1000);
      await runDurableObjectAlarm(stub(workflowId));
    }
    expect(await result(workflowId)).toMatchObject({ status: "Completed" });
  });
});
