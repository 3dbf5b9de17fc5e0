/**
 * @module Component schemas of the OpenAPI document (see ../openapi.ts): the request schemas that
 * validate bodies (../schemas.ts) plus response schemas declared here and checked against the wire
 * types (sdk/common/wire.ts) at compile time.
 */

import * as z from "zod";
import {
  FAILURE_SOURCES,
  type FailureInfo,
  RETRY_STATES,
  TIMEOUT_TYPES,
} from "../../../sdk/common/failures";
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
} from "../../../sdk/common/wire";
import { ERROR_CODES, EXECUTION_STATUSES } from "../../../sdk/common/wire";
import { EVENT_TYPES } from "../../history/events";
import type { ListResult, WorkflowExecutionInfo } from "../../visibility/store";
import {
  cancelBodySchema,
  queryBodySchema,
  signalBodySchema,
  startBodySchema,
  terminateBodySchema,
  updateBodySchema,
} from "../schemas";
import { AUTH_NAMED } from "./auth-schemas";
import { SCHEDULE_NAMED } from "./schedule-schemas";

// ---------------------------------------------------------------- response schemas

const anyJson = z.unknown().describe("Any JSON value");
const isoTime = z.string().describe("ISO-8601 time");
const executionStatus = z.enum(EXECUTION_STATUSES);

const errorSchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string().describe("What went wrong and how to fix it"),
    }),
  })
  .describe("Every error answer of the API");

const failureSchema = z.object({
  message: z.string(),
  type: z.string().describe("ApplicationFailure's type, or the failure class"),
  source: z.enum(FAILURE_SOURCES).optional(),
  nonRetryable: z.boolean().optional(),
  details: anyJson.optional(),
  stack: z.string().optional(),
  get cause() {
    return failureSchema.optional();
  },
  timeoutType: z.enum(TIMEOUT_TYPES).optional(),
  activityType: z.string().optional(),
  activityId: z.string().optional(),
  workflowType: z.string().optional(),
  workflowId: z.string().optional(),
  retryState: z.enum(RETRY_STATES).optional(),
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
export const NAMED: Record<string, z.ZodType> = {
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
  ...AUTH_NAMED,
  ...SCHEDULE_NAMED,
};
