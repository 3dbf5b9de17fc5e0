/**
 * @module History events: immutable facts, Temporal's names. Payloads (inputs, results) are JSON text,
 * so they are stored and compared exactly as recorded.
 */
import type { FailureInfo, RetryState, TimeoutType } from "../../sdk/common/failures";
import type { ResolvedRetryPolicy } from "../../sdk/common/retry-policy";

/** JSON text of a payload. */
export type Payload = string;

export interface ActivityOptionsMs {
  taskQueue: string;
  startToCloseTimeoutMs?: number;
  scheduleToCloseTimeoutMs?: number;
  scheduleToStartTimeoutMs?: number;
  heartbeatTimeoutMs?: number;
  retry: ResolvedRetryPolicy;
}

export interface EventAttributes {
  WorkflowExecutionStarted: {
    workflowType: string;
    /** Absent when started without input (workflow code then gets `undefined`); `"null"` is an explicit null. */
    input?: Payload;
    taskQueue: string;
    attempt: number;
    firstExecutionRunId: string;
    continuedExecutionRunId?: string;
    randomSeed: number;
    startDelayMs?: number;
    runTimeoutMs?: number;
    executionTimeoutMs?: number;
    /** Deadline of the whole chain of runs (retries, continue-as-new). */
    executionDeadlineMs?: number;
    retryPolicy?: ResolvedRetryPolicy;
    memo?: Payload;
    searchAttributes?: Payload;
    requestId?: string;
  };
  WorkflowExecutionCompleted: { result: Payload };
  WorkflowExecutionFailed: {
    failure: FailureInfo;
    retryState: RetryState;
    newExecutionRunId?: string;
  };
  WorkflowExecutionTimedOut: { timeoutType: "Run" | "Execution"; newExecutionRunId?: string };
  WorkflowExecutionTerminated: { reason: string };
  WorkflowTaskFailed: { cause: "NonDeterminism" | "WorkflowError"; failure: FailureInfo };
  ActivityTaskScheduled: {
    seq: number;
    activityId: string;
    activityType: string;
    input: Payload;
  } & ActivityOptionsMs;
  /** `eager`: handed to the consumer that reported the previous activity (eager dispatch), unqueued. */
  ActivityTaskStarted: { seq: number; attempt: number; lastFailure?: FailureInfo; eager?: boolean };
  ActivityTaskCompleted: { seq: number; result: Payload; attempt: number };
  ActivityTaskFailed: {
    seq: number;
    failure: FailureInfo;
    retryState: RetryState;
    attempt: number;
  };
  ActivityTaskTimedOut: {
    seq: number;
    timeoutType: TimeoutType;
    failure: FailureInfo;
    retryState: RetryState;
    attempt: number;
  };
  TimerStarted: { seq: number; timerId: string; durationMs: number; fireAtMs: number };
  TimerFired: { seq: number; timerId: string };
  MarkerRecorded:
    | {
        seq: number;
        markerName: "LocalActivity";
        activityType: string;
        attempt: number;
        result?: Payload;
        failure?: FailureInfo;
      }
    | { markerName: "Patch"; patchId: string; deprecated: boolean };
  TimerCanceled: { seq: number; timerId: string };
  ActivityTaskCancelRequested: { seq: number };
  /** Written right after ActivityTaskCancelRequested: the engine drops the activity at once (Temporal's TryCancel). */
  ActivityTaskCanceled: { seq: number };
  /** `input` absent: signalled without input (the handler gets undefined). */
  WorkflowExecutionSignaled: { signalName: string; input?: Payload; requestId?: string };
  WorkflowExecutionCancelRequested: { reason?: string };
  WorkflowExecutionCanceled: { details?: Payload };
  WorkflowExecutionContinuedAsNew: {
    newExecutionRunId: string;
    workflowType: string;
    /** Absent when continued without input. */
    input?: Payload;
    taskQueue: string;
  };
  /** `input` absent: sent without input (the handler gets undefined). */
  WorkflowExecutionUpdateAccepted: { updateId: string; updateName: string; input?: Payload };
  WorkflowExecutionUpdateCompleted: { updateId: string; result?: Payload; failure?: FailureInfo };
  UpsertWorkflowSearchAttributes: { searchAttributes: Payload };
  StartChildWorkflowExecutionInitiated: {
    seq: number;
    workflowId: string;
    workflowType: string;
    input: Payload;
    taskQueue: string;
    parentClosePolicy: ParentClosePolicy;
    runTimeoutMs?: number;
    executionTimeoutMs?: number;
    retryPolicy?: ResolvedRetryPolicy;
    memo?: Payload;
    searchAttributes?: Payload;
  };
  StartChildWorkflowExecutionFailed: { seq: number; workflowId: string; cause: string };
  ChildWorkflowExecutionStarted: { seq: number; workflowId: string; runId: string };
  ChildWorkflowExecutionCompleted: { seq: number; result: Payload };
  ChildWorkflowExecutionFailed: { seq: number; failure: FailureInfo };
  ChildWorkflowExecutionCanceled: { seq: number };
  ChildWorkflowExecutionTerminated: { seq: number };
  ChildWorkflowExecutionTimedOut: { seq: number };
  SignalExternalWorkflowExecutionInitiated: {
    seq: number;
    workflowId: string;
    signalName: string;
    input: Payload;
  };
  ExternalWorkflowExecutionSignaled: { seq: number };
  SignalExternalWorkflowExecutionFailed: { seq: number; cause: string };
  RequestCancelExternalWorkflowExecutionInitiated: { seq: number; workflowId: string };
  ExternalWorkflowExecutionCancelRequested: { seq: number };
  RequestCancelExternalWorkflowExecutionFailed: { seq: number; cause: string };
}

