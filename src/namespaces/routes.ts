/**
 * @module The namespace routes of API.md (global, not under a namespace prefix):
 * `POST|GET /api/v1/namespaces`, `GET|PATCH /api/v1/namespaces/{name}`. Access control has run:
 * writes need the admin of `*`; reads answer only what the caller's grants reach.
 */
import type { Context, Hono } from "hono";
import { ApiError } from "../api/errors";
import { parseJsonBody, readBodyText } from "../api/json-body";
import { describeIssue, namespaceSchema } from "../api/schemas";
import { principalOf } from "../auth/middleware";
import { allows, type Principal } from "../auth/permissions";
import { createNamespaceBodySchema, updateNamespaceBodySchema } from "../auth/schemas";
import type { EngineEnv } from "../config";
import { formatDuration } from "./format";
import {
  createNamespace,
  DEFAULT_RETENTION_MS,
  getNamespace,
  listNamespaces,
  type NamespaceRecord,
  updateNamespace,
} from "./registry";

type AppEnv = { Bindings: EngineEnv };
const MAX_BODY_BYTES = 16 * 1024;

/** The API shape of a namespace. */
export function namespaceJson(ns: NamespaceRecord) {
  return {
    name: ns.name,
    retention: formatDuration(ns.retentionMs),
    description: ns.description,
    createTime: ns.createTime ? new Date(ns.createTime).toISOString() : null,
  };
}

async function body(c: Context<AppEnv>): Promise<unknown> {
  return parseJsonBody(await readBodyText(c.req.raw, MAX_BODY_BYTES), MAX_BODY_BYTES);
}

function check<T>(
  schema: {
    safeParse(
      v: unknown,
    ): { success: true; data: T } | { success: false; error: import("zod").ZodError };
  },
  value: unknown,
): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ApiError("InvalidArgument", describeIssue(parsed.error));
  return parsed.data;
}

function nameParam(c: Context<AppEnv>): string {
  return check(namespaceSchema, c.req.param("name"));
}

function readable(principal: Principal, name: string): boolean {
  return allows(principal, name, "reader");
}

export function namespaceRoutes(app: Hono<AppEnv>): void {
  app.post("/api/v1/namespaces", async (c) => {
    const b = check(createNamespaceBodySchema, await body(c));
    const created = await createNamespace(c.env, {
      name: b.name,
      retentionMs: b.retention ?? DEFAULT_RETENTION_MS,
      description: b.description ?? "",
    });
    if (!created) throw new ApiError("AlreadyStarted", `Namespace "${b.name}" already exists`);
    return c.json(namespaceJson(created), 201);
  });

  app.get("/api/v1/namespaces", async (c) => {
    const principal = principalOf(c.req.raw);
    const all = await listNamespaces(c.env);
    return c.json({
      namespaces: all.filter((n) => readable(principal, n.name)).map(namespaceJson),
    });
  });

  app.get("/api/v1/namespaces/:name", async (c) => {
    const name = nameParam(c);
    const ns = await getNamespace(c.env, name);
    if (!ns) throw new ApiError("NotFound", `Namespace "${name}" is not registered`);
    return c.json(namespaceJson(ns));
  });

  app.patch("/api/v1/namespaces/:name", async (c) => {
    const name = nameParam(c);
    const b = check(updateNamespaceBodySchema, await body(c));
    const updated = await updateNamespace(c.env, name, {
      ...(b.retention !== undefined ? { retentionMs: b.retention } : {}),
      ...(b.description !== undefined ? { description: b.description } : {}),
    });
    if (!updated) throw new ApiError("NotFound", `Namespace "${name}" is not registered`);
    return c.json(namespaceJson(updated));
  });
}
