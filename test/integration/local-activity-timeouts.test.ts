/**
 * Local activities are raced against their timeouts (issue 9, item 5): one that ignores its
 * AbortSignal is abandoned at its start-to-close timeout and retried per policy, and messages sent
 * meanwhile (terminate, signals) get in without waiting for it.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { localProbe } from "../fixtures/local-timeouts";
import { history, post, resultNoEviction, start, uniqueId } from "../helpers";

const releaseLater: string[] = [];
afterEach(() => {
  // Abandoned attempts of blockedLocal poll until released: let them end.
  for (const key of releaseLater.splice(0)) localProbe(key).released = true;
});

describe("local activity timeouts", () => {
  it("stuckLocal: an attempt that never settles times out (StartToClose) and is retried; the run fails after 2 attempts", async () => {
    const workflowId = uniqueId("stuck-local");
    await start({ workflowType: "stuckLocal", workflowId, input: { timeout: "300ms" } });
    const body = await resultNoEviction(workflowId);
    expect(body).toMatchObject({
      status: "Failed",
      failure: {
        type: "ActivityFailure",
        cause: { type: "TimeoutFailure", timeoutType: "StartToClose" },
      },
    });
    const events = await history(workflowId);
    expect(events.map((e) => e.eventType)).toEqual([
      "WorkflowExecutionStarted",
      "MarkerRecorded",
      "WorkflowExecutionFailed",
    ]);
    expect(events[1]!.attributes).toMatchObject({
      markerName: "LocalActivity",
      attempt: 2,
      failure: { type: "TimeoutFailure", timeoutType: "StartToClose" },
    });
  });

  it("drops what an abandoned attempt settles with later: the retry's result is recorded", async () => {
    const workflowId = uniqueId("late-local");
    const key = workflowId;
    await start({ workflowType: "lateLocal", workflowId, input: { key } });
    const body = await resultNoEviction(workflowId);
    expect(body).toMatchObject({ status: "Completed", result: "ok-2" });
    // Attempt 1 did settle ("late-1"), after attempt 2 had started and before attempt 2 answered.
    expect(localProbe(key).firstSettled).toBe(true);
    const events = await history(workflowId);
    const markers = events.filter((e) => e.eventType === "MarkerRecorded");
    expect(markers).toHaveLength(1);
    expect(markers[0]!.attributes).toMatchObject({ attempt: 2, result: "ok-2" });
    expect(JSON.stringify(events)).not.toContain("late-1");
  });

  it("a schedule-to-close timeout ends the retries (ScheduleToClose TimeoutFailure)", async () => {
    const workflowId = uniqueId("schedule-bound-local");
    await start({ workflowType: "scheduleBoundLocal", workflowId });
    const body = await resultNoEviction(workflowId);
    expect(body).toMatchObject({
      status: "Failed",
      failure: {
        type: "ActivityFailure",
        cause: { type: "TimeoutFailure", timeoutType: "ScheduleToClose" },
      },
    });
    const marker = (await history(workflowId)).find((e) => e.eventType === "MarkerRecorded");
    expect(marker?.attributes).toMatchObject({ attempt: 2 });
  });

  it("terminate sent while a local activity hangs closes the run without waiting for it", async () => {
    const workflowId = uniqueId("terminate-local");
    const key = workflowId;
    releaseLater.push(key);
    const started = start({ workflowType: "blockedLocal", workflowId, input: { key } });
    await vi.waitFor(() => expect(localProbe(key).starts).toBe(1), { timeout: 10_000 });

    const res = await post(`/api/v1/workflows/${workflowId}/terminate`, { reason: "stuck" });
    expect(res.status).toBe(200);
    expect((await started).started).toBe(true);
    const body = await resultNoEviction(workflowId);
    expect(body.status).toBe("Terminated");
    // The local activity never finished: nothing waited for it.
    expect(localProbe(key).released).toBe(false);
    expect((await history(workflowId)).map((e) => e.eventType)).toEqual([
      "WorkflowExecutionStarted",
      "WorkflowExecutionTerminated",
    ]);
  });

  it("a start answers without waiting for the local activity its first task runs; the alarm finishes it", async () => {
    const workflowId = uniqueId("start-local");
    const key = workflowId;
    releaseLater.push(key);
    expect(
      (await start({ workflowType: "blockedLocal", workflowId, input: { key } })).started,
    ).toBe(true);
    expect(localProbe(key).starts).toBe(1);
    expect(localProbe(key).released).toBe(false);
    expect((await history(workflowId)).map((e) => e.eventType)).toEqual([
      "WorkflowExecutionStarted",
    ]);
    localProbe(key).released = true;
    expect(await resultNoEviction(workflowId)).toMatchObject({
      status: "Completed",
      result: { result: "released", notes: [] },
    });
    expect(localProbe(key).starts).toBe(1);
  });

  it("a signal sent while a local activity runs is answered at once; the activity goes on (not restarted)", async () => {
    const workflowId = uniqueId("signal-local");
    const key = workflowId;
    releaseLater.push(key);
    const started = start({ workflowType: "blockedLocal", workflowId, input: { key } });
    await vi.waitFor(() => expect(localProbe(key).starts).toBe(1), { timeout: 10_000 });

    const res = await post(`/api/v1/workflows/${workflowId}/signals/note`, { input: "hi" });
    expect(res.status).toBe(202);
    expect(localProbe(key).released).toBe(false);
    expect((await started).started).toBe(true);
    expect((await history(workflowId)).map((e) => e.eventType)).toEqual([
      "WorkflowExecutionStarted",
      "WorkflowExecutionSignaled",
    ]);

    localProbe(key).released = true;
    const body = await resultNoEviction(workflowId);
    expect(body).toMatchObject({
      status: "Completed",
      result: { result: "released", notes: ["hi"] },
    });
    expect(localProbe(key).starts).toBe(1);
  });
});
