/**
 * @module Features no other test drove: payload limits on results and continue-as-new input, an
 * update answering 202 after its `wait`, `ctx.cancellable`, an external handle's `.cancel()`, and a
 * child that continues as new keeping its parent. Fixtures: test/fixtures/gap-workflows.ts.
 */
import { describe, expect, it } from "vitest";
import type { WireEvent } from "../../sdk/common/wire";
import {
  describeWf,
  eventTypes,
  eventually,
  history,
  post,
  result,
  skipTime,
  start,
  timers,
  uniqueId,
  waitForTimer,
} from "../helpers";

const wf = (id: string) => `/api/v1/workflows/${encodeURIComponent(id)}`;
const LIMIT_TEXT = "larger than 65536 bytes";

function attrs(e: WireEvent | undefined): Record<string, unknown> {
  return (e?.attributes ?? {}) as Record<string, unknown>;
}

describe("PayloadTooLarge on what comes back", () => {
  it("fails the workflow (non-retryable) when its result is past the limit, storing no result", async () => {
    const workflowId = uniqueId("big-result");
    await start({ workflowType: "bigOut", workflowId, input: { of: "workflow" } });
    const body = await result(workflowId);
    expect(body).toMatchObject({
      status: "Failed",
      failure: { type: "PayloadTooLarge", nonRetryable: true },
    });
    expect(JSON.stringify(body)).toContain(`workflow result is ${LIMIT_TEXT}`);
    const events = await history(workflowId);
    expect(events.map((e) => e.eventType)).toEqual([
      "WorkflowExecutionStarted",
      "WorkflowExecutionFailed",
    ]);
    expect(JSON.stringify(events)).not.toContain("x".repeat(100));
  });

  it("fails an activity attempt whose result is past the limit, once, without retrying", async () => {
    const workflowId = uniqueId("big-activity-result");
    await start({ workflowType: "bigOut", workflowId, input: { of: "activity" } });
    expect(await result(workflowId)).toMatchObject({
      status: "Completed",
      result: { caught: "PayloadTooLarge", nonRetryable: true },
    });
    const events = await history(workflowId);
    expect(events.map((e) => e.eventType)).toEqual([
      "WorkflowExecutionStarted",
      "ActivityTaskScheduled",
      "ActivityTaskStarted",
      "ActivityTaskFailed",
      "WorkflowExecutionCompleted",
    ]);
    const failed = attrs(events[3]);
    expect(failed.failure).toMatchObject({ type: "PayloadTooLarge", nonRetryable: true });
    expect(JSON.stringify(failed)).toContain(`activity result is ${LIMIT_TEXT}`);
    expect(JSON.stringify(events)).not.toContain("x".repeat(100));
  });

  it("fails a local activity whose result is past the limit, recorded as a failed marker", async () => {
    const workflowId = uniqueId("big-local-result");
    await start({ workflowType: "bigOut", workflowId, input: { of: "local" } });
    expect(await result(workflowId)).toMatchObject({
      status: "Completed",
      result: { caught: "PayloadTooLarge", nonRetryable: true },
    });
    const events = await history(workflowId);
    expect(events.map((e) => e.eventType)).toEqual([
      "WorkflowExecutionStarted",
      "MarkerRecorded",
      "WorkflowExecutionCompleted",
    ]);
    expect(attrs(events[1])).toMatchObject({
      attempt: 1,
      failure: { type: "PayloadTooLarge", nonRetryable: true },
    });
    expect(attrs(events[1])).not.toHaveProperty("result");
  });

  it("rejects an oversized continue-as-new input where it is called (catchable), starting no run", async () => {
    const workflowId = uniqueId("big-can");
    const { runId } = await start({
      workflowType: "bigOut",
      workflowId,
      input: { of: "continueAsNew" },
    });
    expect(await result(workflowId)).toMatchObject({
      status: "Completed",
      runId,
      result: { caught: "PayloadTooLarge" },
    });
    expect(await eventTypes(workflowId)).toEqual([
      "WorkflowExecutionStarted",
      "WorkflowExecutionCompleted",
    ]);
    expect((await describeWf(workflowId)).runId).toBe(runId);
  });
});

