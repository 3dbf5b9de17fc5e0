/** @module The HTTP API of API.md (Hono): validate at the edge, route by workflow id to its Durable Object. */

import { type Context, Hono } from "hono";
import { securityHeaders } from "../auth/headers";
import { keyRoutes } from "../auth/key-routes";
import { accessControl, checkedNamespaceOf } from "../auth/middleware";
import { limitedLog } from "../common/log-limit";
import { exceedsBytes } from "../common/payload-size";
import type { EngineEnv, ResolvedConfig } from "../config";
import { type ExecutionStub, executionStub } from "../execution/addressing";
import type { Ack, Reply, StartRequest } from "../execution/rpc";
import { decodePageToken } from "../history/page-token";
import { namespaceRetentionMs } from "../namespaces/registry";
import { namespaceRoutes } from "../namespaces/routes";
import { uiRoutes } from "../ui/page";
import { SearchAttributeError, toSearchAttributes } from "../visibility/search-attributes";
import { ApiError, errorResponse } from "./errors";
import { historyEventStream, resumeAfter, wantsEventStream } from "./history-stream";
import { parseJsonBody, readBodyText } from "./json-body";
import { openApiJson, permissionOverrides } from "./openapi";
import { scheduleRoutes } from "./schedule-routes";
import {
  cancelBodySchema,
  describeIssue,
  handlerNameSchema,
  historyQuerySchema,
  namespaceSchema,
  queryBodySchema,
  resultQuerySchema,
  runQuerySchema,
  signalBodySchema,
  startBodySchema,
  terminateBodySchema,
  updateBodySchema,
  workflowIdSchema,
} from "./schemas";
import { visibilityRoutes } from "./visibility-routes";

type AppEnv = { Bindings: EngineEnv };
type Ctx = Context<AppEnv>;
const JSON_HEADERS = { "content-type": "application/json" };

function stubFor(env: EngineEnv, namespace: string, workflowId: string): ExecutionStub {
  return executionStub(env, namespace, workflowId);
}

function reply(r: Reply): Response {
  return new Response(r.body, {
    status: r.status,
    headers: { ...r.headers, "content-type": "application/json" },
  });
}

function namespaceOf(c: Ctx): string {
  const raw = c.req.param("namespace") ?? "default";
  const parsed = namespaceSchema.safeParse(raw);
  if (!parsed.success) throw new ApiError("InvalidArgument", describeIssue(parsed.error));
  return parsed.data;
}

function workflowIdOf(c: Ctx): string {
  const parsed = workflowIdSchema.safeParse(c.req.param("workflowId"));
  if (!parsed.success) throw new ApiError("InvalidArgument", describeIssue(parsed.error));
  return parsed.data;
}

function parseQuery<T>(
  schema: {
    safeParse(
      v: unknown,
    ): { success: true; data: T } | { success: false; error: import("zod").ZodError };
  },
  c: Ctx,
): T {
  const parsed = schema.safeParse(presentQuery(c.req.query()));
  if (!parsed.success) throw new ApiError("InvalidArgument", describeIssue(parsed.error));
  return parsed.data;
}

/** Reads a JSON body within the size limit: 413 past it (never buffered further), 400 for malformed JSON. */
async function readJson(c: Ctx, maxBytes: number): Promise<unknown> {
  return parseJsonBody(await readBodyText(c.req.raw, maxBytes), maxBytes);
}

/** Like {@link readJson}, but an empty body is `{}` (bodies whose fields are all optional). */
async function readOptionalJson(c: Ctx, maxBytes: number): Promise<unknown> {
  const text = await readBodyText(c.req.raw, maxBytes);
  if (text.trim() === "") return {};
  return parseJsonBody(text, maxBytes);
}

function validate<T>(
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

/** Query parameters without the empty ones: `?runId=&after=` (API.md's notation) means "not given". */
function presentQuery(query: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(query).filter(([, value]) => value !== ""));
}

function nameOf(c: Ctx, param: string): string {
  const parsed = handlerNameSchema.safeParse(c.req.param(param));
  if (!parsed.success)
    throw new ApiError("InvalidArgument", `${param}: ${describeIssue(parsed.error)}`);
  return parsed.data;
}

/** A payload as JSON text, within the payload limit; absent stays absent (handlers get undefined). */
function payload(value: unknown, what: string, maxBytes: number): string | undefined {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value);
  if (exceedsBytes(text, maxBytes)) {
    throw new ApiError("PayloadTooLarge", `${what} exceeds the payload limit of ${maxBytes} bytes`);
  }
  return text;
}

function ackResponse(ack: Ack, status: 200 | 202): Response {
  if (!ack.ok) throw new ApiError(ack.error.code, ack.error.message);
  return new Response("{}", { status, headers: { "content-type": "application/json" } });
}

/** The namespace's retention: from the access middleware's lookup when it made one (one per request). */
async function retentionOfNamespace(c: Ctx, namespace: string): Promise<number> {
  const checked = checkedNamespaceOf(c.req.raw);
  if (checked?.name === namespace) return checked.retentionMs;
  return namespaceRetentionMs(c.env, namespace);
}

