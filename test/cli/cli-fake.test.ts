/**
 * @module The `sundial` CLI against a scripted HTTP server: what it sends (API key, namespace,
 * paths, bodies), how it maps statuses to exit codes, and live history over Server-Sent Events
 * with a reconnect from `Last-Event-ID`.
 */
import { afterEach, describe, it } from "vitest";
import { type FakeReply, type FakeServer, runCli, startFakeServer } from "./harness.mjs";

let fake: FakeServer | undefined;

afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

async function serve(handler: Parameters<typeof startFakeServer>[0]): Promise<FakeServer> {
  fake = await startFakeServer(handler);
  return fake;
}

const jsonReply = (status: number, body: unknown): FakeReply => ({
  status,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

function event(eventId: number, eventType: string): Record<string, unknown> {
  return { eventId, eventType, timestamp: new Date(eventId * 1000).toISOString(), attributes: {} };
}

function sse(...events: Record<string, unknown>[]): string[] {
  return events.map(
    (e) => `id: ${e.eventId}\nevent: ${e.eventType}\ndata: ${JSON.stringify(e)}\n\n`,
  );
}

describe("sundial request shape", () => {
  it("sends the API key as a bearer token and the namespace in the path", async ({ expect }) => {
    const server = await serve(() => jsonReply(202, {}));
    const run = await runCli([
      ...["--address", server.address, "--namespace", "payments", "--api-key", "s3cret"],
      ...["workflow", "signal", "order/7", "approve", "--input", '{"ok": true}'],
      ...["--request-id", "r-1"],
    ]);
    expect(run.code, run.stderr).toBe(0);
    const [request] = server.requests;
    expect(request).toMatchObject({
      method: "POST",
      url: "/api/v1/namespaces/payments/workflows/order%2F7/signals/approve",
      headers: { authorization: "Bearer s3cret", "content-type": "application/json" },
    });
    expect(JSON.parse(request?.body ?? "")).toEqual({ input: { ok: true }, requestId: "r-1" });
  });

  it("takes the namespace and API key from the environment", async ({ expect }) => {
    const server = await serve(() => jsonReply(200, { count: 3 }));
    const run = await runCli(["workflow", "count", "--query", "ExecutionStatus = 'Running'"], {
      env: { SUNDIAL_ADDRESS: server.address, SUNDIAL_NAMESPACE: "ns1", SUNDIAL_API_KEY: "k" },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe("Total: 3");
    const query = new URLSearchParams({ query: "ExecutionStatus = 'Running'" });
    expect(server.requests[0]?.url).toBe(`/api/v1/namespaces/ns1/workflow-count?${query}`);
    expect(server.requests[0]?.headers.authorization).toBe("Bearer k");
  });

  it("start sends every option in API.md's body", async ({ expect }) => {
    const server = await serve(() =>
      jsonReply(201, { workflowId: "loan-1", runId: "run-1", started: true }),
    );
    const run = await runCli(
      [
        ...["--address", server.address, "workflow", "start", "--type", "loanApplication"],
        ...["-w", "loan-1", "-q", "loans", "--input-file", "-"],
        ...["--id-reuse-policy", "RejectDuplicate", "--id-conflict-policy", "UseExisting"],
        ...["--request-id", "req-1", "--start-delay", "10s", "--execution-timeout", "30d"],
        ...["--run-timeout", "1d", "--retry-policy", '{"maximumAttempts": 3}'],
        ...["--memo", '{"note": "hi"}', "--search-attributes", '{"CustomerId": "c-7"}'],
        ...["--signal", "approve", "--signal-input", "true"],
      ],
      { stdin: '{"applicant": "Ada", "amount": 5000}' },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(server.requests[0]).toMatchObject({ method: "POST", url: "/api/v1/workflows" });
    expect(JSON.parse(server.requests[0]?.body ?? "")).toEqual({
      workflowType: "loanApplication",
      workflowId: "loan-1",
      input: { applicant: "Ada", amount: 5000 },
      taskQueue: "loans",
      idReusePolicy: "RejectDuplicate",
      idConflictPolicy: "UseExisting",
      requestId: "req-1",
      startDelay: "10s",
      executionTimeout: "30d",
      runTimeout: "1d",
      retryPolicy: { maximumAttempts: 3 },
      memo: { note: "hi" },
      searchAttributes: { CustomerId: "c-7" },
      signal: { name: "approve", input: true },
    });
  });

  it("query, update, cancel and terminate hit API.md's paths", async ({ expect }) => {
    const server = await serve((req) =>
      req.url.includes("/queries/") || req.url.includes("/updates/")
        ? jsonReply(200, { result: { stage: "review" } })
        : jsonReply(req.url.endsWith("/cancel") ? 202 : 200, {}),
    );
    const base = ["--address", server.address, "workflow"];
    const query = await runCli([...base, "query", "w1", "status", "-i", "1"]);
    expect(query.stdout.trim()).toBe('{\n  "stage": "review"\n}');
    const update = await runCli(["--json", ...base, "update", "w1", "bump", "--update-id", "u1"]);
    expect(JSON.parse(update.stdout)).toEqual({ result: { stage: "review" } });
    await runCli([...base, "cancel", "w1", "--reason", "done"]);
    await runCli([...base, "terminate", "-w", "w1"]);
    expect(server.requests.map((r) => [r.method, r.url, JSON.parse(r.body || "null")])).toEqual([
      ["POST", "/api/v1/workflows/w1/queries/status", { input: 1 }],
      ["POST", "/api/v1/workflows/w1/updates/bump", { updateId: "u1" }],
      ["POST", "/api/v1/workflows/w1/cancel", { reason: "done" }],
      ["POST", "/api/v1/workflows/w1/terminate", {}],
    ]);
  });

  it("list follows pages up to --limit and hands back the next token", async ({ expect }) => {
    const row = (id: string) => ({
      workflowId: id,
      runId: `run-${id}`,
      workflowType: "steps",
      status: "Completed",
      startTime: "2026-01-01T00:00:00.000Z",
      closeTime: "2026-01-01T00:00:01.000Z",
    });
    const server = await serve((req) =>
      req.url.includes("nextPageToken=p2")
        ? jsonReply(200, { executions: [row("c")], nextPageToken: "p3" })
        : jsonReply(200, { executions: [row("a"), row("b")], nextPageToken: "p2" }),
    );
    const run = await runCli(["--address", server.address, "wf", "list", "--limit", "3"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim().split("\n")).toEqual([
      "STATUS     WORKFLOW ID  TYPE   START TIME                CLOSE TIME",
      "Completed  a            steps  2026-01-01T00:00:00.000Z  2026-01-01T00:00:01.000Z",
      "Completed  b            steps  2026-01-01T00:00:00.000Z  2026-01-01T00:00:01.000Z",
      "Completed  c            steps  2026-01-01T00:00:00.000Z  2026-01-01T00:00:01.000Z",
    ]);
    expect(run.stderr).toContain("--next-page-token p3");
    expect(server.requests.map((r) => r.url)).toEqual([
      "/api/v1/workflows?pageSize=3",
      "/api/v1/workflows?pageSize=1&nextPageToken=p2",
    ]);
  });
});

describe("sundial exit codes by status", () => {
  const cases: [number, string, number][] = [
    [400, "InvalidArgument", 2],
    [401, "Unauthenticated", 5],
    [403, "PermissionDenied", 5],
    [404, "NotFound", 3],
    [409, "FailedPrecondition", 4],
    [413, "PayloadTooLarge", 2],
    [429, "ResourceExhausted", 1],
    [500, "Internal", 1],
  ];
  it.for(cases)("HTTP %i %s exits %i", async ([status, code, exit], { expect }) => {
    const server = await serve(() => jsonReply(status, { error: { code, message: "nope" } }));
    const run = await runCli(["--json", "--address", server.address, "workflow", "cancel", "w"]);
    expect(run.code).toBe(exit);
    expect(JSON.parse(run.stdout)).toEqual({ error: { code, message: "nope", status } });
    expect(run.stderr).toBe(`sundial: error: nope (${code}, HTTP ${status})\n`);
  });

  it("a non-JSON error page exits 1 with its status line", async ({ expect }) => {
    const server = await serve(() => ({
      status: 502,
      headers: { "content-type": "text/html" },
      body: "<h1>Bad gateway</h1>",
    }));
    const run = await runCli(["--address", server.address, "workflow", "describe", "w"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("HTTP 502");
  });
});

describe("sundial workflow history --follow over Server-Sent Events", () => {
  it("prints each event once, resuming after a dropped stream from Last-Event-ID", async ({
    expect,
  }) => {
    let streams = 0;
    const server = await serve((req) => {
      if (req.url.startsWith("/api/v1/workflows/w1/history")) {
        streams += 1;
        const streamHeaders = { "content-type": "text/event-stream", "cache-control": "no-cache" };
        if (streams === 1) {
          // Three events, a keep-alive comment, then the connection drops mid-run.
          return {
            headers: streamHeaders,
            body: [
              ...sse(event(1, "WorkflowExecutionStarted"), event(2, "TimerStarted")),
              ": ping\n\n",
              ...sse(event(3, "TimerFired")),
            ],
            chunkDelayMs: 20,
          };
        }
        // The reconnect repeats event 3 (the client drops it) and runs to the close.
        return {
          headers: streamHeaders,
          body: sse(
            event(3, "TimerFired"),
            event(4, "ActivityTaskScheduled"),
            event(5, "WorkflowExecutionCompleted"),
          ),
        };
      }
      if (req.url.startsWith("/api/v1/workflows/w1")) {
        return jsonReply(200, {
          workflowId: "w1",
          runId: "r1",
          status: "Running",
          historyLength: 4,
        });
      }
      return jsonReply(404, { error: { code: "NotFound", message: "no" } });
    });

    const run = await runCli(["--json", "--address", server.address, "wf", "history", "w1", "-f"]);
    expect(run.code, run.stderr).toBe(0);
    const events = run.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(events.map((e) => [e.eventId, e.eventType])).toEqual([
      [1, "WorkflowExecutionStarted"],
      [2, "TimerStarted"],
      [3, "TimerFired"],
      [4, "ActivityTaskScheduled"],
      [5, "WorkflowExecutionCompleted"],
    ]);
    const historyRequests = server.requests.filter((r) => r.url.includes("/history"));
    expect(historyRequests).toHaveLength(2);
    expect(historyRequests[0]?.headers.accept).toBe("text/event-stream");
    expect(historyRequests[0]?.headers["last-event-id"]).toBeUndefined();
    expect(historyRequests[1]?.headers["last-event-id"]).toBe("3");
    expect(historyRequests[1]?.url).toBe("/api/v1/workflows/w1/history?after=3");
  });

  it("ends at once for a run that closed before it connected", async ({ expect }) => {
    const server = await serve((req) =>
      req.url.includes("/history")
        ? { headers: { "content-type": "text/event-stream" }, body: "" }
        : jsonReply(200, { workflowId: "w1", runId: "r1", status: "Completed", historyLength: 9 }),
    );
    const run = await runCli([
      ...["--address", server.address, "wf", "history", "w1", "--follow", "--after", "9"],
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toMatch(/^ID\s+TIME\s+TYPE\s+DETAILS$/);
  });
});
