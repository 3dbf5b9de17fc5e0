/**
 * @module Failures: errors that are recorded in history and cross boundaries (RPC, Queues, HTTP).
 * A `*Failure` is serialized with {@link toFailure} and revived with {@link fromFailure}, so
 * `err instanceof ActivityFailure` holds in workflow code after a Queue hop.
 */

/** The serialized form of a failure, as it appears in history and in the HTTP API. */
export interface FailureInfo {
  message: string;
  /** `ApplicationFailure`'s type, or the failure class (`ActivityFailure`, `TimeoutFailure`…). */
  type: string;
  /** Which failure class produced it. */
  source?: FailureSource;
  nonRetryable?: boolean;
  /** JSON details attached by the thrower. */
  details?: unknown;
  stack?: string;
  cause?: FailureInfo;
  timeoutType?: TimeoutType;
  activityType?: string;
  activityId?: string;
  workflowType?: string;
  workflowId?: string;
  retryState?: RetryState;
}

/** Every failure class, timeout type and retry state: the one list the types, checks and schemas use. */
export const FAILURE_SOURCES = [
  "ApplicationFailure",
  "ActivityFailure",
  "TimeoutFailure",
  "CancelledFailure",
  "TerminatedFailure",
  "ChildWorkflowFailure",
] as const;
export const TIMEOUT_TYPES = [
  "StartToClose",
  "ScheduleToStart",
  "ScheduleToClose",
  "Heartbeat",
] as const;
export const RETRY_STATES = [
  "InProgress",
  "NonRetryableFailure",
  "MaximumAttemptsReached",
  "Timeout",
  "RetryPolicyNotSet",
] as const;

export type FailureSource = (typeof FAILURE_SOURCES)[number];
export type TimeoutType = (typeof TIMEOUT_TYPES)[number];
export type RetryState = (typeof RETRY_STATES)[number];

/** Base class of every failure Sundial records. Never thrown directly. */
export abstract class DurableFailure extends Error {
  abstract readonly source: FailureSource;
}

/**
 * Thrown by workflow or activity code to fail with a chosen type.
 * In an activity it fails the attempt (retried unless non-retryable);
 * in a workflow it fails the execution.
 */
