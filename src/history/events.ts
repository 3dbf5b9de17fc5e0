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
    input: Payload;
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
  ActivityTaskStarted: { seq: number; attempt: number; lastFailure?: FailureInfo };
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
  MarkerRecorded: {
    seq: number;
    markerName: "LocalActivity";
    activityType: string;
    attempt: number;
    result?: Payload;
    failure?: FailureInfo;
  };
}

export type EventType = keyof EventAttributes;

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
]);

/** Events that wake workflow code (resolve or reject something it awaits). */
export const INPUT_EVENT_TYPES: ReadonlySet<EventType> = new Set<EventType>([
  "WorkflowExecutionStarted",
  "ActivityTaskCompleted",
  "ActivityTaskFailed",
  "ActivityTaskTimedOut",
  "TimerFired",
]);

export function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}
