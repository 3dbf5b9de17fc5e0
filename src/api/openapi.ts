/**
 * @module The OpenAPI 3.1 document of API.md (`GET /api/v1/openapi.json`), generated from the zod
 * schemas that validate requests (schemas.ts, visibility-routes.ts) plus response schemas declared
 * here and checked against the wire types (sdk/common/wire.ts) at compile time.
 *
 * Every route is listed twice: under `/api/v1` (namespace `default`) and under
 * `/api/v1/namespaces/{namespace}` with the namespace as a path parameter. Schedules are in API.md
 * but not served yet, so they are not in the document.
 */
import { z } from "zod";
import type { FailureInfo } from "../../sdk/common/failures";
import type {
  ErrorBody,
  HistoryResponse,
  PendingActivity,
  PendingChild,
  PendingDelivery,
  PendingTimer,
  StartResponse,
  WireEvent,
  WorkflowDescription,
} from "../../sdk/common/wire";
import { EVENT_TYPES } from "../history/events";
import type { ListResult, WorkflowExecutionInfo } from "../visibility/store";
import {
  cancelBodySchema,
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
import { countWorkflowsQuerySchema, listWorkflowsQuerySchema } from "./visibility-routes";

// ---------------------------------------------------------------- response schemas

const anyJson = z.unknown().describe("Any JSON value");
const isoTime = z.string().describe("ISO-8601 time");
const executionStatus = z.enum([
  "Running",
  "Completed",
  "Failed",
  "Canceled",
  "Terminated",
  "ContinuedAsNew",
  "TimedOut",
]);

const errorSchema = z
  .object({
    error: z.object({
      code: z.enum([
        "InvalidArgument",
        "Unauthenticated",
        "PermissionDenied",
        "NotFound",
        "AlreadyStarted",
        "FailedPrecondition",
        "PayloadTooLarge",
        "ResourceExhausted",
        "Internal",
      ]),
      message: z.string().describe("What went wrong and how to fix it"),
    }),
  })
  .describe("Every error answer of the API");

const failureSchema = z.object({
  message: z.string(),
  type: z.string().describe("ApplicationFailure's type, or the failure class"),
  source: z
    .enum([
      "ApplicationFailure",
      "ActivityFailure",
      "TimeoutFailure",
      "CancelledFailure",
      "TerminatedFailure",
      "ChildWorkflowFailure",
    ])
    .optional(),
  nonRetryable: z.boolean().optional(),
  details: anyJson.optional(),
  stack: z.string().optional(),
  get cause() {
    return failureSchema.optional();
  },
  timeoutType: z
    .enum(["StartToClose", "ScheduleToStart", "ScheduleToClose", "Heartbeat"])
    .optional(),
  activityType: z.string().optional(),
  activityId: z.string().optional(),
  workflowType: z.string().optional(),
  workflowId: z.string().optional(),
  retryState: z
    .enum([
      "InProgress",
      "NonRetryableFailure",
      "MaximumAttemptsReached",
      "Timeout",
      "RetryPolicyNotSet",
    ])
    .optional(),
});

const startResponseSchema = z.object({
  workflowId: z.string(),
  runId: z.string(),
  started: z.boolean().describe("false for a repeated requestId or idConflictPolicy UseExisting"),
});

const pendingActivitySchema = z.object({
  activityId: z.string(),
  activityType: z.string(),
  attempt: z.int(),
  state: z.enum(["Scheduled", "Started", "Backoff"]),
  lastFailure: failureSchema.nullable(),
  lastHeartbeat: z.object({ time: isoTime, details: anyJson }).nullable(),
  scheduledTime: isoTime,
  nextAttemptTime: isoTime.nullable(),
  lastAttemptCompleteTime: isoTime.nullable(),
});

const pendingTimerSchema = z.object({ timerId: z.string(), fireTime: isoTime });

const pendingChildSchema = z.object({
  workflowId: z.string(),
  runId: z.string().nullable(),
  workflowType: z.string(),
  state: z.enum(["Initiated", "Started", "Closed"]),
  parentClosePolicy: z.enum(["Terminate", "RequestCancel", "Abandon"]),
});

const pendingDeliverySchema = z.object({
  kind: z.enum(["activity", "rpc", "visibility"]),
  target: z
    .string()
    .describe("Task queue (activity), namespace/workflowId (rpc) or run id (visibility)"),
  attempts: z.int(),
  lastError: z.string().nullable(),
  nextAttemptTime: isoTime.nullable(),
});

const parentSchema = z.object({ workflowId: z.string(), runId: z.string() }).nullable();

const descriptionSchema = z.object({
  workflowId: z.string(),
  runId: z.string(),
  workflowType: z.string(),
  status: executionStatus,
  startTime: isoTime,
  closeTime: isoTime.nullable(),
  taskQueue: z.string(),
  historyLength: z.int(),
  memo: anyJson,
  searchAttributes: anyJson,
  parent: parentSchema,
  attempt: z.int(),
  workflowTaskFailure: z
    .object({ message: z.string(), type: z.string(), attempt: z.int() })
    .nullable()
    .describe("Set while a failed workflow task (a bug, non-determinism) is being retried"),
  pendingActivities: z.array(pendingActivitySchema),
  pendingTimers: z.array(pendingTimerSchema),
  pendingChildren: z.array(pendingChildSchema),
  pendingDeliveries: z
    .array(pendingDeliverySchema)
    .describe(
      "Side effects of the run that failed at least once and are retried with backoff (capped at 5 min)",
    ),
});

const executionInfoSchema = z.object({
  workflowId: z.string(),
  runId: z.string(),
  workflowType: z.string(),
  status: executionStatus,
  startTime: isoTime,
  closeTime: isoTime.nullable(),
  executionTime: isoTime.nullable(),
  taskQueue: z.string(),
  historyLength: z.int(),
  memo: anyJson,
  searchAttributes: z.record(z.string(), anyJson),
  parent: parentSchema,
});

const listResponseSchema = z.object({
  executions: z.array(executionInfoSchema),
  nextPageToken: z.string().nullable().describe("Pass back for the next page; null on the last"),
});

const countResponseSchema = z.object({ count: z.int() });

const resultResponseSchema = z.union([
  z.object({ status: z.literal("Running") }),
  z.object({ status: z.literal("Completed"), result: anyJson, runId: z.string() }),
  z.object({
    status: z.enum(["Failed", "Canceled", "Terminated", "ContinuedAsNew", "TimedOut"]),
    failure: failureSchema,
    runId: z.string(),
  }),
]);

const historyEventSchema = z.object({
  eventId: z.int().min(1).describe("Starts at 1 and increases by 1"),
  eventType: z.enum(EVENT_TYPES).describe("Temporal's event type names"),
  timestamp: isoTime,
  attributes: z.record(z.string(), anyJson),
});

const historyResponseSchema = z.object({
  events: z.array(historyEventSchema),
  nextPageToken: z.string().nullable().describe("Pass back as ?nextPageToken=; null on the last"),
});

const queryResponseSchema = z.object({ result: anyJson });
const updateResponseSchema = z
  .object({
    updateId: z.string(),
    result: anyJson.optional().describe("The handler's result (absent when it threw)"),
    failure: failureSchema
      .optional()
      .describe("Present when the handler threw after the update was accepted (recorded)"),
  })
  .describe("The handler finished: exactly one of result or failure");
const updateAcceptedSchema = z
  .object({ updateId: z.string(), status: z.literal("Accepted") })
  .describe("The wait ended before the update handler finished");
const emptySchema = z.object({}).strict();

// The declared shapes have the wire types' fields: a field added to one and not the other fails here.
type SameKeys<A, B> = [keyof A] extends [keyof B]
  ? [keyof B] extends [keyof A]
    ? true
    : false
  : false;
const keyChecks: [
  SameKeys<z.infer<typeof errorSchema>["error"], ErrorBody["error"]>,
  SameKeys<z.infer<typeof failureSchema>, FailureInfo>,
  SameKeys<z.infer<typeof startResponseSchema>, StartResponse>,
  SameKeys<z.infer<typeof pendingActivitySchema>, PendingActivity>,
  SameKeys<z.infer<typeof pendingTimerSchema>, PendingTimer>,
  SameKeys<z.infer<typeof pendingChildSchema>, PendingChild>,
  SameKeys<z.infer<typeof pendingDeliverySchema>, PendingDelivery>,
  SameKeys<z.infer<typeof descriptionSchema>, WorkflowDescription>,
  SameKeys<z.infer<typeof executionInfoSchema>, WorkflowExecutionInfo>,
  SameKeys<z.infer<typeof listResponseSchema>, ListResult>,
  SameKeys<z.infer<typeof historyEventSchema>, WireEvent>,
  SameKeys<z.infer<typeof historyResponseSchema>, HistoryResponse>,
] = [true, true, true, true, true, true, true, true, true, true, true, true];
void keyChecks;

/** Named schemas: `components.schemas`, referenced as `#/components/schemas/<id>`. */
const NAMED: Record<string, z.ZodType> = {
  Error: errorSchema,
  Failure: failureSchema,
  StartRequest: startBodySchema,
  StartResponse: startResponseSchema,
  WorkflowDescription: descriptionSchema,
  ResultResponse: resultResponseSchema,
  HistoryEvent: historyEventSchema,
  HistoryResponse: historyResponseSchema,
  SignalRequest: signalBodySchema,
  QueryRequest: queryBodySchema,
  QueryResponse: queryResponseSchema,
  UpdateRequest: updateBodySchema,
  UpdateResponse: updateResponseSchema,
  UpdateAccepted: updateAcceptedSchema,
  CancelRequest: cancelBodySchema,
  TerminateRequest: terminateBodySchema,
  Empty: emptySchema,
  WorkflowExecutionInfo: executionInfoSchema,
  ListWorkflowsResponse: listResponseSchema,
  CountWorkflowsResponse: countResponseSchema,
};

// ---------------------------------------------------------------- conversion

type JsonSchema = { [key: string]: unknown };

const DURATION_NOTE =
  'A duration: milliseconds, or a string such as "500ms", "30s", "5m", "1h", "2d"';

/** JSON Schema of what a request may send (`io: "input"`: before transforms and coercion). */
function toJsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: "input" }) as JsonSchema;
  describeDurations(rest);
  return rest;
}

