/**
 * @module History and local-activity limits (`historyMaxEvents`, `localActivitiesPerTask`), on the
 * fixture Worker's second engine whose limits are small (40 events, 3 local activities per task).
 * Its objects are driven by RPC (the API addresses the main engine), with local activities only.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { HistoryResponse, WireEvent, WorkflowDescription } from "../../sdk/common/wire";
import type { WorkflowExecutionBase } from "../../src/execution/workflow-execution";
import { eventually, startRequest, uniqueId, waitInPlace } from "../helpers";

function limited(workflowId: string): DurableObjectStub<WorkflowExecutionBase> {
  const ns = env.LIMITED_EXECUTION as unknown as DurableObjectNamespace<WorkflowExecutionBase>;
  return ns.get(ns.idFromName(`default/${workflowId}`));
}

async function startLimited(workflowId: string, workflowType: string, input: unknown) {
  const reply = await limited(workflowId).start(startRequest(workflowId, workflowType, input));
  if (!reply.ok) throw new Error(`start failed: ${JSON.stringify(reply.error)}`);
  return reply.runId;
}

async function describeLimited(workflowId: string): Promise<WorkflowDescription> {
  return JSON.parse((await limited(workflowId).describe()).body) as WorkflowDescription;
}

async function historyLimited(workflowId: string): Promise<WireEvent[]> {
  const reply = await limited(workflowId).history({ limit: 1000 });
  return (JSON.parse(reply.body) as HistoryResponse).events;
}

async function closed(workflowId: string): Promise<WorkflowDescription> {
  return eventually(async () => {
    const d = await describeLimited(workflowId);
    if (d.status === "Running") throw new Error(`${workflowId} still running`);
    return d;
  });
}

/** Waits without evicting (cold mode too), so the object's alarm counter spans the whole run. */
async function closedInPlace(workflowId: string): Promise<WorkflowDescription> {
  return waitInPlace(async () => {
    const d = await describeLimited(workflowId);
    if (d.status === "Running") throw new Error(`${workflowId} still running`);
    return d;
  });
}

describe("localActivitiesPerTask", () => {
  it("commits after every 3 local activities and continues from the alarm, history unchanged", async () => {
    const runsFor = async (n: number) => {
      const workflowId = uniqueId(`la-budget-${n}`);
      await startLimited(workflowId, "steps", { n, local: true });
      expect((await closedInPlace(workflowId)).status).toBe("Completed");
      const events = await historyLimited(workflowId);
      expect(events.map((e) => e.eventType)).toEqual([
        "WorkflowExecutionStarted",
        ...Array.from({ length: n }, () => "MarkerRecorded"),
        "WorkflowExecutionCompleted",
      ]);
      expect(events.map((e) => (e.attributes as { seq?: number }).seq).slice(1, -1)).toEqual(
        Array.from({ length: n }, (_, i) => i + 1),
      );
      expect(events.at(-1)?.attributes).toEqual({ result: n });
      return (await limited(workflowId).unsafeAlarmState()).runs;
    };
    // 3 fit in the first task; each further 3 (or fewer) need one alarm.
    expect(await runsFor(3)).toBe(0);
    expect(await runsFor(4)).toBe(1);
    expect(await runsFor(6)).toBe(1);
    expect(await runsFor(7)).toBe(2);
    expect(await runsFor(10)).toBe(3);
  });
});

describe("historyMaxEvents", () => {
  it("fails the run with HistoryTooLong (non-retryable) when its history would reach the limit", async () => {
    const workflowId = uniqueId("too-long");
    await startLimited(workflowId, "steps", { n: 100, local: true });
    const d = await closed(workflowId);
    expect(d.status).toBe("Failed");
    const events = await historyLimited(workflowId);
    // The task that would have crossed 40 events keeps nothing but the failure.
    expect(events.length).toBeLessThanOrEqual(40);
    expect(events.length).toBeGreaterThan(30);
    expect(events.map((e) => e.eventId)).toEqual(events.map((_, i) => i + 1));
    expect(events.slice(1, -1).every((e) => e.eventType === "MarkerRecorded")).toBe(true);
    const last = events[events.length - 1] as WireEvent;
    expect(last.eventType).toBe("WorkflowExecutionFailed");
    const failure = (
      last.attributes as { failure: { type: string; nonRetryable: boolean; message: string } }
    ).failure;
    expect(failure).toMatchObject({ type: "HistoryTooLong", nonRetryable: true });
    expect(failure.message).toContain("limit 40");
    expect(failure.message).toContain("continue-as-new");
    expect(d.historyLength).toBe(events.length);
    // Nothing more happens after the failure but the run's deletion at close + retention.
    expect((await limited(workflowId).unsafeTimers()).map((t) => t.kind)).toEqual(["retention"]);
  });

  it("a run under the limit is untouched", async () => {
    const workflowId = uniqueId("short-enough");
    await startLimited(workflowId, "steps", { n: 30, local: true });
    expect((await closed(workflowId)).status).toBe("Completed");
    expect((await historyLimited(workflowId)).length).toBe(32);
  });

  // Was an engine bug: the message counted only the events of the failing task ("reached 3 events").
  it("names the history's real length in the HistoryTooLong message", async () => {
    const workflowId = uniqueId("too-long-msg");
    await startLimited(workflowId, "steps", { n: 100, local: true });
    await closed(workflowId);
    const events = await historyLimited(workflowId);
    const last = events[events.length - 1] as WireEvent;
    const { message } = (last.attributes as { failure: { message: string } }).failure;
    const reached = Number(/reached (\d+) events/.exec(message)?.[1]);
    expect(reached).toBeGreaterThanOrEqual(40);
  });
});
