/**
 * @module `POST|GET /api/v1/api-keys`, `DELETE /api/v1/api-keys/{id}` and `GET /api/v1/whoami`.
 * Access control has run (an admin for the key routes); here each admin is narrowed to the
 * namespaces it administers: a key of another namespace is answered as not found.
 */
import type { Context, Hono } from "hono";
import { ApiError } from "../api/errors";
import { parseJsonBody, readBodyText } from "../api/json-body";
import { describeIssue } from "../api/schemas";
import type { EngineEnv } from "../config";
import { getNamespace } from "../namespaces/registry";
import { createApiKey, getApiKey, listApiKeys, revokeApiKey } from "./key-store";
import { principalOf } from "./middleware";
import { allows, isGlobalAdmin } from "./permissions";
import { apiKeyIdSchema, createApiKeyBodySchema } from "./schemas";

type AppEnv = { Bindings: EngineEnv };
const MAX_BODY_BYTES = 16 * 1024;

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

export function keyRoutes(app: Hono<AppEnv>): void {
  app.post("/api/v1/api-keys", async (c: Context<AppEnv>) => {
    const principal = principalOf(c.req.raw);
    const text = await readBodyText(c.req.raw, MAX_BODY_BYTES);
    const b = check(createApiKeyBodySchema, parseJsonBody(text, MAX_BODY_BYTES));
    const permitted =
      b.namespace === "*" ? isGlobalAdmin(principal) : allows(principal, b.namespace, "admin");
    if (!permitted) {
      throw new ApiError(
        "PermissionDenied",
        `Creating a key of namespace ${JSON.stringify(b.namespace)} needs its admin`,
      );
    }
    if (b.namespace !== "*" && !(await getNamespace(c.env, b.namespace))) {
      throw new ApiError("NotFound", `Namespace "${b.namespace}" is not registered`);
    }
    const created = await createApiKey(c.env, b);
    const { revokeTime: _r, ...shown } = created;
    return c.json(shown, 201);
  });

  app.get("/api/v1/api-keys", async (c) => {
    const principal = principalOf(c.req.raw);
    const all = await listApiKeys(c.env, null);
    return c.json({ apiKeys: all.filter((k) => allows(principal, k.namespace, "admin")) });
  });

  app.delete("/api/v1/api-keys/:id", async (c) => {
    const principal = principalOf(c.req.raw);
    const id = check(apiKeyIdSchema, c.req.param("id"));
    const existing = await getApiKey(c.env, id);
    if (!existing || !allows(principal, existing.namespace, "admin")) {
      throw new ApiError("NotFound", `No API key ${id}`);
    }
    const revoked = await revokeApiKey(c.env, id);
    return c.json(revoked);
  });

  app.get("/api/v1/whoami", (c) => {
    const p = principalOf(c.req.raw);
    const first = p.grants[0];
    return c.json({
      via: p.via,
      id: p.id,
      role: first?.role ?? null,
      namespace: first?.namespace ?? null,
      grants: p.grants,
    });
  });
}