/** Durations are `number | string` transformed to milliseconds: say so wherever they appear. */
function describeDurations(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) describeDurations(item);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const schema = node as JsonSchema;
  const type = schema.type;
  if (
    Array.isArray(type) &&
    type.length === 2 &&
    type.includes("number") &&
    type.includes("string")
  ) {
    schema.description ??= DURATION_NOTE;
  }
  for (const value of Object.values(schema)) describeDurations(value);
}

function components(): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(NAMED)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    io: "input",
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, JsonSchema> };
  const out: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    // `$id` would be a fragment-only URI, which JSON Schema forbids; refs use the component path.
    const { $schema: _, $id: _id, ...rest } = schema;
    describeDurations(rest);
    out[id] = rest;
  }
  return out;
}

const ref = (id: keyof typeof NAMED & string) => ({ $ref: `#/components/schemas/${id}` });

interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

/** The fields of a query-string schema, one parameter each. */
function queryParameters(schema: z.ZodType, notes: Record<string, string> = {}): Parameter[] {
  const json = toJsonSchema(schema) as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: "query",
    required: json.required?.includes(name) ?? false,
    ...(notes[name] ? { description: notes[name] } : {}),
    schema: s,
  }));
}

const pathParameter = (name: string, schema: z.ZodType, description: string): Parameter => ({
  name,
  in: "path",
  required: true,
  description,
  schema: toJsonSchema(schema),
});

