/**
 * @module The errors of the replay runtime. The engine tells them apart to decide what a workflow
 * task's failure means (a WorkflowTaskFailed to retry, or a 400 for a query or update).
 */
import { ActivityFailure, type FailureInfo, fromFailure } from "../../sdk/common/failures";

/** Workflow code issued commands that do not match its recorded history. Fails the workflow task, not the execution. */
export class NonDeterminismError extends Error {
  override name = "NonDeterminismError";
}

/** Workflow code threw something that is not a failure (a bug): fails the workflow task, which is retried. */
export class WorkflowTaskError extends Error {
  override name = "WorkflowTaskError";
}

/** A query or update named no handler the workflow set (answered as a 400). */
export class UnknownHandlerError extends Error {
  override name = "UnknownHandlerError";
}

/** An update's validator rejected it (answered as a 400 with the validator's message). */
export class UpdateRejectedError extends Error {
  override name = "UpdateRejectedError";
}

/**
 * Workflow code broke a determinism rule the runtime cannot repair: it called a forbidden global
 * (`fetch`), or resumed outside a workflow task after awaiting a promise the runtime did not create.
 * Fails the workflow task (WorkflowTaskFailed names the cause); the task is retried.
 */
export class DeterminismViolation extends Error {
  override name = "DeterminismViolation";
}

/** The ActivityFailure workflow code sees for an activity (or local activity) that failed or was cancelled. */
export function activityFailure(
  activityType: string,
  activityId: string,
  cause: FailureInfo,
  retryState: ActivityFailure["retryState"] = "NonRetryableFailure",
): ActivityFailure {
  return new ActivityFailure(
    `Activity ${activityType} failed: ${cause.message}`,
    activityType,
    activityId,
    retryState,
    {
      cause: fromFailure(cause),
    },
  );
}