function workflowRoutes(config: ResolvedConfig): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post("/workflows", async (c) => {
    const namespace = namespaceOf(c);
    const body = await readJson(c, config.limits.maxRequestBytes);
    const parsed = startBodySchema.safeParse(body);
    if (!parsed.success) throw new ApiError("InvalidArgument", describeIssue(parsed.error));
    const b = parsed.data;
    if (!config.workflows.has(b.workflowType)) {
      const known = [...config.workflows.keys()].join(", ");
      throw new ApiError(
        "InvalidArgument",
        `Unknown workflowType "${b.workflowType}"; registered: ${known}`,
      );
    }
    const signal = b.signal
      ? {
          name: validate(handlerNameSchema, b.signal.name),
          input: payload(b.signal.input, "signal.input", config.limits.maxPayloadBytes),
          ...(b.requestId ? { requestId: `start:${b.requestId}` } : {}),
        }
      : undefined;
    // Absent input stays absent (workflow code gets undefined, so default parameters apply).
    const input = b.input === undefined ? undefined : JSON.stringify(b.input);
    if (input !== undefined && exceedsBytes(input, config.limits.maxPayloadBytes)) {
      throw new ApiError(
        "PayloadTooLarge",
        `input exceeds the payload limit of ${config.limits.maxPayloadBytes} bytes`,
      );
    }
    try {
      toSearchAttributes(b.searchAttributes); // a bad one would be left out of the index
    } catch (err) {
      if (err instanceof SearchAttributeError) throw new ApiError("InvalidArgument", err.message);
      throw err;
    }
    const workflowId = b.workflowId ?? crypto.randomUUID();
    const req: StartRequest = {
      namespace,
      workflowId,
      workflowType: b.workflowType,
      input,
      taskQueue: b.taskQueue ?? "default",
      idReusePolicy: b.idReusePolicy ?? "AllowDuplicate",
      idConflictPolicy: b.idConflictPolicy ?? "Fail",
      ...(b.requestId ? { requestId: b.requestId } : {}),
      ...(b.startDelay ? { startDelayMs: b.startDelay } : {}),
      ...(b.executionTimeout ? { executionTimeoutMs: b.executionTimeout } : {}),
      ...(b.runTimeout ? { runTimeoutMs: b.runTimeout } : {}),
      ...(b.retryPolicy ? { retryPolicy: b.retryPolicy } : {}),
      ...(b.memo ? { memo: JSON.stringify(b.memo) } : {}),
      ...(b.searchAttributes ? { searchAttributes: JSON.stringify(b.searchAttributes) } : {}),
      ...(signal ? { signal } : {}),
      // The namespace's retention (cached registry read): the run deletes itself that long after close.
      retentionMs: await retentionOfNamespace(c, namespace),
    };
    const result = await stubFor(c.env, namespace, workflowId).start(req);
    if (!result.ok) throw new ApiError(result.error.code, result.error.message);
    // As `c.json` answers, without its header merging (no headers were set on the context).
    return new Response(
      JSON.stringify({ workflowId, runId: result.runId, started: result.started }),
      { status: result.started ? 201 : 200, headers: JSON_HEADERS },
    );
  });

  app.get("/workflows/:workflowId", async (c) => {
    const { runId } = parseQuery(runQuerySchema, c);
    return reply(await stubFor(c.env, namespaceOf(c), workflowIdOf(c)).describe(runId));
  });

  app.get("/workflows/:workflowId/result", async (c) => {
    const q = parseQuery(resultQuerySchema, c);
    return reply(
      await stubFor(c.env, namespaceOf(c), workflowIdOf(c)).result(q.runId, q.wait ?? 0),
    );
  });

  app.get("/workflows/:workflowId/history", async (c) => {
    const q = parseQuery(historyQuerySchema, c);
    if (wantsEventStream(c.req.header("accept"))) {
      const namespace = namespaceOf(c);
      const workflowId = workflowIdOf(c);
      return historyEventStream(() => stubFor(c.env, namespace, workflowId), {
        ...(q.runId ? { runId: q.runId } : {}),
        after: resumeAfter(c.req.header("last-event-id"), q.after),
      });
    }
    let { runId, after } = q;
    if (q.nextPageToken) {
      const token = decodePageToken(q.nextPageToken);
      if (!token || (runId && runId !== token.runId)) {
        throw new ApiError("InvalidArgument", "nextPageToken is not valid for this history");
      }
      runId = token.runId;
      after = token.after;
    }
    const stub = stubFor(c.env, namespaceOf(c), workflowIdOf(c));
    return reply(
      await stub.history({
        ...(runId ? { runId } : {}),
        ...(after !== undefined ? { after } : {}),
        limit: q.limit ?? 1000,
      }),
    );
  });

  app.post("/workflows/:workflowId/signals/:signalName", async (c) => {
    const namespace = namespaceOf(c);
    const workflowId = workflowIdOf(c);
    const signalName = nameOf(c, "signalName");
    const { runId } = parseQuery(runQuerySchema, c);
    const b = validate(signalBodySchema, await readOptionalJson(c, config.limits.maxRequestBytes));
    const input = payload(b.input, "input", config.limits.maxPayloadBytes);
    const ack = await stubFor(c.env, namespace, workflowId).signal(
      signalName,
      input,
      b.requestId,
      runId,
    );
    return ackResponse(ack, 202);
  });

  app.post("/workflows/:workflowId/queries/:queryName", async (c) => {
    const namespace = namespaceOf(c);
    const workflowId = workflowIdOf(c);
    const queryName = nameOf(c, "queryName");
    const { runId } = parseQuery(runQuerySchema, c);
    const b = validate(queryBodySchema, await readOptionalJson(c, config.limits.maxRequestBytes));
    const input = payload(b.input, "input", config.limits.maxPayloadBytes);
    return reply(await stubFor(c.env, namespace, workflowId).query(queryName, input, runId));
  });

  app.post("/workflows/:workflowId/updates/:updateName", async (c) => {
    const namespace = namespaceOf(c);
    const workflowId = workflowIdOf(c);
    const updateName = nameOf(c, "updateName");
    const b = validate(updateBodySchema, await readOptionalJson(c, config.limits.maxRequestBytes));
    const input = payload(b.input, "input", config.limits.maxPayloadBytes);
    const updateId = b.updateId ?? crypto.randomUUID();
    const stub = stubFor(c.env, namespace, workflowId);
    return reply(await stub.update(updateName, input, updateId, b.wait ?? 60_000));
  });

  app.post("/workflows/:workflowId/cancel", async (c) => {
    const namespace = namespaceOf(c);
    const workflowId = workflowIdOf(c);
    const { runId } = parseQuery(runQuerySchema, c);
    const b = validate(cancelBodySchema, await readOptionalJson(c, config.limits.maxRequestBytes));
    const ack = await stubFor(c.env, namespace, workflowId).cancel(b.reason, b.requestId, runId);
    return ackResponse(ack, 202);
  });

  app.post("/workflows/:workflowId/terminate", async (c) => {
    const namespace = namespaceOf(c);
    const workflowId = workflowIdOf(c);
    const { runId } = parseQuery(runQuerySchema, c);
    const b = validate(
      terminateBodySchema,
      await readOptionalJson(c, config.limits.maxRequestBytes),
    );
    const ack = await stubFor(c.env, namespace, workflowId).terminate(b.reason, runId);
    return ackResponse(ack, 200);
  });

  app.post("/unsafe/workflows/:workflowId/replay", async (c) => {
    if (c.env.SUNDIAL_UNSAFE !== "1") throw new ApiError("NotFound", "No such route");
    const stub = stubFor(c.env, namespaceOf(c), workflowIdOf(c));
    return c.json(await stub.unsafeReplay());
  });

  // Test/bench-only: what the object asked of its storage (bench/rows.mjs).
  app.get("/unsafe/workflows/:workflowId/storage-counts", async (c) => {
    if (c.env.SUNDIAL_UNSAFE !== "1") throw new ApiError("NotFound", "No such route");
    const stub = stubFor(c.env, namespaceOf(c), workflowIdOf(c));
    return c.json(await stub.unsafeStorageCounts());
  });

  return app;
}