// ---------------------------------------------------------------- operations

type Responses = Record<
  string,
  { description: string; content?: Record<string, { schema: JsonSchema }> }
>;

interface Operation {
  method: "get" | "post";
  /** Below `/api/v1` or `/api/v1/namespaces/{namespace}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  parameters: Parameter[];
  requestBody?: { required: boolean; content: { "application/json": { schema: JsonSchema } } };
  responses: Responses;
}

const jsonResponse = (description: string, schema: JsonSchema) => ({
  description,
  content: { "application/json": { schema } },
});

/** The error answers an operation can give (plus `default` for the rest, e.g. 500). */
function errors(...statuses: Array<400 | 404 | 409 | 413>): Responses {
  const text: Record<number, string> = {
    400: "InvalidArgument: bad JSON, JSON nested deeper than 100 levels, a bad or too long field, an unknown type or name",
    404: "NotFound: no such workflow or run",
    409: "AlreadyStarted or FailedPrecondition (e.g. the workflow is closed)",
    413: "PayloadTooLarge: the body or a payload is over the limit",
  };
  const out: Responses = {};
  for (const status of statuses) out[status] = jsonResponse(text[status]!, ref("Error"));
  out.default = jsonResponse("Any other error (401, 403, 429, 500 Internal)", ref("Error"));
  return out;
}

const body = (id: keyof typeof NAMED & string, required: boolean) => ({
  required,
  content: { "application/json": { schema: ref(id) } },
});

function operations(): Operation[] {
  const workflowId = pathParameter("workflowId", workflowIdSchema, "The workflow id");
  const runNote = { runId: "A specific run (default: the latest)" };
  const name = (param: string, what: string) => pathParameter(param, handlerNameSchema, what);
  const W = ["Workflows"];
  return [
    {
      method: "post",
      path: "/workflows",
      operationId: "startWorkflow",
      summary: "Start a workflow (optionally signal-with-start)",
      tags: W,
      parameters: [],
      requestBody: body("StartRequest", true),
      responses: {
        201: jsonResponse("Started", ref("StartResponse")),
        200: jsonResponse("Not started: a repeated requestId or UseExisting", ref("StartResponse")),
        ...errors(400, 409, 413),
      },
    },
    {
      method: "get",
      path: "/workflows",
      operationId: "listWorkflows",
      summary: "List executions, newest first, filtered by a visibility query",
      tags: ["Visibility"],
      parameters: queryParameters(listWorkflowsQuerySchema, {
        query:
          "e.g. WorkflowType = 'loanApplication' AND ExecutionStatus = 'Running' (=, !=, >, >=, <, <=, IN, STARTS_WITH, AND, OR, parentheses)",
      }),
      responses: {
        200: jsonResponse("A page of executions", ref("ListWorkflowsResponse")),
        ...errors(400),
      },
    },
    {
      method: "get",
      path: "/workflow-count",
      operationId: "countWorkflows",
      summary: "Count executions matching a visibility query",
      tags: ["Visibility"],
      parameters: queryParameters(countWorkflowsQuerySchema),
      responses: {
        200: jsonResponse("The count", ref("CountWorkflowsResponse")),
        ...errors(400),
      },
    },
    {
      method: "get",
      path: "/workflows/{workflowId}",
      operationId: "describeWorkflow",
      summary: "Describe a run: status, times, pending activities, timers and children",
      tags: W,
      parameters: [workflowId, ...queryParameters(runQuerySchema, runNote)],
      responses: {
        200: jsonResponse("The description", ref("WorkflowDescription")),
        ...errors(400, 404),
      },
    },
    {
      method: "get",
      path: "/workflows/{workflowId}/result",
      operationId: "getWorkflowResult",
      summary: "The outcome of the workflow, long-polling up to `wait`",
      description:
        "Follows continue-as-new and workflow retries to the newest run unless `runId` is given.",
      tags: W,
      parameters: [
        workflowId,
        ...queryParameters(resultQuerySchema, {
          ...runNote,
          wait: "How long to hold the request while the run is open (default 0, at most 60s)",
        }),
      ],
      responses: {
        200: jsonResponse("The run closed", ref("ResultResponse")),
        202: jsonResponse("Still running", ref("ResultResponse")),
        ...errors(400, 404),
      },
    },
    {
      method: "get",
      path: "/workflows/{workflowId}/history",
      operationId: "getWorkflowHistory",
      summary: "A page of the run's history, or the history live as Server-Sent Events",
      description:
        "With `Accept: text/event-stream` the run's events stream as they are appended: one SSE " +
        "message per event with `id: <eventId>`, `event: <eventType>` and `data: <the event JSON>`, " +
        "starting after `Last-Event-ID` (or `after`), ending after the run's closing event. Lines " +
        "starting with `:` are keep-alive comments. The stream stays on the run that was latest " +
        "when it started (its `runId` is in the `x-sundial-run-id` header).",
      tags: W,
      parameters: [
        workflowId,
        ...queryParameters(historyQuerySchema, {
          ...runNote,
          after: "Only events after this eventId",
          limit: "Max events in the page (default 1000)",
          nextPageToken: "The nextPageToken of the previous page",
        }),
        {
          name: "Last-Event-ID",
          in: "header",
          required: false,
          description: "Event streams: resume after this eventId (wins over `after`)",
          schema: { type: "string", pattern: "^\\d+$" },
        },
      ],
      responses: {
        200: {
          description: "A page (application/json) or the live stream (text/event-stream)",
          content: {
            "application/json": { schema: ref("HistoryResponse") },
            "text/event-stream": {
              schema: {
                type: "string",
                description: "SSE messages; each `data` is a HistoryEvent",
              },
            },
          },
        },
        ...errors(400, 404),
      },
    },
    {
      method: "post",
      path: "/workflows/{workflowId}/signals/{signalName}",
      operationId: "signalWorkflow",
      summary: "Send a signal; a repeated requestId is delivered once",
      tags: W,
      parameters: [
        workflowId,
        name("signalName", "The signal name"),
        ...queryParameters(runQuerySchema, runNote),
      ],
      requestBody: body("SignalRequest", false),
      responses: {
        202: jsonResponse("Accepted", ref("Empty")),
        ...errors(400, 404, 409, 413),
      },
    },
    {
      method: "post",
      path: "/workflows/{workflowId}/queries/{queryName}",
      operationId: "queryWorkflow",
      summary: "Run a query handler (read-only: records nothing)",
      tags: W,
      parameters: [
        workflowId,
        name("queryName", "The query name"),
        ...queryParameters(runQuerySchema, runNote),
      ],
      requestBody: body("QueryRequest", false),
      responses: {
        200: jsonResponse("The query's result", ref("QueryResponse")),
        ...errors(400, 404, 413),
      },
    },
    {
      method: "post",
      path: "/workflows/{workflowId}/updates/{updateName}",
      operationId: "updateWorkflow",
      summary: "Run an update handler and wait for its result",
      description:
        "A rejected update (its validator threw) is a 400 and records nothing. An accepted update whose handler threw is a 200 with `failure` (it is recorded in history).",
      tags: W,
      parameters: [workflowId, name("updateName", "The update name")],
      requestBody: body("UpdateRequest", false),
      responses: {
        200: jsonResponse("The handler finished (result, or failure)", ref("UpdateResponse")),
        202: jsonResponse("Accepted, still running when the wait ended", ref("UpdateAccepted")),
        ...errors(400, 404, 409, 413),
      },
    },
    {
      method: "post",
      path: "/workflows/{workflowId}/cancel",
      operationId: "cancelWorkflow",
      summary: "Request cancellation (the workflow may clean up)",
      tags: W,
      parameters: [workflowId, ...queryParameters(runQuerySchema, runNote)],
      requestBody: body("CancelRequest", false),
      responses: {
        202: jsonResponse("Cancellation requested", ref("Empty")),
        ...errors(400, 404, 409),
      },
    },
    {
      method: "post",
      path: "/workflows/{workflowId}/terminate",
      operationId: "terminateWorkflow",
      summary: "Terminate the run at once (no cleanup)",
      tags: W,
      parameters: [workflowId, ...queryParameters(runQuerySchema, runNote)],
      requestBody: body("TerminateRequest", false),
      responses: {
        200: jsonResponse("Terminated", ref("Empty")),
        ...errors(400, 404, 409),
      },
    },
  ];
}

/** The OpenAPI 3.1 document. Pure: the same on every call. */
export function buildOpenApiDocument(): Record<string, unknown> {
  const namespace = pathParameter(
    "namespace",
    namespaceSchema,
    "The namespace; the routes without it use `default`",
  );
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations()) {
    const { method, path, operationId, ...rest } = op;
    for (const [prefix, suffix, extra] of [
      ["/api/v1", "", []],
      ["/api/v1/namespaces/{namespace}", "InNamespace", [namespace]],
    ] as const) {
      paths[prefix + path] ??= {};
      const entry = paths[prefix + path] ?? {};
      entry[method] = {
        ...rest,
        operationId: operationId + suffix,
        parameters: [...extra, ...rest.parameters],
      };
    }
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Sundial",
      version: "1",
      description:
        "Durable execution on Cloudflare Workers. JSON in and out; every error is " +
        '`{"error": {"code", "message"}}`. An empty query parameter (`?runId=`) counts as not ' +
        "given. A body nested deeper than 100 levels of arrays/objects is a 400; ids, names, " +
        "tokens, queries and durations have length limits (see each schema). " +
        "When API keys are configured, send " +
        "`Authorization: Bearer <key>`. Schedules are not served yet and not listed here.",
    },
    servers: [{ url: "/" }],
    tags: [
      { name: "Workflows", description: "Start, observe and message workflow executions" },
      { name: "Visibility", description: "List and count executions" },
    ],
    paths,
    components: {
      schemas: components(),
      securitySchemes: { apiKey: { type: "http", scheme: "bearer" } },
    },
    security: [{}, { apiKey: [] }],
  };
}

let cached: string | undefined;

/** The document as JSON text, built once per isolate. */
export function openApiJson(): string {
  cached ??= JSON.stringify(buildOpenApiDocument());
  return cached;
}
