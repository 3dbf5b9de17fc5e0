/** @module The operations of the OpenAPI document (see ../openapi.ts), each listed once below `/api/v1`. */
import {
  handlerNameSchema,
  historyQuerySchema,
  resultQuerySchema,
  runQuerySchema,
  workflowIdSchema,
} from "../schemas";
import { countWorkflowsQuerySchema, listWorkflowsQuerySchema } from "../visibility-routes";
import {
  type JsonSchema,
  type Parameter,
  pathParameter,
  queryParameters,
  ref,
} from "./json-schema";
import type { NAMED } from "./schemas";

type Responses = Record<
  string,
  { description: string; content?: Record<string, { schema: JsonSchema }> }
>;

export interface Operation {
  method: "get" | "post" | "put" | "delete";
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

export function operations(): Operation[] {
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
