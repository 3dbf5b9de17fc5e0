/** @module HTTP wire types of API.md, shared by the engine's API and the typed client. */
import type { FailureInfo } from "./failures";

export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/** Every status an execution can have (the visibility index's CHECK constraint lists the same). */
export const EXECUTION_STATUSES = [
  "Running",
  "Completed",
  "Failed",
  "Canceled",
  "Terminated",
  "ContinuedAsNew",
  "TimedOut",
] as const;

export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export type IdReusePolicy =
  | "AllowDuplicate"
  | "AllowDuplicateFailedOnly"
  | "RejectDuplicate"
  | "TerminateIfRunning";
export type IdConflictPolicy = "Fail" | "UseExisting";

/** API.md's error codes: the one list the type, the client's check and the OpenAPI schema use. */
export const ERROR_CODES = [
  "InvalidArgument",
  "Unauthenticated",
  "PermissionDenied",
  "NotFound",
  "AlreadyStarted",
  "FailedPrecondition",
  "PayloadTooLarge",
  "ResourceExhausted",
  "Internal",
  "Unavailable",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

export interface StartResponse {
  workflowId: string;
  runId: string;
  started: boolean;
}

export interface PendingActivity {
  activityId: string;
  activityType: string;
  attempt: number;
  state: "Scheduled" | "Started" | "Backoff";
  lastFailure: FailureInfo | null;
  lastHeartbeat: { time: string; details: JsonValue } | null;
  scheduledTime: string;
  nextAttemptTime: string | null;
  lastAttemptCompleteTime: string | null;
}

export interface PendingTimer {
  timerId: string;
  fireTime: string;
}

export interface WorkflowDescription {
  workflowId: string;
  runId: string;
  workflowType: string;
  status: ExecutionStatus;
  startTime: string;
  closeTime: string | null;
  taskQueue: string;
  historyLength: number;
  memo: JsonValue;
  searchAttributes: JsonValue;
  parent: null | { workflowId: string; runId: string };
  attempt: number;
  /** Set when the last workflow task failed (non-determinism, a bug in workflow code): it is being retried. */
  workflowTaskFailure: null | { message: string; type: string; attempt: number };
  pendingActivities: PendingActivity[];
  pendingTimers: PendingTimer[];
  pendingChildren: PendingChild[];
  /**
   * Side effects of this run that failed to go out at least once and are being retried with
   * backoff (activity tasks to a Queue, messages to other executions, the visibility row).
   */
  pendingDeliveries: PendingDelivery[];
}

/** An outbox row being retried: what it is, where it goes, and why it has not gone yet. */
export interface PendingDelivery {
  kind: "activity" | "rpc" | "visibility";
  /** Task queue (activity), `namespace/workflowId` (rpc) or run id (visibility). */
  target: string;
  attempts: number;
  lastError: string | null;
  nextAttemptTime: string | null;
}

export type ResultResponse =
  | { status: "Running" }
  | { status: "Completed"; result: JsonValue; runId: string }
  | {
      status: Exclude<ExecutionStatus, "Running" | "Completed">;
      failure: FailureInfo;
      runId: string;
    };

export interface WireEvent {
  eventId: number;
  eventType: string;
  timestamp: string;
  attributes: { [key: string]: JsonValue };
}

export interface HistoryResponse {
  events: WireEvent[];
  nextPageToken: string | null;
}

/** A child workflow started by this run and not yet closed. */
export interface PendingChild {
  workflowId: string;
  runId: string | null;
  workflowType: string;
  state: "Initiated" | "Started" | "Closed";
  parentClosePolicy: "Terminate" | "RequestCancel" | "Abandon";
}
