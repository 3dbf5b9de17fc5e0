/**
 * @module The Schedules routes of API.md, under `/api/v1` and `/api/v1/namespaces/{namespace}`:
 * validate at the edge (definition.ts), then one RPC to the schedule's object; list reads the D1
 * index. Every bad input is a 400 naming its field, before any object is touched.
 */
import type { Context, Hono } from "hono";
import * as z from "zod";
import type { EngineEnv, ResolvedConfig } from "../config";
import type { Reply } from "../execution/rpc";
import { type ScheduleStub, scheduleStub } from "../schedule/addressing";
import {
  DefinitionError,
  overlapSchema,
  parseDefinition,
  scheduleIdSchema,
} from "../schedule/definition";
import {
  DEFAULT_SCHEDULE_PAGE_SIZE,
  listSchedules,
  MAX_QUERY_LENGTH,
  MAX_SCHEDULE_PAGE_SIZE,
  MAX_SCHEDULE_TOKEN_LENGTH,
  QueryError,
  ScheduleTokenError,
} from "../schedule/index-store";
import { parseIsoDatetime } from "../visibility/query";
import { ApiError } from "./errors";
import { parseJsonBody, readBodyText } from "./json-body";
import { describeIssue, namespaceSchema } from "./schemas";

type AppEnv = { Bindings: EngineEnv };
type Ctx = Context<AppEnv>;

export const noteBodySchema = z
  .object({ note: z.string().max(1024, "note is at most 1024 characters").optional() })
  .strict();

export const triggerBodySchema = z.object({ overlap: overlapSchema.optional() }).strict();

const isoTime = z
  .string()
  .max(64)
  .transform((text, ctx) => {
    const ms = parseIsoDatetime(text);
    if (ms === null) {
      ctx.addIssue({ code: "custom", message: "an ISO-8601 time, e.g. 2026-12-01T00:00:00Z" });
      return z.NEVER;
    }
    return ms;
  });

export const backfillBodySchema = z
  .object({ startTime: isoTime, endTime: isoTime, overlap: overlapSchema.optional() })
  .strict()
  .refine((b) => b.endTime >= b.startTime, {
    message: "endTime is before startTime",
    path: ["endTime"],
  });

export const listSchedulesQuerySchema = z.object({
  query: z
    .string()
    .max(MAX_QUERY_LENGTH, `query is at most ${MAX_QUERY_LENGTH} characters`)
    .optional(),
  pageSize: z.coerce
    .number()
    .int("pageSize must be an integer")
    .min(1, "pageSize is at least 1")
    .max(MAX_SCHEDULE_PAGE_SIZE, `pageSize is at most ${MAX_SCHEDULE_PAGE_SIZE}`)
    .optional(),
  nextPageToken: z.string().max(MAX_SCHEDULE_TOKEN_LENGTH).optional(),
});

function check<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ApiError("InvalidArgument", describeIssue(parsed.error));
  return parsed.data;
}

function namespaceOf(c: Ctx): string {
  return check(namespaceSchema, c.req.param("namespace") ?? "default");
}

function reply(r: Reply): Response {
  return new Response(r.body, {
    status: r.status,
    headers: { ...r.headers, "content-type": "application/json" },
  });
}

function stubOf(c: Ctx, scheduleId: string): ScheduleStub {
  const stub = scheduleStub(c.env, namespaceOf(c), scheduleId);
  if (!stub) {
    throw new ApiError(
      "Internal",
      "The SCHEDULE Durable Object binding is not configured; see wrangler.toml",
    );
  }
  return stub;
}

function idOf(c: Ctx): string {
  return check(scheduleIdSchema, c.req.param("scheduleId"));
}

async function body(c: Ctx, maxBytes: number, optional: boolean): Promise<unknown> {
  const text = await readBodyText(c.req.raw, maxBytes);
  if (optional && text.trim() === "") return {};
  return parseJsonBody(text, maxBytes);
}

function definition(config: ResolvedConfig, raw: unknown, scheduleId?: string) {
  try {
    return parseDefinition(config, raw, scheduleId);
  } catch (err) {
    if (err instanceof DefinitionError) throw new ApiError(err.code, err.message);
    throw err;
  }
}

/** Registers the schedule routes on `app`. */
export function scheduleRoutes(app: Hono<AppEnv>, config: ResolvedConfig): void {
  const max = config.limits.maxRequestBytes;
  for (const prefix of ["/api/v1/namespaces/:namespace", "/api/v1"]) {
    app.post(`${prefix}/schedules`, async (c) => {
      const namespace = namespaceOf(c);
      const def = definition(config, await body(c, max, false));
      return reply(await stubOf(c, def.scheduleId).create(namespace, def));
    });

    app.get(`${prefix}/schedules`, async (c) => {
      const namespace = namespaceOf(c);
      const given = Object.entries(c.req.query()).filter(([, v]) => v !== "");
      const q = check(listSchedulesQuerySchema, Object.fromEntries(given));
      const db = c.env.VISIBILITY;
      if (!db) {
        throw new ApiError(
          "Internal",
          "The VISIBILITY D1 binding is not configured; see wrangler.toml",
        );
      }
      try {
        return c.json(
          await listSchedules(db, {
            namespace,
            ...(q.query ? { query: q.query } : {}),
            pageSize: q.pageSize ?? DEFAULT_SCHEDULE_PAGE_SIZE,
            ...(q.nextPageToken ? { nextPageToken: q.nextPageToken } : {}),
          }),
        );
      } catch (err) {
        if (err instanceof QueryError)
          throw new ApiError("InvalidArgument", `Invalid query: ${err.message}`);
        if (err instanceof ScheduleTokenError) throw new ApiError("InvalidArgument", err.message);
        throw err;
      }
    });

    app.get(`${prefix}/schedules/:scheduleId`, async (c) =>
      reply(await stubOf(c, idOf(c)).describe()),
    );

    app.put(`${prefix}/schedules/:scheduleId`, async (c) => {
      const id = idOf(c);
      const def = definition(config, await body(c, max, false), id);
      return reply(await stubOf(c, id).update(def));
    });

    for (const op of ["pause", "unpause"] as const) {
      app.post(`${prefix}/schedules/:scheduleId/${op}`, async (c) => {
        const id = idOf(c);
        const b = check(noteBodySchema, await body(c, max, true));
        return reply(await stubOf(c, id).pause(op === "pause", b.note));
      });
    }

    app.post(`${prefix}/schedules/:scheduleId/trigger`, async (c) => {
      const id = idOf(c);
      const b = check(triggerBodySchema, await body(c, max, true));
      return reply(await stubOf(c, id).trigger(b.overlap));
    });

    app.post(`${prefix}/schedules/:scheduleId/backfill`, async (c) => {
      const id = idOf(c);
      const b = check(backfillBodySchema, await body(c, max, false));
      return reply(await stubOf(c, id).backfill(b.startTime, b.endTime, b.overlap));
    });

    app.delete(`${prefix}/schedules/:scheduleId`, async (c) =>
      reply(await stubOf(c, idOf(c)).delete()),
    );
  }
}
