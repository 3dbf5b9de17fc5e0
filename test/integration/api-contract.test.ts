/**
 * @module API.md, sentence by sentence, where the other integration tests leave a gap: the error
 * shape on every path, API.md's `?a=&b=` notation (an empty parameter is one not given), the exact
 * bodies of start, signal, cancel and terminate, describe's fields, history paging and the event
 * type names.
 */
import { describe, expect, it } from "vitest";
import type { HistoryResponse, WorkflowDescription } from "../../sdk/common/wire";
import { EVENT_TYPES } from "../../src/history/events";
import { api, describeWf, eventually, history, post, result, start, uniqueId } from "../helpers";

const wf = (id: string) => `/api/v1/workflows/${encodeURIComponent(id)}`;

/** Asserts API.md's error shape exactly (`{"error": {"code", "message"}}`, nothing else) and returns it. */
async function expectError(res: Response, status: number, code: string): Promise<string> {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/json");
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(["error"]);
  expect(Object.keys(body.error).sort()).toEqual(["code", "message"]);
  expect(body.error.code).toBe(code);
  expect(body.error.message).not.toMatch(/\n\s+at /); // never a stack trace
  return body.error.message;
}

async function sleeping(workflowId: string): Promise<string> {
  const { runId } = await start({ workflowType: "sleeper", workflowId, input: { sleeps: ["1h"] } });
  return runId;
}

describe("errors", () => {
  it("answers unknown routes and unsupported methods 404 NotFound in the error shape", async () => {
    await expectError(await api("/api/v1/nope"), 404, "NotFound");
    await expectError(await api("/api/v1/schedules/x/nope"), 404, "NotFound");
    await expectError(await api(wf("any"), { method: "DELETE" }), 404, "NotFound");
    await expectError(
      await api("/api/v1/workflows", { method: "PUT", body: "{}" }),
      404,
      "NotFound",
    );
  });

  it("answers 400 InvalidArgument for bad JSON, a non-object body and an unknown field", async () => {
    await expectError(await post("/api/v1/workflows", "{nope"), 400, "InvalidArgument");
    for (const body of ["[]", "null", "3"]) {
      const message = await expectError(
        await post("/api/v1/workflows", body),
        400,
        "InvalidArgument",
      );
      expect(message).toBe("Request body must be a JSON object");
    }
    const unknown = await post("/api/v1/workflows", { workflowType: "sleeper", colour: "red" });
    expect(await expectError(unknown, 400, "InvalidArgument")).toContain("colour");
    const signal = await post(`${wf("any")}/signals/s`, "[1]");
    expect(await expectError(signal, 400, "InvalidArgument")).toBe(
      "Request body must be a JSON object",
    );
  });

  it("answers 413 PayloadTooLarge for an oversized body or input, 404 for an unknown workflow", async () => {
    const workflowId = uniqueId("big");
    const huge = await post("/api/v1/workflows", {
      workflowType: "sleeper",
      workflowId,
      input: { sleeps: [], pad: "x".repeat(100 * 1024) },
    });
    await expectError(huge, 413, "PayloadTooLarge");
    await expectError(await api(wf(workflowId)), 404, "NotFound"); // the rejected start changed nothing
    await expectError(await api(`${wf(workflowId)}/result`), 404, "NotFound");
    await expectError(await api(`${wf(workflowId)}/history`), 404, "NotFound");
    await expectError(await post(`${wf(workflowId)}/signals/s`, {}), 404, "NotFound");
  });
});

describe("start", () => {
  it("answers 201 {workflowId, runId, started: true} with a new UUID as the default id", async () => {
    const res = await post("/api/v1/workflows", { workflowType: "sleeper", input: { sleeps: [] } });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["runId", "started", "workflowId"]);
    expect(body.started).toBe(true);
    expect(body.workflowId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(await result(body.workflowId as string)).toMatchObject({ status: "Completed" });
  });

  it("answers 400 InvalidArgument naming the registered types for an unknown workflowType", async () => {
    const message = await expectError(
      await post("/api/v1/workflows", { workflowType: "noSuchType" }),
      400,
      "InvalidArgument",
    );
    expect(message).toContain("noSuchType");
    expect(message).toContain("sleeper");
  });
});