export type ParentClosePolicy = "Terminate" | "RequestCancel" | "Abandon";

export type EventType = keyof EventAttributes;

/**
 * Every event type the engine writes: API.md's list ("History event types"), plus the three
 * `…Failed` events of child starts and external signals/cancels that API.md does not name.
 */
export const EVENT_TYPES = [
  "WorkflowExecutionStarted",
  "WorkflowExecutionCompleted",
  "WorkflowExecutionFailed",
  "WorkflowExecutionTimedOut",
  "WorkflowExecutionCanceled",
  "WorkflowExecutionTerminated",
  "WorkflowExecutionContinuedAsNew",
  "WorkflowExecutionCancelRequested",
  "WorkflowTaskFailed",
  "WorkflowExecutionSignaled",
  "WorkflowExecutionUpdateAccepted",
  "WorkflowExecutionUpdateCompleted",
  "ActivityTaskScheduled",
  "ActivityTaskStarted",
  "ActivityTaskCompleted",
  "ActivityTaskFailed",
  "ActivityTaskTimedOut",
  "ActivityTaskCancelRequested",
  "ActivityTaskCanceled",
  "TimerStarted",
  "TimerFired",
  "TimerCanceled",
  "MarkerRecorded",
  "StartChildWorkflowExecutionInitiated",
  "StartChildWorkflowExecutionFailed",
  "ChildWorkflowExecutionStarted",
  "ChildWorkflowExecutionCompleted",
  "ChildWorkflowExecutionFailed",
  "ChildWorkflowExecutionCanceled",
  "ChildWorkflowExecutionTerminated",
  "ChildWorkflowExecutionTimedOut",
  "SignalExternalWorkflowExecutionInitiated",
  "ExternalWorkflowExecutionSignaled",
  "SignalExternalWorkflowExecutionFailed",
  "RequestCancelExternalWorkflowExecutionInitiated",
  "ExternalWorkflowExecutionCancelRequested",
  "RequestCancelExternalWorkflowExecutionFailed",
  "UpsertWorkflowSearchAttributes",
] as const satisfies readonly EventType[];

// A type in EventAttributes missing from EVENT_TYPES fails to compile here.
const everyEventTypeListed: Exclude<EventType, (typeof EVENT_TYPES)[number]> extends never
  ? true
  : false = true;
void everyEventTypeListed;

/** One event as stored: `taskId` groups the events one activation (one transaction) appended. */
export type HistoryEvent = {
  [T in EventType]: {
    eventId: number;
    taskId: number;
    eventType: T;
    timestampMs: number;
    attributes: EventAttributes[T];
  };
}[EventType];

export type EventOf<T extends EventType> = Extract<HistoryEvent, { eventType: T }>;

/** An event before it is given an id and a task. */
export type NewEvent = {
  [T in EventType]: { eventType: T; attributes: EventAttributes[T] };
}[EventType];

export function newEvent<T extends EventType>(
  eventType: T,
  attributes: EventAttributes[T],
): NewEvent {
  return { eventType, attributes } as NewEvent;
}

/** Events that workflow commands produce (matched by sequence number on replay). */
export const COMMAND_EVENT_TYPES: ReadonlySet<EventType> = new Set<EventType>([
  "ActivityTaskScheduled",
  "TimerStarted",
  "MarkerRecorded",
  "WorkflowExecutionCompleted",
  "WorkflowExecutionFailed",
  "TimerCanceled",
  "ActivityTaskCancelRequested",
  "WorkflowExecutionCanceled",
  "WorkflowExecutionContinuedAsNew",
  "WorkflowExecutionUpdateCompleted",
  "UpsertWorkflowSearchAttributes",
  "StartChildWorkflowExecutionInitiated",
  "SignalExternalWorkflowExecutionInitiated",
  "RequestCancelExternalWorkflowExecutionInitiated",
]);

/** Events that wake workflow code (resolve or reject something it awaits, or deliver a message). */
export const INPUT_EVENT_TYPES: ReadonlySet<EventType> = new Set<EventType>([
  "WorkflowExecutionStarted",
  "ActivityTaskCompleted",
  "ActivityTaskFailed",
  "ActivityTaskTimedOut",
  "TimerFired",
  "WorkflowExecutionSignaled",
  "WorkflowExecutionCancelRequested",
  "WorkflowExecutionUpdateAccepted",
  "StartChildWorkflowExecutionFailed",
  "ChildWorkflowExecutionStarted",
  "ChildWorkflowExecutionCompleted",
  "ChildWorkflowExecutionFailed",
  "ChildWorkflowExecutionCanceled",
  "ChildWorkflowExecutionTerminated",
  "ChildWorkflowExecutionTimedOut",
  "ExternalWorkflowExecutionSignaled",
  "SignalExternalWorkflowExecutionFailed",
  "ExternalWorkflowExecutionCancelRequested",
  "RequestCancelExternalWorkflowExecutionFailed",
]);

export function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}
