/** @module Retry policies, with Temporal's field names and defaults. */
import { type Duration, MAX_DURATION_MS, toMs } from "./duration";

/** How an activity (or a workflow) is retried. Temporal's fields and defaults. */
export interface RetryPolicy {
  /** Delay before the first retry. @default "1s" */
  initialInterval?: Duration;
  /** Multiplier applied to the delay after each retry. @default 2 */
  backoffCoefficient?: number;
  /** Cap on the delay. @default 100 × initialInterval */
  maximumInterval?: Duration;
  /** Total attempts including the first; 0 means unlimited. @default 0 */
  maximumAttempts?: number;
  /** `ApplicationFailure` types that are never retried. */
  nonRetryableErrorTypes?: string[];
}

/** A {@link RetryPolicy} with every field resolved to numbers (milliseconds). */
export interface ResolvedRetryPolicy {
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
  maximumAttempts: number;
  nonRetryableErrorTypes: string[];
}

/** Resolves defaults and validates; throws `TypeError` with a clear message for bad values. */
export function resolveRetryPolicy(policy: RetryPolicy | undefined): ResolvedRetryPolicy {
  const initialIntervalMs = toMs(policy?.initialInterval ?? 1000);
  const backoffCoefficient = policy?.backoffCoefficient ?? 2;
  const maximumIntervalMs = toMs(
    policy?.maximumInterval ?? Math.min(initialIntervalMs * 100, MAX_DURATION_MS),
  );
  const maximumAttempts = policy?.maximumAttempts ?? 0;
  if (initialIntervalMs < 1) throw new TypeError("retry.initialInterval must be at least 1ms");
  if (!(backoffCoefficient >= 1)) throw new TypeError("retry.backoffCoefficient must be >= 1");
  if (maximumIntervalMs < initialIntervalMs) {
    throw new TypeError("retry.maximumInterval must be >= retry.initialInterval");
  }
  if (!Number.isInteger(maximumAttempts) || maximumAttempts < 0) {
    throw new TypeError("retry.maximumAttempts must be a non-negative integer (0 = unlimited)");
  }
  return {
    initialIntervalMs,
    backoffCoefficient,
    maximumIntervalMs,
    maximumAttempts,
    nonRetryableErrorTypes: [...(policy?.nonRetryableErrorTypes ?? [])],
  };
}

/** Delay before retrying after `attempt` failed (attempt counts from 1). */
export function retryDelayMs(policy: ResolvedRetryPolicy, attempt: number): number {
  const raw = policy.initialIntervalMs * policy.backoffCoefficient ** Math.max(0, attempt - 1);
  return Math.min(Math.round(raw), policy.maximumIntervalMs);
}

/** Whether another attempt may follow `attempt` given the failure's type and flags. */
export function mayRetry(
  policy: ResolvedRetryPolicy,
  attempt: number,
  failure: { type: string; nonRetryable?: boolean },
): "retry" | "NonRetryableFailure" | "MaximumAttemptsReached" {
  if (failure.nonRetryable || policy.nonRetryableErrorTypes.includes(failure.type)) {
    return "NonRetryableFailure";
  }
  if (policy.maximumAttempts > 0 && attempt >= policy.maximumAttempts) {
    return "MaximumAttemptsReached";
  }
  return "retry";
}