/** Builds the Hono app: `/api/v1/...` and `/api/v1/namespaces/{namespace}/...`. */
export function createApp(config: ResolvedConfig): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("*", securityHeaders());
  // A path that is not valid percent-encoded UTF-8 would reach the routes undecoded (Hono keeps
  // the raw text), where "%FF" could pass as a name: refuse it once, here, for every route.
  app.use("/api/*", async (c, next) => {
    try {
      decodeURIComponent(new URL(c.req.url).pathname);
    } catch {
      return errorResponse("InvalidArgument", "The URL path is not valid percent-encoded UTF-8");
    }
    return next();
  });
  // Before every route: who is asking, may they, does the namespace exist (src/auth/middleware.ts).
  app.use("/api/*", accessControl(permissionOverrides()));
  app.get("/api/v1/openapi.json", (c) => c.body(openApiJson(), 200, JSON_HEADERS));
  namespaceRoutes(app);
  keyRoutes(app);
  visibilityRoutes(app, config);
  scheduleRoutes(app, config);
  const routes = workflowRoutes(config);
  app.route("/api/v1/namespaces/:namespace", routes);
  app.route("/api/v1", routes);
  // `GET /`: the web UI for browsers, this JSON for `Accept: application/json`.
  uiRoutes(app, (c) =>
    c.json({
      name: "sundial",
      api: "/api/v1",
      workflowTypes: [...config.workflows.keys()],
    }),
  );
  app.notFound((c) =>
    errorResponse(
      "NotFound",
      `No route for ${c.req.method} ${shorten(new URL(c.req.url).pathname, 200)}`,
    ),
  );
  app.onError((err) => {
    if (err instanceof ApiError) return err.toResponse();
    limitedLog("error", "unhandled", "sundial: unhandled error", err);
    return errorResponse("Internal", "Internal error; see the engine's logs");
  });
  return app;
}

/** `text` cut to `max` characters with an ellipsis: errors never echo a long input whole. */
function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
