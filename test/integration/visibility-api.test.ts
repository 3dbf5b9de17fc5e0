import { env } from "cloudflare:test";
import { Hono } from "hono";
import { beforeAll, describe, expect, it } from "vitest";
import type { ErrorBody } from "../../sdk/common/wire";
import { visibilityRoutes } from "../../src/api/visibility-routes";
import type { EngineEnv } from "../../src/config";
import { upsertVisibility, type VisibilityRow } from "../../src/visibility/store";

/** The routes alone, on an app of their own (the engine's app mounts them the same way). */
const app = new Hono<{ Bindings: EngineEnv }>();
visibilityRoutes(app);
app.get("/api/v1/workflows/:workflowId", (c) => c.json({ describe: c.req.param("workflowId") }));

async function get(path: string, bindings: object = env): Promise<Response> {
  return app.request(`http://sundial.test${path}`, {}, bindings);
}

function q(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

const ns = `api-${crypto.randomUUID().slice(0, 8)}`;

function row(over: Partial<VisibilityRow>): VisibilityRow {
  return {
    namespace: ns,
    workflowId: "w",
    runId: "r",
    workflowType: "loanApplication",
    status: "Running",
    startTime: "2024-05-01T10:00:00.000Z",
    closeTime: null,
    executionTime: null,
    taskQueue: "default",
    historyLength: 1,
    memo: null,
    searchAttributes: {},
    version: 1,
    ...over,
  };
}

beforeAll(async () => {
  for (let i = 0; i < 5; i++) {
    await upsertVisibility(
      env.VISIBILITY,
      row({
        workflowId: `w${i}`,
        status: i < 3 ? "Running" : "Completed",
        startTime: new Date(Date.UTC(2024, 4, 1, 10, i)).toISOString(),
        searchAttributes: { CustomerId: { type: "keyword", value: `c-${i}` } },
        memo: { i },
      }),
    );
  }
  await upsertVisibility(env.VISIBILITY, {
    ...row({ workflowId: "default-ns" }),
    namespace: "default",
  });
});

describe("GET /api/v1/namespaces/{ns}/workflows", () => {
  it("lists newest first, describe-shaped", async () => {
    const res = await get(`/api/v1/namespaces/${ns}/workflows`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      executions: { workflowId: string }[];
      nextPageToken: null;
    };
    expect(body.executions.map((e) => e.workflowId)).toEqual(["w4", "w3", "w2", "w1", "w0"]);
    expect(body.executions[0]).toEqual({
      workflowId: "w4",
      runId: "r",
      workflowType: "loanApplication",
      status: "Completed",
      startTime: "2024-05-01T10:04:00.000Z",
      closeTime: null,
      executionTime: null,
      taskQueue: "default",
      historyLength: 1,
      memo: { i: 4 },
      searchAttributes: { CustomerId: "c-4" },
      parent: null,
    });
    expect(body.nextPageToken).toBeNull();
  });

  it("filters and pages with pageSize and nextPageToken", async () => {
    const query = "ExecutionStatus = 'Running' OR CustomerId = 'c-4'";
    const first = await get(`/api/v1/namespaces/${ns}/workflows?${q({ query, pageSize: "2" })}`);
    const a = (await first.json()) as {
      executions: { workflowId: string }[];
      nextPageToken: string;
    };
    expect(a.executions.map((e) => e.workflowId)).toEqual(["w4", "w2"]);
    expect(a.nextPageToken).toEqual(expect.any(String));
    const second = await get(
      `/api/v1/namespaces/${ns}/workflows?${q({ query, pageSize: "2", nextPageToken: a.nextPageToken })}`,
    );
    const b = (await second.json()) as {
      executions: { workflowId: string }[];
      nextPageToken: null;
    };
    expect(b.executions.map((e) => e.workflowId)).toEqual(["w1", "w0"]);
    expect(b.nextPageToken).toBeNull();
  });

  it("treats an empty nextPageToken as the first page", async () => {
    const res = await get(`/api/v1/namespaces/${ns}/workflows?pageSize=1&nextPageToken=`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { executions: unknown[] }).executions).toHaveLength(1);
  });

  it("uses the default namespace without the prefix", async () => {
    const res = await get("/api/v1/workflows?query=WorkflowId%20%3D%20'default-ns'");
    const body = (await res.json()) as { executions: { workflowId: string }[] };
    expect(body.executions.map((e) => e.workflowId)).toEqual(["default-ns"]);
  });
});

describe("GET …/workflow-count", () => {
  it("counts, and leaves /workflows/count to the workflow whose id is count", async () => {
    const all = await get(`/api/v1/namespaces/${ns}/workflow-count`);
    expect(all.status).toBe(200);
    expect(await all.json()).toEqual({ count: 5 });
    const running = await get(
      `/api/v1/namespaces/${ns}/workflow-count?${q({ query: "ExecutionStatus = 'Running'" })}`,
    );
    expect(await running.json()).toEqual({ count: 3 });
    expect(await (await get("/api/v1/workflow-count")).json()).toEqual({ count: 1 });
    expect(await (await get("/api/v1/workflows/count")).json()).toEqual({ describe: "count" });
    expect(await (await get("/api/v1/workflows/other")).json()).toEqual({ describe: "other" });
  });
});

describe("errors", () => {
  async function expectError(res: Response, status: number, code: string, message: string) {
    expect(res.status).toBe(status);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe(code);
    expect(body.error.message).toContain(message);
    expect(Object.keys(body)).toEqual(["error"]);
  }

  it.each([
    ["WorkflowId = 'x'; DROP TABLE executions", "unexpected token ';' at 16"],
    ["WorkflowId = 'x' -- comment", "unexpected token '--' at 17"],
    ["WorkflowId = 'x' OR 1=1", "expected a field name but found '1' at 20"],
    ["WorkflowId = 'x", "unterminated string starting at 13"],
    ["ExecutionStatus = 'Sleeping'", "unknown ExecutionStatus 'Sleeping' at 18"],
  ])("answers 400 for the malformed query %j, naming the token", async (query, message) => {
    const before = await env.VISIBILITY.prepare("SELECT COUNT(*) AS n FROM executions").first();
    for (const path of ["/workflows", "/workflow-count"]) {
      await expectError(
        await get(`/api/v1/namespaces/${ns}${path}?${q({ query })}`),
        400,
        "InvalidArgument",
        message,
      );
    }
    expect(await env.VISIBILITY.prepare("SELECT COUNT(*) AS n FROM executions").first()).toEqual(
      before,
    );
  });

  it("answers 400 for a malformed nextPageToken", async () => {
    await expectError(
      await get(`/api/v1/workflows?nextPageToken=not-a-token`),
      400,
      "InvalidArgument",
      "nextPageToken is malformed",
    );
  });

  it.each(["0", "1001", "2.5", "ten"])("answers 400 for pageSize=%s", async (pageSize) => {
    await expectError(
      await get(`/api/v1/workflows?pageSize=${pageSize}`),
      400,
      "InvalidArgument",
      "pageSize",
    );
  });

  it("answers 400 for an invalid namespace", async () => {
    await expectError(
      await get("/api/v1/namespaces/bad%20ns/workflows"),
      400,
      "InvalidArgument",
      "namespace",
    );
  });

  it("answers 500 without a VISIBILITY binding, with no stack trace", async () => {
    await expectError(
      await get("/api/v1/workflows", {}),
      500,
      "Internal",
      "VISIBILITY D1 binding is not configured",
    );
  });
});
