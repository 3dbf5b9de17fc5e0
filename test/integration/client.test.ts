/** @module The typed client (sdk/client) against the engine in workerd, through `SELF.fetch`. */
import { SELF } from "cloudflare:test";
import { describe, expectTypeOf, it } from "vitest";
import type { LoanResult, loanApplication } from "../../examples/loan-application";
import type { steps } from "../../examples/steps";
import {
  ApplicationFailure,
  createClient,
  SundialApiError,
  WorkflowFailedError,
} from "../../sdk/client/index";
import { eventually, skipTime, timers, uniqueId } from "../helpers";

const client = createClient({
  baseUrl: "http://sundial.test",
  fetch: (input, init) => SELF.fetch(input, init),
});

/** Resolves with the error `promise` rejects with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

describe("client", () => {
  it("starts a workflow and awaits its typed result", async ({ expect }) => {
    const workflowId = uniqueId("client-steps");
    const handle = await client.start<typeof steps>("steps", { workflowId, input: { n: 2 } });
    expect(handle).toMatchObject({ workflowId, started: true });
    expect(handle.runId).toEqual(expect.any(String));

    const result = await handle.result();
    expectTypeOf(result).toEqualTypeOf<number>();
    expect(result).toBe(2);

    const description = await handle.describe();
    expect(description).toMatchObject({
      workflowId,
      runId: handle.runId,
      workflowType: "steps",
      status: "Completed",
      taskQueue: "default",
      pendingActivities: [],
    });

    const events = await handle.fetchAllHistory();
    expect(events.map((e) => e.eventType)).toEqual([
      "WorkflowExecutionStarted",
      ...["ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted"],
      ...["ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted"],
      "WorkflowExecutionCompleted",
    ]);
    expect(events.map((e) => e.eventId)).toEqual(events.map((_, i) => i + 1));
    expect(description.historyLength).toBe(events.length);
  });

  it("pages through history with limit, nextPageToken and after", async ({ expect }) => {
    const workflowId = uniqueId("client-pages");
    const handle = await client.start<typeof steps>("steps", { workflowId, input: { n: 2 } });
    await handle.result();

    const first = await handle.history({ limit: 3 });
    expect(first.events.map((e) => e.eventId)).toEqual([1, 2, 3]);
    expect(first.nextPageToken).toEqual(expect.any(String));
    const second = await handle.history({ limit: 3, nextPageToken: first.nextPageToken ?? "" });
    expect(second.events.map((e) => e.eventId)).toEqual([4, 5, 6]);
    const rest = await handle.history({ after: 6 });
    expect(rest.events.map((e) => e.eventId)).toEqual([7, 8]);
    expect(rest.nextPageToken ?? null).toBeNull();
  });

  it("finds the run through getHandle, with or without a runId", async ({ expect }) => {
    const workflowId = uniqueId("client-gethandle");
    const started = await client.start<typeof steps>("steps", { workflowId, input: { n: 1 } });
    const latest = client.getHandle<typeof steps>(workflowId);
    expect(latest.runId).toBeUndefined();
    expect(await latest.result()).toBe(1);
    const pinned = client.getHandle(workflowId, started.runId);
    expect((await pinned.describe()).runId).toBe(started.runId);
  });

  it("deduplicates a start that repeats its requestId", async ({ expect }) => {
    const workflowId = uniqueId("client-request-id");
    const options = { workflowId, input: { n: 0 }, requestId: `req-${workflowId}` };
    const first = await client.start<typeof steps>("steps", options);
    const again = await client.start<typeof steps>("steps", options);
    expect(first.started).toBe(true);
    expect(again).toMatchObject({ started: false, runId: first.runId });
    expect(await again.result()).toBe(0);
  });

  it("resolves a loan application with its typed result once the review timer fires", async ({
    expect,
  }) => {
    const handle = await client.start<typeof loanApplication>("loanApplication", {
      workflowId: uniqueId("client-loan"),
      input: { applicant: "Ada", amount: 5000, reviewWindow: "1h" },
    });
    // The review window is a durable timer: skip the hour instead of waiting for it.
    await eventually(async () => {
      const pending = await timers(handle.workflowId);
      if (!pending.some((t) => t.kind === "timer")) throw new Error("no review timer yet");
    });
    await skipTime(handle.workflowId, 3_600_000);

    const result = await handle.result();
    expectTypeOf(result).toEqualTypeOf<LoanResult>();
    expect(result).toMatchObject({ applicant: "Ada", amount: 5000, decision: "approved" });
    expect(result.creditScore).toBeGreaterThanOrEqual(300);
    const description = await handle.describe();
    expect(description).toMatchObject({ status: "Completed", pendingTimers: [] });
  });

  it("rejects with WorkflowFailedError carrying the status and the revived failure", async ({
    expect,
  }) => {
    const handle = await client.start<typeof loanApplication>("loanApplication", {
      workflowId: uniqueId("client-failed"),
      input: { applicant: "Ada", amount: -1 },
    });
    expectTypeOf(handle.result).returns.resolves.toEqualTypeOf<LoanResult>();
    const err = await rejection(handle.result());
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const failed = err as WorkflowFailedError;
    expect(failed).toMatchObject({
      workflowId: handle.workflowId,
      runId: handle.runId,
      status: "Failed",
      failure: { type: "InvalidApplication" },
    });
    expect(failed.cause).toBeInstanceOf(ApplicationFailure);
    expect((failed.cause as ApplicationFailure).type).toBe("InvalidApplication");
  });

  it("follows workflow retries from the started run to the last one", async ({ expect }) => {
    // `nonRetryable` fails its run with an ActivityFailure, which the workflow retry policy retries.
    const handle = await client.start("nonRetryable", {
      workflowId: uniqueId("client-retried"),
      retryPolicy: { maximumAttempts: 2, initialInterval: "10ms" },
    });
    const last = await rejection(handle.result());
    expect(last).toBeInstanceOf(WorkflowFailedError);
    expect(last).toMatchObject({ status: "Failed", failure: { type: "ActivityFailure" } });
    const lastRunId = (last as WorkflowFailedError).runId;
    expect(lastRunId).not.toBe(handle.runId);

    const own = await rejection(handle.result({ followRuns: false }));
    expect(own).toMatchObject({ status: "Failed", runId: handle.runId });
    const latest = await rejection(client.getHandle(handle.workflowId).result());
    expect(latest).toMatchObject({ status: "Failed", runId: lastRunId });
  });

  it("throws SundialApiError 400 InvalidArgument for an unknown workflow type", async ({
    expect,
  }) => {
    const err = await rejection(
      client.start("noSuchWorkflow", { workflowId: uniqueId("client-unknown") }),
    );
    expect(err).toBeInstanceOf(SundialApiError);
    expect(err).toMatchObject({
      status: 400,
      code: "InvalidArgument",
      method: "POST",
      path: "/workflows",
    });
    expect((err as SundialApiError).message).toContain("noSuchWorkflow");
  });

  it("throws SundialApiError 404 NotFound for an unknown workflow id", async ({ expect }) => {
    const handle = client.getHandle(uniqueId("client-missing"));
    for (const call of [() => handle.describe(), () => handle.result(), () => handle.history()]) {
      const err = await rejection(call());
      expect(err).toBeInstanceOf(SundialApiError);
      expect(err).toMatchObject({ status: 404, code: "NotFound" });
    }
  });

  it("types the input of start from the definition", () => {
    // Compile-time checks only: these calls are never made.
    const typed = () => {
      // @ts-expect-error input is required for steps
      void client.start<typeof steps>("steps", {});
      // @ts-expect-error n must be a number
      void client.start<typeof steps>("steps", { input: { n: "2" } });
      void client.start("anything", {});
    };
    expectTypeOf(typed).toBeFunction();
  });
});

describe("client transport", () => {
  type Call = { url: string; method: string; headers: Record<string, string>; body?: string };

  /** A fake `fetch` answering from `replies` in turn (an Error is thrown as a network failure). */
  function fakeFetch(replies: (Response | Error)[]) {
    const calls: Call[] = [];
    const fetch = async (input: string, init?: RequestInit): Promise<Response> => {
      calls.push({
        url: input,
        method: init?.method ?? "GET",
        headers: Object.fromEntries(new Headers(init?.headers).entries()),
        ...(typeof init?.body === "string" ? { body: init.body } : {}),
      });
      const reply = replies.shift();
      if (!reply) throw new Error("no more replies");
      if (reply instanceof Error) throw reply;
      return reply;
    };
    return { calls, fetch };
  }

  const running = () => Response.json({ status: "Running" }, { status: 202 });
  const completed = (result: unknown) =>
    Response.json({ status: "Completed", result, runId: "r1" });

  it("uses the namespace path and the API key", async ({ expect }) => {
    const { calls, fetch } = fakeFetch([completed(7)]);
    const c = createClient({
      baseUrl: "https://x.test/",
      namespace: "team-a",
      apiKey: "k1",
      fetch,
    });
    expect(await c.getHandle("wf 1").result()).toBe(7);
    expect(calls[0]?.url).toBe(
      "https://x.test/api/v1/namespaces/team-a/workflows/wf%201/result?wait=60000ms",
    );
    expect(calls[0]?.headers.authorization).toBe("Bearer k1");
  });

  it("sends the start body with a generated requestId and maps signalWithStart", async ({
    expect,
  }) => {
    const { calls, fetch } = fakeFetch([
      Response.json({ workflowId: "w", runId: "r", started: true }, { status: 201 }),
    ]);
    const c = createClient({ baseUrl: "https://x.test", fetch });
    const handle = await c.start("greeting", {
      workflowId: "w",
      input: { name: "Ada" },
      startDelay: "10s",
      signalWithStart: { name: "go", input: 1 },
    });
    expect(handle).toMatchObject({ workflowId: "w", runId: "r", started: true });
    expect(calls[0]).toMatchObject({ url: "https://x.test/api/v1/workflows", method: "POST" });
    expect(calls[0]?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(calls[0]?.body ?? "")).toEqual({
      workflowType: "greeting",
      workflowId: "w",
      input: { name: "Ada" },
      startDelay: "10s",
      requestId: expect.any(String),
      signal: { name: "go", input: 1 },
    });
  });

  it("retries an idempotent request once after a 503 or a network error", async ({ expect }) => {
    const unavailable = () => new Response("Your worker restarted mid-request", { status: 503 });
    const { calls, fetch } = fakeFetch([
      unavailable(),
      running(),
      new TypeError("fetch failed"),
      completed("ok"),
    ]);
    const c = createClient({ baseUrl: "https://x.test", fetch });
    expect(await c.getHandle("w").result({ wait: "1ms" })).toBe("ok");
    expect(calls).toHaveLength(4);
  });

  it("gives up after one retry and reports a non-JSON error as Unavailable", async ({ expect }) => {
    const unavailable = () => new Response("<html>bad gateway</html>", { status: 503 });
    const { calls, fetch } = fakeFetch([unavailable(), unavailable()]);
    const c = createClient({ baseUrl: "https://x.test", fetch });
    const err = await rejection(c.getHandle("w").describe());
    expect(err).toBeInstanceOf(SundialApiError);
    expect(err).toMatchObject({
      status: 503,
      code: "Unavailable",
      method: "GET",
      path: "/workflows/w",
    });
    expect(calls).toHaveLength(2);
  });

  it("does not retry a request that is not idempotent", async ({ expect }) => {
    const { calls, fetch } = fakeFetch([new Response("", { status: 503 })]);
    const c = createClient({ baseUrl: "https://x.test", fetch });
    await expect(c.getHandle("w").terminate("stop")).rejects.toMatchObject({ status: 503 });
    expect(calls).toHaveLength(1);
  });

  it("stops waiting for a result when its signal aborts", async ({ expect }) => {
    const { calls, fetch } = fakeFetch(Array.from({ length: 50 }, running));
    const controller = new AbortController();
    // Aborts while the second poll is answered, so the client is between polls (no wall clock).
    const aborting = async (input: string, init?: RequestInit) => {
      const res = await fetch(input, init);
      if (calls.length === 2) controller.abort(new Error("gave up"));
      return res;
    };
    const c = createClient({ baseUrl: "https://x.test", fetch: aborting });
    const pending = c.getHandle("w").result({ wait: 0, signal: controller.signal });
    await expect(pending).rejects.toThrow("gave up");
    expect(calls).toHaveLength(2);
  });
});
