/**
 * Issue 11, the auth matrix: EVERY operation of the served OpenAPI document × {no key, malformed
 * header, unknown key, revoked key, reader, writer, admin of the namespace, admin of another
 * namespace, `*` admin} gives the expected status, with auth required as deployed. Rejected calls
 * address a quiet sample workflow (and quiet namespace/key rows) that no permitted call touches;
 * at the end its history, list row, storage and the D1 rows are what they were.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "../../src/api/openapi";
import {
  ADMIN_KEY,
  type CreatedKey,
  call,
  createKey,
  ok,
  registerNamespace,
  revokeKey,
  storageDigest,
} from "../auth-harness";
import { eventually, mode } from "../helpers";

interface Op {
  operationId: string;
  parameters?: { name: string; in: string }[];
}
const doc = buildOpenApiDocument() as { paths: Record<string, Record<string, Op>> };
const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
);

const PRINCIPALS = [
  "no key",
  "malformed header",
  "unknown key",
  "revoked key",
  "reader",
  "writer",
  "admin",
  "admin of another namespace",
  "* admin",
] as const;
type Who = (typeof PRINCIPALS)[number];

/** API.md: what a reader may do. Anything else in a namespace needs writer. */
const READ_OPERATIONS = new Set([
  "describeWorkflow",
  "getWorkflowResult",
  "getWorkflowHistory",
  "queryWorkflow",
  "listWorkflows",
  "countWorkflows",
]);

const run = crypto.randomUUID().slice(0, 6);
const nsA = `mx-a-${mode}-${run}`;
const nsB = `mx-b-${mode}-${run}`;
/** Per namespace ("default" for the routes without a prefix, nsA for the prefixed ones). */
const keys: Record<string, Record<"reader" | "writer" | "admin", CreatedKey>> = {};
let otherAdmin: CreatedKey;
let starAdmin: CreatedKey;
let revoked: CreatedKey;
const quiet = `quiet-${run}`;
const noisy = `noisy-${run}`;
let quietVictim: CreatedKey;
let noisyVictim: CreatedKey;
const rejectedStarts: string[] = [];
const rejectedNames: string[] = [];

/** The status a principal gets: 401/403, or "passes" (anything the route itself answers). */
function expected(who: Who, method: string, path: string, op: Op): 401 | 403 | "passes" {
  if (["no key", "malformed header", "unknown key", "revoked key"].includes(who)) return 401;
  if (who === "* admin") return "passes";
  const id = op.operationId.replace(/InNamespace$/, "");
  if (isGlobal(path)) {
    if (id === "whoAmI" || id === "listNamespaces") return "passes";
    if (id === "createNamespace" || id === "updateNamespace") return 403;
    if (id === "describeNamespace") return who === "admin of another namespace" ? 403 : "passes";
    // API keys: any admin passes the gate; another namespace's admin is refused in the handler.
    if (who === "admin") return "passes";
    if (who === "admin of another namespace") return id === "createApiKey" ? 403 : "passes";
    return 403;
  }
  if (who === "admin of another namespace") return 403;
  if (who === "reader") return READ_OPERATIONS.has(id) || method === "GET" ? "passes" : 403;
  return "passes";
}

function keyOf(who: Who, ns: string): { key?: string | null; authorization?: string } {
  switch (who) {
    case "no key":
      return { key: null };
    case "malformed header":
      return { authorization: `Basic ${btoa("admin:admin")}` };
    case "unknown key":
      return { key: `sk_${"0".repeat(16)}_${"A".repeat(43)}` };
    case "revoked key":
      return { key: revoked.key };
    case "admin of another namespace":
      return { key: otherAdmin.key };
    case "* admin":
      return { key: starAdmin.key };
    default:
      return { key: keys[ns]![who].key };
  }
}

/** The routes outside any namespace (their keys are nsA's: the namespace they address). */
function isGlobal(path: string): boolean {
  return /^\/api\/v1\/(whoami|api-keys|namespaces$|namespaces\/\{name\})/.test(path);
}

let counter = 0;
/** Path and body of a call: rejected calls address the quiet targets, permitted ones the noisy. */
function request(method: string, path: string, op: Op, rejected: boolean) {
  counter += 1;
  const ns = path.includes("{namespace}") || isGlobal(path) ? nsA : "default";
  const values: Record<string, string> = {
    namespace: nsA,
    workflowId: rejected ? quiet : noisy,
    signalName: "approve",
    queryName: "state",
    updateName: "extend",
    name: nsA,
    id: rejected ? quietVictim.id : noisyVictim.id,
  };
  const url = path.replace(/\{(\w+)\}/g, (_m, p: string) => encodeURIComponent(values[p] ?? "x"));
  const id = op.operationId.replace(/InNamespace$/, "");
  let body: unknown;
  if (id === "startWorkflow") {
    const workflowId = rejected ? `rejected-start-${run}-${counter}` : noisy;
    if (rejected) rejectedStarts.push(`${ns}/${workflowId}`);
    body = { workflowType: "approval", workflowId, input: { item: "x", timeout: "1h" } };
  } else if (id === "createNamespace") {
    const name = `${rejected ? "rejected" : "made"}-${run}-${counter}`;
    if (rejected) rejectedNames.push(name);
    body = { name };
  } else if (id === "updateNamespace") {
    body = { description: rejected ? "changed by a rejected call" : "changed" };
  } else if (id === "createApiKey") {
    body = { name: rejected ? "rejected-key" : "made-key", namespace: nsA, role: "reader" };
  } else if (id === "updateWorkflow") {
    body = { input: { by: "1m" }, wait: "5s" };
  } else if (id === "signalWorkflow") {
    body = { input: { approved: true } };
  } else if (method === "POST") {
    body = {};
  }
  return { url, ns, body };
}