describe("update wait", () => {
  it("answers 202 Accepted when the handler is still running after `wait`, then 200 with the result", async () => {
    const workflowId = uniqueId("update-202");
    await start({ workflowType: "slowUpdater", workflowId, input: null });
    const first = await post(`${wf(workflowId)}/updates/slow`, { updateId: "u1", wait: "0s" });
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ updateId: "u1", status: "Accepted" });
    const types = await eventTypes(workflowId);
    expect(types).toContain("WorkflowExecutionUpdateAccepted");
    expect(types).not.toContain("WorkflowExecutionUpdateCompleted");
    // Asking again while it runs: still accepted, nothing recorded twice.
    const again = await post(`${wf(workflowId)}/updates/slow`, { updateId: "u1", wait: "0s" });
    expect(again.status).toBe(202);
    expect(await eventTypes(workflowId)).toEqual(types);

    const go = await post(`${wf(workflowId)}/signals/go`, {});
    expect(go.status).toBe(202);
    const done = await eventually(async () => {
      const res = await post(`${wf(workflowId)}/updates/slow`, { updateId: "u1", wait: "0s" });
      if (res.status !== 200) throw new Error(`update still ${res.status}`);
      return res.json();
    });
    expect(done).toEqual({ updateId: "u1", result: "finished" });
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: "closed" });
    const all = await eventTypes(workflowId);
    expect(all.filter((t) => t === "WorkflowExecutionUpdateAccepted")).toHaveLength(1);
    expect(all.filter((t) => t === "WorkflowExecutionUpdateCompleted")).toHaveLength(1);
  });
});

describe("ctx.cancellable", () => {
  it("scope.cancel() cancels what the scope awaits, and only that", async () => {
    const workflowId = uniqueId("scope");
    await start({ workflowType: "scoped", workflowId, input: null });
    const hour = await waitForTimer(workflowId);
    expect((await post(`${wf(workflowId)}/signals/stop`, {})).status).toBe(202);
    // The hour timer goes; the minute outside the scope is started.
    const minute = await eventually(async () => {
      const t = await timers(workflowId);
      if (t.length !== 1 || t[0]?.key === hour.key) throw new Error("scope not cancelled yet");
      return t[0];
    });
    expect(minute?.fireAtMs).toBeLessThan(hour.fireAtMs);
    // Half-way, not just under it: the minute runs out in real time too (the test clock only skips
    // ahead), and the read must come before it does, however slow the machine.
    await skipTime(workflowId, 30_000);
    expect((await describeWf(workflowId)).status).toBe("Running");
    await skipTime(workflowId, 31_000);
    expect(await result(workflowId)).toMatchObject({
      status: "Completed",
      result: { inner: "scope cancelled" },
    });
    const events = await history(workflowId);
    expect(events.map((e) => e.eventType)).toEqual([
      "WorkflowExecutionStarted",
      "TimerStarted",
      "WorkflowExecutionSignaled",
      "TimerCanceled",
      "TimerStarted",
      "TimerFired",
      "WorkflowExecutionCompleted",
    ]);
    expect(attrs(events[1]).durationMs).toBe(3_600_000);
    expect(attrs(events[3]).seq).toBe(attrs(events[1]).seq);
    expect(attrs(events[4]).durationMs).toBe(60_000);
    expect(attrs(events[5]).seq).toBe(attrs(events[4]).seq);
  });

  it("a workflow cancel reaches into the cancellable scope", async () => {
    const workflowId = uniqueId("scope-root-cancel");
    await start({ workflowType: "scoped", workflowId, input: null });
    await waitForTimer(workflowId);
    expect((await post(`${wf(workflowId)}/cancel`, {})).status).toBe(202);
    // The scope's timer is cancelled and caught inside; the minute after it is cancelled too.
    const body = await result(workflowId);
    expect(body.status).toBe("Canceled");
    const types = await eventTypes(workflowId);
    expect(types.filter((t) => t === "TimerCanceled")).toHaveLength(1);
    expect(types.at(-1)).toBe("WorkflowExecutionCanceled");
  });
});

