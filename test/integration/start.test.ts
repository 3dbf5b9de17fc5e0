import { env, listDurableObjectIds } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  api,
  describeWf,
  eventually,
  history,
  post,
  result,
  skipTime,
  start,
  timers,
  uniqueId,
} from "../helpers";

const ns = env.WORKFLOW_EXECUTION as unknown as DurableObjectNamespace;

async function objectIds(): Promise<string[]> {
  return (await listDurableObjectIds(ns)).map((id) => id.toString()).sort();
}

async function errorOf(res: Response) {
  const body = (await res.json()) as { error: { code: string; message: string } };
  return { status: res.status, ...body.error };
}

/** A running `sleeper` (one long timer) to run policies against. */
async function sleeping(workflowId: string, extra: Record<string, unknown> = {}) {
  const res = await post("/api/v1/workflows", {
    workflowType: "sleeper",
    workflowId,
    input: { sleeps: ["1h"] },
    ...extra,
  });
  return { status: res.status, body: (await res.json()) as { runId: string; started: boolean } };
}

describe("start: id reuse and conflict policies", () => {
  it("starts one run for a retried requestId", async () => {
    const workflowId = uniqueId("req");
    const first = await sleeping(workflowId, { requestId: "r-1" });
    const again = await sleeping(workflowId, { requestId: "r-1" });
    expect(first.status).toBe(201);
    expect(again).toEqual({
      status: 200,
      body: { workflowId, runId: first.body.runId, started: false },
    });
    // The retry started no second run: the latest run is still the first one, and it has one start.
    expect((await describeWf(workflowId)).runId).toBe(first.body.runId);
    const events = await history(workflowId);
    expect(events.filter((e) => e.eventType === "WorkflowExecutionStarted")).toHaveLength(1);
  });

  it("answers 409 AlreadyStarted for a running id, and UseExisting returns the running run", async () => {
    const workflowId = uniqueId("conflict");
    const first = await sleeping(workflowId);
    const dup = await post("/api/v1/workflows", {
      workflowType: "sleeper",
      workflowId,
      input: { sleeps: ["1s"] },
    });
    expect(await errorOf(dup)).toMatchObject({ status: 409, code: "AlreadyStarted" });
    const existing = await sleeping(workflowId, { idConflictPolicy: "UseExisting" });
    expect(existing).toEqual({
      status: 200,
      body: { workflowId, runId: first.body.runId, started: false },
    });
  });

  it("RejectDuplicate refuses a closed id; AllowDuplicate starts a new run", async () => {
    const workflowId = uniqueId("reuse");
    await start({ workflowType: "steps", workflowId, input: { n: 1, local: true } });
    await result(workflowId);
    const rejected = await post("/api/v1/workflows", {
      workflowType: "steps",
      workflowId,
      input: { n: 1 },
      idReusePolicy: "RejectDuplicate",
    });
    expect(await errorOf(rejected)).toMatchObject({ status: 409, code: "AlreadyStarted" });
    const failedOnly = await post("/api/v1/workflows", {
      workflowType: "steps",
      workflowId,
      input: { n: 1 },
      idReusePolicy: "AllowDuplicateFailedOnly",
    });
    expect(failedOnly.status).toBe(409);
    const again = await start({ workflowType: "steps", workflowId, input: { n: 2, local: true } });
    expect(again.started).toBe(true);
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: 2 });
  });

  it("AllowDuplicateFailedOnly starts again after a failure", async () => {
    const workflowId = uniqueId("failedonly");
    await start({ workflowType: "nonRetryable", workflowId });
    expect(await result(workflowId)).toMatchObject({ status: "Failed" });
    const res = await post("/api/v1/workflows", {
      workflowType: "steps",
      workflowId,
      input: { n: 1, local: true },
      idReusePolicy: "AllowDuplicateFailedOnly",
    });
    expect(res.status).toBe(201);
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: 1 });
  });

  it("TerminateIfRunning terminates the running run and starts a new one", async () => {
    const workflowId = uniqueId("terminate");
    const first = await sleeping(workflowId);
    const second = await sleeping(workflowId, { idReusePolicy: "TerminateIfRunning" });
    expect(second.status).toBe(201);
    expect(second.body.runId).not.toBe(first.body.runId);
    const old = await history(workflowId, first.body.runId);
    expect(old.at(-1)?.eventType).toBe("WorkflowExecutionTerminated");
    expect((await describeWf(workflowId)).runId).toBe(second.body.runId);
  });

  it("startDelay holds the first workflow task until the delay passes", async () => {
    const workflowId = uniqueId("delay");
    await start({
      workflowType: "steps",
      workflowId,
      input: { n: 1, local: true },
      startDelay: "1h",
    });
    await eventually(async () => {
      if (!(await timers(workflowId)).length) throw new Error("no timer yet");
    });
    expect((await describeWf(workflowId)).status).toBe("Running");
    expect((await history(workflowId)).map((e) => e.eventType)).toEqual([
      "WorkflowExecutionStarted",
    ]);
    await skipTime(workflowId, 3_600_000);
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: 1 });
  });
});

describe("start: bad input changes nothing", () => {
  const cases: Array<[string, string | Record<string, unknown>, number, string, RegExp]> = [
    [
      "an unknown workflow type",
      { workflowType: "nope", workflowId: "bad-1" },
      400,
      "InvalidArgument",
      /nope/,
    ],
    ["malformed JSON", '{"workflowType": "steps",', 400, "InvalidArgument", /JSON/i],
    ["a missing workflowType", { workflowId: "bad-2" }, 400, "InvalidArgument", /workflowType/],
    [
      "a wrong field type",
      { workflowType: "steps", workflowId: 7 },
      400,
      "InvalidArgument",
      /workflowId/,
    ],
    [
      "a bad duration",
      { workflowType: "steps", workflowId: "bad-3", runTimeout: "soon" },
      400,
      "InvalidArgument",
      /runTimeout/,
    ],
    [
      "an unknown policy",
      { workflowType: "steps", workflowId: "bad-4", idReusePolicy: "Sometimes" },
      400,
      "InvalidArgument",
      /idReusePolicy/,
    ],
    [
      "an input over the payload limit",
      { workflowType: "steps", workflowId: "bad-5", input: { blob: "x".repeat(70 * 1024) } },
      413,
      "PayloadTooLarge",
      /input/,
    ],
    [
      "a body over the request limit",
      { workflowType: "steps", workflowId: "bad-6", memo: { blob: "x".repeat(90 * 1024) } },
      413,
      "PayloadTooLarge",
      /./,
    ],
  ];

  it.each(cases)("rejects %s", async (_name, body, status, code, message) => {
    const before = await objectIds();
    const res = await post("/api/v1/workflows", body);
    const err = await errorOf(res);
    expect(err).toMatchObject({ status, code });
    expect(err.message).toMatch(message);
    expect(err.message).not.toMatch(/\n\s+at /);
    expect(await objectIds()).toEqual(before);
  });

  it("rejects a request that is not JSON", async () => {
    const before = await objectIds();
    const res = await api("/api/v1/workflows", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "hello",
    });
    expect(await errorOf(res)).toMatchObject({ status: 400, code: "InvalidArgument" });
    expect(await objectIds()).toEqual(before);
  });

  it("answers 404 NotFound for an unknown workflow id", async () => {
    const res = await api(`/api/v1/workflows/${uniqueId("missing")}`);
    expect(await errorOf(res)).toMatchObject({ status: 404, code: "NotFound" });
  });
});
