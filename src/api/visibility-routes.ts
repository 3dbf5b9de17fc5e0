/**
 * @module List and count of API.md (`GET /api/v1[/namespaces/{ns}]/workflows` and `…/workflow-count`)
 * over the D1 visibility index. The count lives outside `/workflows/`, so every workflow id (`count`
 * included) addresses its own workflow.
 */
import type { Context, Hono } from "hono";
import * as z from "zod";
import { engineCodec } from "../codec/payload-sql";
import type { EngineEnv, ResolvedConfig } from "../config";
import { MAX_QUERY_LENGTH, QueryError } from "../visibility/query";
import {
  countVisibility,
  DEFAULT_PAGE_SIZE,
  listVisibility,
  MAX_PAGE_SIZE,
  MAX_TOKEN_LENGTH,
  PageTokenError,
} from "../visibility/store";
import { ApiError, errorResponse } from "./errors";
import { describeIssue, namespaceSchema } from "./schemas";

type AppEnv = { Bindings: EngineEnv };

/** `GET …/workflows` query parameters. */
export const listWorkflowsQuerySchema = z.object({
  query: z
    .string()
    .max(MAX_QUERY_LENGTH, `query is at most ${MAX_QUERY_LENGTH} characters`)
    .optional(),
  pageSize: z.coerce
    .number()
    .int("pageSize must be an integer")
    .min(1, "pageSize is at least 1")
    .max(MAX_PAGE_SIZE, `pageSize is at most ${MAX_PAGE_SIZE}`)
    .optional(),
  nextPageToken: z
    .string()
    .max(MAX_TOKEN_LENGTH, `nextPageToken is at most ${MAX_TOKEN_LENGTH} characters`)
    .optional(),
});

/** `GET …/workflow-count` query parameters. */
export const countWorkflowsQuerySchema = z.object({
  query: z
    .string()
    .max(MAX_QUERY_LENGTH, `query is at most ${MAX_QUERY_LENGTH} characters`)
    .optional(),
});

function visibilityDb(env: object): D1Database {
  const db = (env as { VISIBILITY?: D1Database }).VISIBILITY;
  if (!db) {
    throw new ApiError(
      "Internal",
      "The VISIBILITY D1 binding is not configured; see wrangler.toml",
    );
  }
  return db;
}

function params<T>(c: Context<AppEnv>, schema: z.ZodType<T>): { namespace: string; q: T } {
  const ns = namespaceSchema.safeParse(c.req.param("namespace") ?? "default");
  if (!ns.success) throw new ApiError("InvalidArgument", describeIssue(ns.error));
  // An empty parameter (`?query=&pageSize=&nextPageToken=`) is one not given.
  const given = Object.entries(c.req.query()).filter(([, value]) => value !== "");
  const q = schema.safeParse(Object.fromEntries(given));
  if (!q.success) throw new ApiError("InvalidArgument", describeIssue(q.error));
  return { namespace: ns.data, q: q.data };
}

/** Turns the index's errors into API.md's error responses; anything else goes to the app's onError. */
async function answer(run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ApiError) return err.toResponse();
    if (err instanceof QueryError) {
      return errorResponse("InvalidArgument", `Invalid query: ${err.message}`);
    }
    if (err instanceof PageTokenError) return errorResponse("InvalidArgument", err.message);
    if (err instanceof Error && /no such table/i.test(err.message)) {
      console.error("sundial: visibility index not migrated", err);
      return errorResponse(
        "Internal",
        "The visibility index has no tables; apply the D1 migrations (wrangler d1 migrations apply sundial-visibility)",
      );
    }
    throw err;
  }
}

/**
 * Registers list and count on `app`, under `/api/v1` and `/api/v1/namespaces/:namespace`.
 */
export function visibilityRoutes(app: Hono<AppEnv>, config?: Pick<ResolvedConfig, "codecs">): void {
  for (const prefix of ["/api/v1/namespaces/:namespace", "/api/v1"]) {
    app.get(`${prefix}/workflow-count`, (c) =>
      answer(async () => {
        const { namespace, q } = params(c, countWorkflowsQuerySchema);
        const count = await countVisibility(visibilityDb(c.env), { namespace, query: q.query });
        return c.json({ count });
      }),
    );

    app.get(`${prefix}/workflows`, (c) =>
      answer(async () => {
        const { namespace, q } = params(c, listWorkflowsQuerySchema);
        const page = await listVisibility(visibilityDb(c.env), {
          namespace,
          query: q.query,
          pageSize: q.pageSize ?? DEFAULT_PAGE_SIZE,
          nextPageToken: q.nextPageToken || null,
          // The memo is stored encoded (src/codec): decoded for the caller.
          codec: engineCodec(c.env, config?.codecs),
        });
        return c.json(page);
      }),
    );
  }
}