describe("external handle .cancel()", () => {
  it("requests cancellation of another execution, which ends Canceled after its cleanup", async () => {
    const target = uniqueId("cancel-target");
    await start({ workflowType: "cancellable", workflowId: target, input: { on: "timer" } });
    await waitForTimer(target);
    const workflowId = uniqueId("canceller");
    await start({ workflowType: "canceller", workflowId, input: { target } });
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: "requested" });
    const events = await history(workflowId);
    expect(events.map((e) => e.eventType)).toEqual([
      "WorkflowExecutionStarted",
      "RequestCancelExternalWorkflowExecutionInitiated",
      "ExternalWorkflowExecutionCancelRequested",
      "WorkflowExecutionCompleted",
    ]);
    expect(attrs(events[1])).toMatchObject({ workflowId: target });
    expect(attrs(events[2]).seq).toBe(attrs(events[1]).seq);

    expect(await result(target)).toMatchObject({ status: "Canceled" });
    const targetTypes = await eventTypes(target);
    expect(targetTypes).toEqual([
      "WorkflowExecutionStarted",
      "TimerStarted",
      "WorkflowExecutionCancelRequested",
      "TimerCanceled",
      "MarkerRecorded",
      "WorkflowExecutionCanceled",
    ]);
  });

  it("rejects in workflow code when the target does not exist", async () => {
    const workflowId = uniqueId("canceller-nobody");
    await start({ workflowType: "canceller", workflowId, input: { target: uniqueId("nobody") } });
    const body = await result(workflowId);
    expect(body).toMatchObject({ status: "Completed", result: { failed: "ApplicationFailure" } });
    expect(JSON.stringify(body)).toContain("ExternalWorkflowExecutionNotFound");
    const events = await history(workflowId);
    expect(events.map((e) => e.eventType)).toEqual([
      "WorkflowExecutionStarted",
      "RequestCancelExternalWorkflowExecutionInitiated",
      "RequestCancelExternalWorkflowExecutionFailed",
      "WorkflowExecutionCompleted",
    ]);
    expect(attrs(events[2]).cause).toBe("ExternalWorkflowExecutionNotFound");
  });
});

describe("continue-as-new keeps the parent", () => {
  it("a child that continues as new stays its parent's child; the parent gets the last run's result", async () => {
    const workflowId = uniqueId("can-parent");
    const { runId: parentRunId } = await start({
      workflowType: "parentOfLooper",
      workflowId,
      input: { until: 2 },
    });
    const kid = `${workflowId}-kid`;
    const runIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      await waitForTimer(kid);
      const d = await describeWf(kid);
      // Every run of the chain names the same parent.
      expect(d.parent).toEqual({ workflowId, runId: parentRunId });
      runIds.push(d.runId);
      await skipTime(kid, 60_000);
      if (i < 2) {
        await eventually(async () => {
          if ((await describeWf(kid)).runId === d.runId) throw new Error("not continued yet");
        });
      }
    }
    expect(new Set(runIds).size).toBe(3);
    const parent = await result(workflowId);
    expect(parent).toMatchObject({ status: "Completed", result: { i: 2, runId: runIds[2] } });
    const parentEvents = await history(workflowId);
    expect(parentEvents.map((e) => e.eventType)).toEqual([
      "WorkflowExecutionStarted",
      "StartChildWorkflowExecutionInitiated",
      "ChildWorkflowExecutionStarted",
      "ChildWorkflowExecutionCompleted",
      "WorkflowExecutionCompleted",
    ]);
    // The middle runs each continued: their histories end ContinuedAsNew and the next names them.
    for (const [i, r] of runIds.slice(0, 2).entries()) {
      const events = await history(kid, r);
      expect(events.at(-1)?.eventType).toBe("WorkflowExecutionContinuedAsNew");
      const next = await history(kid, runIds[i + 1]);
      expect(attrs(next[0])).toMatchObject({ continuedExecutionRunId: r });
    }
  });
});
