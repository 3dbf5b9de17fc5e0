/**
 * @module Test harness of the access-control tests: the engine's app called directly with auth
 * REQUIRED (the test projects run the engine with SUNDIAL_AUTH=disabled, vitest.config.ts), keys
 * created through the API, and a digest of what a request could have changed.
 */
import { createExecutionContext, env, runInDurableObject } from "cloudflare:test";
import { exampleActivities, exampleWorkflows } from "../examples/index";
import { createSundial } from "../src/engine";
import { fixtureActivities, fixtureWorkflows } from "./fixtures/workflows";
import { stub } from "./helpers";

export const ADMIN_KEY = "test-admin-key-of-the-auth-tests";

const { app } = createSundial({
  workflows: [...exampleWorkflows, ...fixtureWorkflows],
  activities: { ...exampleActivities, ...fixtureActivities },
});

/** The env of a deployed engine: auth required, the admin key set, no rate limit. */
export function requiredEnv(over: Record<string, unknown> = {}): Cloudflare.Env {
  const base: Record<string, unknown> = {
    ...env,
    SUNDIAL_AUTH: "required",
    SUNDIAL_ADMIN_KEY: ADMIN_KEY,
  };
  delete base.SUNDIAL_RATE_LIMIT;
  return { ...base, ...over } as unknown as Cloudflare.Env;
}

export interface CallOptions {
  key?: string | null;
  /** The Authorization header as is (wins over `key`). */
  authorization?: string;
  body?: unknown;
  headers?: Record<string, string>;
  env?: Cloudflare.Env;
  /** Scheme and host. @default "http://sundial.test" */
  base?: string;
}

/** One request to the app, signed with `key` (`Authorization: Bearer <key>`) unless null. */
export async function call(method: string, path: string, o: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.authorization !== undefined) headers.authorization = o.authorization;
  else if (o.key) headers.authorization = `Bearer ${o.key}`;
  if (o.body !== undefined) headers["content-type"] = "application/json";
  const request = new Request(`${o.base ?? "http://sundial.test"}${path}`, {
    method,
    headers,
    ...(o.body !== undefined
      ? { body: typeof o.body === "string" ? o.body : JSON.stringify(o.body) }
      : {}),
  });
  return app.fetch(request, o.env ?? requiredEnv(), createExecutionContext());
}

/** Like {@link call}, and fails unless the status is `status`; resolves with the JSON body. */
export async function ok<T = Record<string, unknown>>(
  status: number,
  method: string,
  path: string,
  o: CallOptions = {},
): Promise<T> {
  const res = await call(method, path, { key: ADMIN_KEY, ...o });
  const text = await res.text();
  if (res.status !== status) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text === "" ? {} : JSON.parse(text)) as T;
}

/** Registers a namespace (admin key). */
export async function registerNamespace(name: string, retention?: string): Promise<void> {
  await ok(201, "POST", "/api/v1/namespaces", {
    body: { name, ...(retention ? { retention } : {}) },
  });
}

export interface CreatedKey {
  id: string;
  key: string;
}

/** Creates a key (with the admin key unless `by` is given). */
export async function createKey(
  namespace: string,
  role: "reader" | "writer" | "admin",
  by: string = ADMIN_KEY,
): Promise<CreatedKey> {
  return ok<CreatedKey>(201, "POST", "/api/v1/api-keys", {
    key: by,
    body: { name: `${role}@${namespace}`, namespace, role },
  });
}

export async function revokeKey(id: string): Promise<void> {
  await ok(200, "DELETE", `/api/v1/api-keys/${id}`);
}

/** Rows per table of a workflow id's object (SQLite). */
export async function storageDigest(
  workflowId: string,
  namespace: string,
): Promise<Record<string, number>> {
  return runInDurableObject(stub(workflowId, namespace), (_instance, state) => {
    const sql = state.storage.sql;
    const tables = [
      ...sql.exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name",
      ),
    ].map((r) => r.name);
    const out: Record<string, number> = {};
    for (const t of tables) {
      out[t] = Number([...sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM "${t}"`)][0]?.n ?? 0);
    }
    return out;
  });
}

/** The total rows of a digest: 0 for an object nothing was ever written to. */
export function rows(digest: Record<string, number>): number {
  return Object.values(digest).reduce((a, b) => a + b, 0);
}
