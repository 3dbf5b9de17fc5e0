/**
 * @module The Sundial client: start workflows and follow them over the HTTP API, from Node 20+,
 * another Worker (over a service binding or the network), or a browser. Uses only `fetch`.
 * Import workflow definitions as types only (`import type`), so no workflow code is bundled.
 * @example
 * import { createClient, WorkflowFailedError } from "sundial/client";
 * import type { loanApplication } from "./workflows";
 *
 * const client = createClient({ baseUrl: "http://127.0.0.1:8787" });
 * const handle = await client.start<typeof loanApplication>("loanApplication", {
 *   workflowId: "loan-42",
 *   input: { applicant: "Ada", amount: 5000 },
 * });
 * try {
 *   const result = await handle.result();
 * } catch (err) {
 *   if (err instanceof WorkflowFailedError) console.error(err.status, err.failure.message);
 * }
 */
// The failure classes, for `err.cause instanceof ApplicationFailure` on a WorkflowFailedError.

export type { Duration } from "../common/duration";
export type { FailureInfo } from "../common/failures";
export {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  DurableFailure,
  TerminatedFailure,
  TimeoutFailure,
} from "../common/failures";
export type { RetryPolicy } from "../common/retry-policy";
export type {
  CalendarSpec,
  ListSchedulesResponse,
  OverlapPolicy,
  ScheduleActionResult,
  ScheduleActionStatus,
  ScheduleBody,
  ScheduleDescription,
  ScheduleInfo,
  ScheduleListEntry,
  SchedulePolicies,
  ScheduleSpec,
  ScheduleStartWorkflow,
  ScheduleState,
} from "../common/schedule";
export { OVERLAP_POLICIES } from "../common/schedule";
export type {
  ErrorCode,
  ExecutionStatus,
  HistoryResponse,
  IdConflictPolicy,
  IdReusePolicy,
  JsonValue,
  PendingActivity,
  PendingTimer,
  ResultResponse,
  StartResponse,
  WireEvent,
  WorkflowDescription,
} from "../common/wire";
export type {
  AdminClient,
  ApiKeyInfo,
  ApiKeyRole,
  CreatedApiKey,
  NamespaceInfo,
  WhoAmI,
} from "./admin";
export { createAdminClient } from "./admin";
export type {
  AnyWorkflowDefinition,
  ClientOptions,
  FollowHistoryOptions,
  HistoryOptions,
  ListWorkflowsOptions,
  ListWorkflowsResponse,
  PollResultOptions,
  ResultOptions,
  StartedWorkflowHandle,
  StartWorkflowBaseOptions,
  StartWorkflowOptions,
  SundialClient,
  WorkflowExecutionInfo,
  WorkflowHandle,
  WorkflowInput,
  WorkflowOutput,
} from "./client";
export { CLOSING_EVENT_TYPES, createClient } from "./client";
export type { FailedStatus, SundialErrorCode } from "./errors";
export { SundialApiError, WorkflowFailedError, WorkflowUpdateFailedError } from "./errors";
export type { FetchLike } from "./http";
export type {
  BackfillOptions,
  ListSchedulesOptions,
  ScheduleClient,
  ScheduleHandle,
} from "./schedule-client";
