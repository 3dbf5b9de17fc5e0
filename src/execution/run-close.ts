/**
 * @module What follows a closing run, pure: the run a ContinueAsNew starts, and whether a failed run
 * is retried under its workflow retry policy (Temporal's workflow retries). Unit-tested in Node.
 */
import type { FailureInfo, RetryState } from "../../sdk/common/failures";
import { mayRetry, retryDelayMs } from "../../sdk/common/retry-policy";
import type { EventAttributes } from "../history/events";
import type { Command } from "../replay/commands";
import type { RunRow } from "./rows";
import type { RunStart } from "./run-start";

type Started = EventAttributes["WorkflowExecutionStarted"];
type ClosingRun = Pick<
  RunRow,
  | "run_id"
  | "workflow_type"
  | "task_queue"
  | "attempt"
  | "memo"
  | "search_attributes"
  | "parent"
  | "close_notify"
>;

/** The run a ContinueAsNew starts: fresh history, same execution deadline, retry policy and parent. */
export function continuation(
  run: ClosingRun,
  cmd: Extract<Command, { type: "ContinueAsNew" }>,
  started: Started,
  runId: string,
): RunStart {
  return {
    runId,
    workflowType: cmd.workflowType,
    taskQueue: cmd.taskQueue,
    input: cmd.input,
    attempt: 1,
    firstExecutionRunId: started.firstExecutionRunId,
    continuedExecutionRunId: run.run_id,
    runTimeoutMs: started.runTimeoutMs,
    executionTimeoutMs: started.executionTimeoutMs,
    executionDeadlineMs: started.executionDeadlineMs,
    retryPolicy: started.retryPolicy,
    memo: run.memo ?? undefined,
    searchAttributes: run.search_attributes ?? undefined,
    ...(run.parent ? { parent: run.parent } : {}),
    ...(run.close_notify ? { closeNotify: run.close_notify } : {}),
  };
}

/**
 * A failed run under a retry policy: the retry state its WorkflowExecutionFailed records and, when
 * it is retried, the next run (same input, attempt + 1, started after the backoff). No retry when
 * the backoff would end at or past the execution deadline (retry state Timeout).
 */
export function workflowRetry(
  run: ClosingRun,
  failure: FailureInfo,
  now: number,
  started: Started,
  runId: string,
): { retryState: RetryState; next?: RunStart } {
  const policy = started.retryPolicy;
  if (!policy) return { retryState: "RetryPolicyNotSet" };
  const decision = mayRetry(policy, run.attempt, failure);
  if (decision !== "retry") return { retryState: decision };
  const delay = retryDelayMs(policy, run.attempt);
  const deadline = started.executionDeadlineMs;
  if (deadline !== undefined && now + delay >= deadline) return { retryState: "Timeout" };
  return {
    retryState: "InProgress",
    next: {
      runId,
      workflowType: run.workflow_type,
      taskQueue: run.task_queue,
      input: started.input,
      attempt: run.attempt + 1,
      firstExecutionRunId: started.firstExecutionRunId,
      startDelayMs: delay,
      runTimeoutMs: started.runTimeoutMs,
      executionTimeoutMs: started.executionTimeoutMs,
      executionDeadlineMs: deadline,
      retryPolicy: policy,
      memo: started.memo,
      searchAttributes: started.searchAttributes,
      ...(run.parent ? { parent: run.parent } : {}),
      ...(run.close_notify ? { closeNotify: run.close_notify } : {}),
    },
  };
}