async function snapshot() {
  const quietHistory = async (ns: string) =>
    (
      (await ok(
        200,
        "GET",
        `${ns === "default" ? "/api/v1" : `/api/v1/namespaces/${ns}`}/workflows/${quiet}/history`,
      )) as {
        events: { eventType: string }[];
      }
    ).events.map((e) => e.eventType);
  const d1 = async (sql: string, ...args: unknown[]) =>
    (
      await env.VISIBILITY.prepare(sql)
        .bind(...args)
        .all()
    ).results;
  return {
    history: { default: await quietHistory("default"), a: await quietHistory(nsA) },
    storage: {
      default: await storageDigest(quiet, "default"),
      a: await storageDigest(quiet, nsA),
    },
    listRows: await d1(
      "SELECT namespace, workflow_id, run_id, status, history_length FROM executions WHERE workflow_id = ? ORDER BY namespace",
      quiet,
    ),
    rejectedChange: await d1(
      "SELECT name FROM namespaces WHERE description = 'changed by a rejected call'",
    ),
    victim: await d1("SELECT id, revoked_time FROM api_keys WHERE id = ?", quietVictim.id),
  };
}

let before: Awaited<ReturnType<typeof snapshot>>;

beforeAll(async () => {
  await registerNamespace(nsA);
  await registerNamespace(nsB);
  for (const ns of ["default", nsA]) {
    keys[ns] = {
      reader: await createKey(ns, "reader"),
      writer: await createKey(ns, "writer"),
      admin: await createKey(ns, "admin"),
    };
  }
  otherAdmin = await createKey(nsB, "admin");
  starAdmin = await createKey("*", "admin");
  revoked = await createKey(nsA, "admin");
  await revokeKey(revoked.id);
  quietVictim = await createKey(nsA, "reader");
  noisyVictim = await createKey(nsA, "reader");
  for (const ns of ["default", nsA]) {
    const prefix = ns === "default" ? "/api/v1" : `/api/v1/namespaces/${ns}`;
    for (const id of [quiet, noisy]) {
      await ok(201, "POST", `${prefix}/workflows`, {
        body: { workflowType: "approval", workflowId: id, input: { item: "x", timeout: "1h" } },
      });
    }
    // Settled: the first workflow task ran (its timer is recorded) and the list row is written.
    await eventually(async () => {
      const h = (await ok(200, "GET", `${prefix}/workflows/${quiet}/history`)) as {
        events: { eventType: string }[];
      };
      if (!h.events.some((e) => e.eventType === "TimerStarted")) throw new Error("not settled");
      const row = await env.VISIBILITY.prepare(
        "SELECT history_length FROM executions WHERE namespace = ? AND workflow_id = ?",
      )
        .bind(ns, quiet)
        .first<{ history_length: number }>();
      if (!row) throw new Error("list row not written");
    });
  }
  before = await snapshot();
}, 60_000);

describe.each(ops)("$method $path", ({ method, path, op }) => {
  it.each(PRINCIPALS)("%s", async (who) => {
    const want = expected(who, method, path, op);
    const { url, ns, body } = request(method, path, op, want !== "passes");
    const res = await call(method, url, {
      ...keyOf(who, ns),
      ...(body !== undefined ? { body } : {}),
    });
    const text = await res.text();
    const shown = `${who}: ${method} ${url} → ${res.status} ${text.slice(0, 200)}`;
    if (want === "passes") {
      expect([401, 403, 503], shown).not.toContain(res.status);
      expect(res.status, shown).toBeLessThan(500);
    } else {
      expect(res.status, shown).toBe(want);
      const code = want === 401 ? "Unauthenticated" : "PermissionDenied";
      expect(JSON.parse(text), shown).toEqual({ error: { code, message: expect.any(String) } });
    }
  });
});

describe("after the matrix", () => {
  it("every rejected call changed nothing: history, list row, storage, namespaces, keys", async () => {
    expect(await snapshot()).toEqual(before);
    // No rejected start created an execution, and no rejected create made a namespace or a key.
    for (const target of rejectedStarts) {
      const [ns, id] = target.split("/") as [string, string];
      const prefix = ns === "default" ? "/api/v1" : `/api/v1/namespaces/${ns}`;
      expect((await call("GET", `${prefix}/workflows/${id}`, { key: ADMIN_KEY })).status).toBe(404);
    }
    expect(rejectedStarts.length).toBeGreaterThan(0);
    for (const name of rejectedNames) {
      expect((await call("GET", `/api/v1/namespaces/${name}`, { key: ADMIN_KEY })).status).toBe(
        404,
      );
    }
    const rejectedKeys = await env.VISIBILITY.prepare(
      "SELECT COUNT(*) AS n FROM api_keys WHERE name = 'rejected-key'",
    ).first<{ n: number }>();
    expect(rejectedKeys?.n).toBe(0);
    // The permitted calls did act (the matrix is not passing for want of reaching the routes).
    const made = await env.VISIBILITY.prepare(
      "SELECT COUNT(*) AS n FROM api_keys WHERE name = 'made-key' AND namespace = ?",
    )
      .bind(nsA)
      .first<{ n: number }>();
    expect(made?.n).toBeGreaterThan(0);
  });
});