export class ApplicationFailure extends DurableFailure {
  override name = "ApplicationFailure";
  readonly source = "ApplicationFailure" as const;
  constructor(
    message: string,
    readonly type: string = "Error",
    readonly nonRetryable: boolean = false,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** A failure that is never retried. */
  static nonRetryable(message: string, type = "Error", details?: unknown): ApplicationFailure {
    return new ApplicationFailure(message, type, true, details);
  }

  /** A failure that the retry policy may retry. */
  static retryable(message: string, type = "Error", details?: unknown): ApplicationFailure {
    return new ApplicationFailure(message, type, false, details);
  }
}

/** An activity failed for good; `cause` says why (an ApplicationFailure, a TimeoutFailure…). */
export class ActivityFailure extends DurableFailure {
  override name = "ActivityFailure";
  readonly source = "ActivityFailure" as const;
  constructor(
    message: string,
    readonly activityType: string,
    readonly activityId: string,
    readonly retryState: RetryState,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A timeout fired: activity (start-to-close, schedule-to-close, …) or a workflow wait. */
export class TimeoutFailure extends DurableFailure {
  override name = "TimeoutFailure";
  readonly source = "TimeoutFailure" as const;
  constructor(
    message: string,
    readonly timeoutType: TimeoutType,
    readonly lastHeartbeatDetails?: unknown,
  ) {
    super(message);
  }
}

/** The workflow or activity was cancelled. */
export class CancelledFailure extends DurableFailure {
  override name = "CancelledFailure";
  readonly source = "CancelledFailure" as const;
}

/** The execution was terminated. */
export class TerminatedFailure extends DurableFailure {
  override name = "TerminatedFailure";
  readonly source = "TerminatedFailure" as const;
}

/** A child workflow ended without success; `cause` says how (ApplicationFailure, CancelledFailure…). */
export class ChildWorkflowFailure extends DurableFailure {
  override name = "ChildWorkflowFailure";
  readonly source = "ChildWorkflowFailure" as const;
  constructor(
    message: string,
    readonly workflowType: string,
    readonly workflowId: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Whether `err` is (or was caused by) a cancellation: what a cancelled scope's operations reject with. */
export function isCancellation(err: unknown): boolean {
  if (err instanceof CancelledFailure) return true;
  if (err instanceof ActivityFailure || err instanceof ChildWorkflowFailure) {
    return (err as { cause?: unknown }).cause instanceof CancelledFailure;
  }
  return false;
}

export function isDurableFailure(err: unknown): err is DurableFailure {
  return err instanceof DurableFailure;
}

function errorCause(err: Error): unknown {
  return (err as { cause?: unknown }).cause;
}

/** Serializes any thrown value to a {@link FailureInfo}. Stacks are kept for history, never sent as HTTP errors. */
export function toFailure(err: unknown, depth = 0): FailureInfo {
  if (!(err instanceof Error)) {
    return { message: typeof err === "string" ? err : safeString(err), type: "Error" };
  }
  const cause = errorCause(err);
  const base: FailureInfo = {
    message: err.message,
    type: err.name || "Error",
    ...(err.stack ? { stack: err.stack } : {}),
    ...(cause !== undefined && depth < 8 ? { cause: toFailure(cause, depth + 1) } : {}),
  };
  if (err instanceof ApplicationFailure) {
    return {
      ...base,
      type: err.type,
      source: err.source,
      nonRetryable: err.nonRetryable,
      ...(err.details !== undefined ? { details: err.details } : {}),
    };
  }
  if (err instanceof ActivityFailure) {
    return {
      ...base,
      type: "ActivityFailure",
      source: err.source,
      activityType: err.activityType,
      activityId: err.activityId,
      retryState: err.retryState,
    };
  }
  if (err instanceof ChildWorkflowFailure) {
    return {
      ...base,
      type: "ChildWorkflowFailure",
      source: err.source,
      workflowType: err.workflowType,
      workflowId: err.workflowId,
    };
  }
  if (err instanceof TimeoutFailure) {
    return {
      ...base,
      type: "TimeoutFailure",
      source: err.source,
      timeoutType: err.timeoutType,
      ...(err.lastHeartbeatDetails !== undefined ? { details: err.lastHeartbeatDetails } : {}),
    };
  }
  if (err instanceof DurableFailure) return { ...base, type: err.name, source: err.source };
  return base;
}

/** Longest `cause` chain revived or shown; deeper causes (only a forged report has them) are cut. */
export const MAX_CAUSE_DEPTH = 32;

/**
 * Revives a {@link FailureInfo} into the matching failure class (plain `ApplicationFailure` for
 * foreign errors). Iterative over the `cause` chain (innermost first), cut at {@link MAX_CAUSE_DEPTH}:
 * a stored failure with a huge chain must not overflow the stack of every later replay.
 */
export function fromFailure(info: FailureInfo): DurableFailure {
  const chain: FailureInfo[] = [];
  for (let f: FailureInfo | undefined = info; f && chain.length < MAX_CAUSE_DEPTH; f = f.cause) {
    chain.push(f);
  }
  let cause: DurableFailure | undefined;
  for (let i = chain.length - 1; i >= 0; i--) cause = fromOneFailure(chain[i]!, cause);
  return cause!;
}

function fromOneFailure(info: FailureInfo, cause: DurableFailure | undefined): DurableFailure {
  let err: DurableFailure;
  switch (info.source) {
    case "ActivityFailure":
      err = new ActivityFailure(
        info.message,
        info.activityType ?? "",
        info.activityId ?? "",
        info.retryState ?? "NonRetryableFailure",
        { cause },
      );
      break;
    case "TimeoutFailure":
      err = new TimeoutFailure(info.message, info.timeoutType ?? "StartToClose", info.details);
      break;
    case "CancelledFailure":
      err = new CancelledFailure(info.message, { cause });
      break;
    case "TerminatedFailure":
      err = new TerminatedFailure(info.message, { cause });
      break;
    case "ChildWorkflowFailure":
      err = new ChildWorkflowFailure(info.message, info.workflowType ?? "", info.workflowId ?? "", {
        cause,
      });
      break;
    default:
      err = new ApplicationFailure(
        info.message,
        info.type,
        info.nonRetryable ?? false,
        info.details,
        { cause },
      );
  }
  if (info.stack) err.stack = info.stack;
  return err;
}

/** Drops stacks along the `cause` chain (iteratively, cut at {@link MAX_CAUSE_DEPTH}), for answers to HTTP clients. */
export function withoutStacks(info: FailureInfo): FailureInfo {
  const chain: FailureInfo[] = [];
  for (let f: FailureInfo | undefined = info; f && chain.length < MAX_CAUSE_DEPTH; f = f.cause) {
    chain.push(f);
  }
  let cause: FailureInfo | undefined;
  for (let i = chain.length - 1; i >= 0; i--) {
    const { stack: _stack, cause: _cause, ...rest } = chain[i]!;
    cause = cause ? { ...rest, cause } : rest;
  }
  return cause!;
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