describe("API.md's `?param=` notation: an empty query parameter is one not given", () => {
  it("result, history, describe, signal, cancel and terminate take `runId=` as the latest run", async () => {
    const workflowId = uniqueId("empty-params");
    const runId = await sleeping(workflowId);
    const running = await api(`${wf(workflowId)}/result?runId=&wait=`);
    expect(running.status).toBe(202);
    expect(await running.json()).toEqual({ status: "Running" });

    const page = await api(`${wf(workflowId)}/history?runId=&after=&limit=&nextPageToken=`);
    expect(page.status).toBe(200);
    expect(((await page.json()) as HistoryResponse).events[0]?.eventType).toBe(
      "WorkflowExecutionStarted",
    );
    expect((await describeWf(workflowId)).runId).toBe(runId);
    expect((await api(`${wf(workflowId)}?runId=`)).status).toBe(200);

    const signal = await post(`${wf(workflowId)}/signals/ping?runId=`, {});
    expect(signal.status).toBe(202);
    expect(await signal.json()).toEqual({});
    const terminate = await post(`${wf(workflowId)}/terminate?runId=`, { reason: "done" });
    expect(terminate.status).toBe(200);
    expect(await terminate.json()).toEqual({});
    // A closed run takes no more messages: 409.
    expect((await post(`${wf(workflowId)}/signals/ping`, {})).status).toBe(409);
    expect((await post(`${wf(workflowId)}/cancel`, {})).status).toBe(409);
    expect(await result(workflowId)).toMatchObject({ status: "Terminated", runId });

    const other = uniqueId("empty-params-cancel");
    await sleeping(other);
    const cancel = await post(`${wf(other)}/cancel?runId=`, {});
    expect(cancel.status).toBe(202);
    expect(await cancel.json()).toEqual({});
    expect(await result(other)).toMatchObject({ status: "Canceled" });
  });

  it("list and count take `query=&pageSize=&nextPageToken=` as no filter, default page", async () => {
    const list = await api("/api/v1/workflows?query=&pageSize=&nextPageToken=");
    expect(list.status).toBe(200);
    const body = (await list.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["executions", "nextPageToken"]);
    expect(Array.isArray(body.executions)).toBe(true);
    const count = await api("/api/v1/workflow-count?query=");
    expect(count.status).toBe(200);
    expect(Object.keys((await count.json()) as object)).toEqual(["count"]);
  });
});

describe("describe", () => {
  it("has every field API.md names, closeTime null while running, ISO-8601 times", async () => {
    const workflowId = uniqueId("describe-fields");
    await start({
      workflowType: "sleeper",
      workflowId,
      input: { sleeps: ["1h"] },
      memo: { note: "m" },
      searchAttributes: { CustomerId: "c-7" },
    });
    const d = (await describeWf(workflowId)) as unknown as Record<string, unknown>;
    for (const field of [
      "workflowId",
      "runId",
      "workflowType",
      "status",
      "startTime",
      "closeTime",
      "taskQueue",
      "historyLength",
      "memo",
      "searchAttributes",
      "parent",
      "pendingActivities",
      "pendingTimers",
      "pendingChildren",
    ]) {
      expect(d, field).toHaveProperty(field);
    }
    const desc = d as unknown as WorkflowDescription;
    expect(desc).toMatchObject({
      workflowId,
      workflowType: "sleeper",
      status: "Running",
      closeTime: null,
      taskQueue: "default",
      memo: { note: "m" },
      searchAttributes: { CustomerId: "c-7" },
      parent: null,
    });
    expect(new Date(desc.startTime).toISOString()).toBe(desc.startTime);
    await post(`${wf(workflowId)}/terminate`, {});
    const closed = await describeWf(workflowId);
    expect(closed.status).toBe("Terminated");
    expect(new Date(closed.closeTime ?? "").toISOString()).toBe(closed.closeTime);
  });
});

describe("history", () => {
  it("pages with limit and nextPageToken: ids from 1 by 1, a null token on the last page", async () => {
    const workflowId = uniqueId("paging");
    await start({ workflowType: "sleeper", workflowId, input: { sleeps: ["1s", "2s"] } });
    await post(`${wf(workflowId)}/terminate`, {});
    const all = await history(workflowId);
    expect(all.length).toBeGreaterThanOrEqual(4);
    const seen: number[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const q = token ? `limit=2&nextPageToken=${encodeURIComponent(token)}` : "limit=2";
      const res = await api(`${wf(workflowId)}/history?${q}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as HistoryResponse;
      expect(page.events.length).toBeLessThanOrEqual(2);
      for (const e of page.events) {
        expect(Object.keys(e).sort()).toEqual(["attributes", "eventId", "eventType", "timestamp"]);
        seen.push(e.eventId);
      }
      token = page.nextPageToken;
      pages += 1;
    } while (token && pages < 20);
    expect(token).toBeNull();
    expect(seen).toEqual(all.map((_, i) => i + 1));
    const after = (await (
      await api(`${wf(workflowId)}/history?after=2`)
    ).json()) as HistoryResponse;
    expect(after.events[0]?.eventId).toBe(3);
  });

  it("records a canceled activity as ActivityTaskCancelRequested then ActivityTaskCanceled", async () => {
    const workflowId = uniqueId("activity-canceled");
    await start({ workflowType: "cancellable", workflowId, input: { on: "activity" } });
    await eventually(async () => {
      if ((await describeWf(workflowId)).pendingActivities.length === 0) {
        throw new Error("activity not scheduled yet");
      }
    });
    expect((await post(`${wf(workflowId)}/cancel`, {})).status).toBe(202);
    expect(await result(workflowId)).toMatchObject({ status: "Canceled" });
    const events = await history(workflowId);
    const types = events.map((e) => e.eventType);
    const requested = types.indexOf("ActivityTaskCancelRequested");
    expect(requested).toBeGreaterThan(0);
    expect(types[requested + 1]).toBe("ActivityTaskCanceled");
    expect(events[requested + 1]?.attributes).toEqual(events[requested]?.attributes);
    expect(types.filter((t) => t === "ActivityTaskCanceled")).toHaveLength(1);
    for (const t of types) expect(EVENT_TYPES).toContain(t);
  });
});
