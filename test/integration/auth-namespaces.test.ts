/**
 * Issue 11, namespaces: registered through the API (default always exists), an unregistered one is
 * a 404 on every route before anything is touched, and two namespaces holding the same workflow
 * ids stay apart in every route and in list/count; a key of one cannot read, signal or list the other.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_RETENTION_MS, namespaceRetentionMs } from "../../src/namespaces/registry";
import {
  ADMIN_KEY,
  type CreatedKey,
  call,
  createKey,
  ok,
  registerNamespace,
} from "../auth-harness";
import { eventually, mode } from "../helpers";

const run = crypto.randomUUID().slice(0, 6);
const nsA = `iso-a-${mode}-${run}`;
const nsB = `iso-b-${mode}-${run}`;
const prefix = (ns: string) => `/api/v1/namespaces/${ns}`;

describe("the namespace registry", () => {
  it("creates, describes, lists and changes namespaces; default always exists", async () => {
    const name = `reg-${mode}-${run}`;
    const created = await ok(201, "POST", "/api/v1/namespaces", {
      body: { name, retention: "1h", description: "for the registry test" },
    });
    expect(created).toEqual({
      name,
      retention: "1h",
      description: "for the registry test",
      createTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(await ok(200, "GET", `/api/v1/namespaces/${name}`)).toEqual(created);
    expect(await namespaceRetentionMs(env, name)).toBe(3_600_000);
    const changed = await ok(200, "PATCH", `/api/v1/namespaces/${name}`, {
      body: { retention: "2d" },
    });
    expect(changed).toMatchObject({ name, retention: "2d", description: "for the registry test" });
    expect(await namespaceRetentionMs(env, name)).toBe(2 * 86_400_000);
    const { namespaces } = await ok<{ namespaces: { name: string }[] }>(
      200,
      "GET",
      "/api/v1/namespaces",
    );
    expect(namespaces.map((n) => n.name)).toEqual(expect.arrayContaining(["default", name]));
    const dflt = await ok<{ retention: string }>(200, "GET", "/api/v1/namespaces/default");
    expect(dflt.retention).toBe("30d");
    expect(DEFAULT_RETENTION_MS).toBe(30 * 86_400_000);
    expect(await namespaceRetentionMs(env, `never-${run}`)).toBe(DEFAULT_RETENTION_MS);
  });

  it("refuses a taken name, a bad name, a bad retention and unknown fields", async () => {
    expect(
      (await call("POST", "/api/v1/namespaces", { key: ADMIN_KEY, body: { name: "default" } }))
        .status,
    ).toBe(409);
    for (const body of [
      { name: "bad name" },
      { name: "*" },
      { name: `ok-${run}`, retention: "30s" },
      { name: `ok-${run}`, retention: "forever" },
      { name: `ok-${run}`, color: "blue" },
      { name: `ok-${run}`, description: "x".repeat(2000) },
    ]) {
      const res = await call("POST", "/api/v1/namespaces", { key: ADMIN_KEY, body });
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(400);
    }
    expect((await call("GET", `/api/v1/namespaces/ok-${run}`, { key: ADMIN_KEY })).status).toBe(
      404,
    );
    expect(
      (
        await call("PATCH", `/api/v1/namespaces/never-${run}`, {
          key: ADMIN_KEY,
          body: { description: "x" },
        })
      ).status,
    ).toBe(404);
  });

  it("answers 404 for every route of an unregistered namespace and creates nothing", async () => {
    const ghost = `ghost-${mode}-${run}`;
    const routes: [string, string, unknown?][] = [
      [
        "POST",
        "/workflows",
        { workflowType: "approval", workflowId: "w", input: { item: "x", timeout: "1h" } },
      ],
      ["GET", "/workflows/w"],
      ["GET", "/workflows/w/result"],
      ["GET", "/workflows/w/history"],
      ["POST", "/workflows/w/signals/approve", {}],
      ["POST", "/workflows/w/queries/state", {}],
      ["POST", "/workflows/w/updates/extend", {}],
      ["POST", "/workflows/w/cancel", {}],
      ["POST", "/workflows/w/terminate", {}],
      ["GET", "/workflows"],
      ["GET", "/workflow-count"],
    ];
    for (const [method, path, body] of routes) {
      const res = await call(method, `${prefix(ghost)}${path}`, {
        key: ADMIN_KEY,
        ...(body ? { body } : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(await res.json()).toEqual({
        error: { code: "NotFound", message: expect.stringContaining("is not registered") },
      });
    }
    const rows = await env.VISIBILITY.prepare(
      "SELECT COUNT(*) AS n FROM executions WHERE namespace = ?",
    )
      .bind(ghost)
      .first<{ n: number }>();
    expect(rows?.n).toBe(0);
  });
});

describe("two namespaces with the same workflow ids", () => {
  let keyA: CreatedKey;
  let keyB: CreatedKey;
  const ids = [`same-1-${run}`, `same-2-${run}`];

  beforeAll(async () => {
    await registerNamespace(nsA);
    await registerNamespace(nsB);
    keyA = await createKey(nsA, "writer");
    keyB = await createKey(nsB, "writer");
    for (const [ns, key] of [
      [nsA, keyA],
      [nsB, keyB],
    ] as const) {
      for (const id of ids) {
        await ok(201, "POST", `${prefix(ns)}/workflows`, {
          key: key.key,
          body: {
            workflowType: "approval",
            workflowId: id,
            input: { item: `${ns}:${id}`, timeout: "1h" },
          },
        });
      }
    }
    for (const ns of [nsA, nsB]) {
      await eventually(async () => {
        const { count } = await ok<{ count: number }>(200, "GET", `${prefix(ns)}/workflow-count`);
        if (count !== 2) throw new Error(`${ns}: ${count} listed`);
      });
    }
  }, 60_000);

  it("each route answers from its own namespace", async () => {
    for (const [ns, key] of [
      [nsA, keyA],
      [nsB, keyB],
    ] as const) {
      for (const id of ids) {
        const query = await ok<{ result: { item: string } }>(
          200,
          "POST",
          `${prefix(ns)}/workflows/${id}/queries/state`,
          { key: key.key, body: {} },
        );
        expect(query.result.item).toBe(`${ns}:${id}`);
        const history = await ok<{ events: { attributes: { input?: { item: string } } }[] }>(
          200,
          "GET",
          `${prefix(ns)}/workflows/${id}/history`,
          { key: key.key },
        );
        expect(history.events[0]?.attributes.input?.item).toBe(`${ns}:${id}`);
      }
      const list = await ok<{ executions: { workflowId: string }[] }>(
        200,
        "GET",
        `${prefix(ns)}/workflows`,
        {
          key: key.key,
        },
      );
      expect(list.executions.map((e) => e.workflowId).sort()).toEqual([...ids].sort());
    }
  });

  it("a signal, a cancel and a terminate in one namespace leave the other alone", async () => {
    const [id] = ids as [string];
    await ok(202, "POST", `${prefix(nsA)}/workflows/${id}/signals/approve`, {
      key: keyA.key,
      body: { input: { approved: true } },
    });
    await eventually(async () => {
      const r = await ok<{ status: string }>(200, "GET", `${prefix(nsA)}/workflows/${id}`, {
        key: keyA.key,
      });
      if (r.status !== "Completed") throw new Error(r.status);
    });
    const other = await ok<{ status: string }>(200, "GET", `${prefix(nsB)}/workflows/${id}`, {
      key: keyB.key,
    });
    expect(other.status).toBe("Running");
    const events = await ok<{ events: { eventType: string }[] }>(
      200,
      "GET",
      `${prefix(nsB)}/workflows/${id}/history`,
      {
        key: keyB.key,
      },
    );
    expect(events.events.map((e) => e.eventType)).not.toContain("WorkflowExecutionSignaled");
    const count = await ok<{ count: number }>(200, "GET", `${prefix(nsB)}/workflow-count`, {
      key: keyB.key,
    });
    expect(count.count).toBe(2);
  });

  it("a key of one namespace cannot read, signal, start in or list the other", async () => {
    const [id] = ids as [string];
    const attempts: [string, string, unknown?][] = [
      ["GET", `/workflows/${id}`],
      ["GET", `/workflows/${id}/history`],
      ["GET", `/workflows/${id}/result`],
      ["POST", `/workflows/${id}/queries/state`, {}],
      ["POST", `/workflows/${id}/signals/approve`, { input: { approved: false } }],
      ["POST", `/workflows/${id}/terminate`, {}],
      ["POST", "/workflows", { workflowType: "approval", workflowId: `cross-${run}` }],
      ["GET", "/workflows"],
      ["GET", "/workflow-count"],
    ];
    for (const [method, path, body] of attempts) {
      const res = await call(method, `${prefix(nsB)}${path}`, {
        key: keyA.key,
        ...(body ? { body } : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    // Nor through the routes of `default`, nor see the other in the namespace list.
    expect((await call("GET", `/api/v1/workflows/${id}`, { key: keyA.key })).status).toBe(403);
    const { namespaces } = await ok<{ namespaces: { name: string }[] }>(
      200,
      "GET",
      "/api/v1/namespaces",
      {
        key: keyA.key,
      },
    );
    expect(namespaces.map((n) => n.name)).toEqual([nsA]);
    expect((await call("GET", `/api/v1/namespaces/${nsB}`, { key: keyA.key })).status).toBe(403);
    const other = await ok<{ status: string }>(200, "GET", `${prefix(nsB)}/workflows/${id}`, {
      key: keyB.key,
    });
    expect(other.status).toBe("Running");
  });
});
