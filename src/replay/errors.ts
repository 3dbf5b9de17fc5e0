/**
 * @module The errors of the replay runtime. The engine tells them apart to decide what a workflow
 * task's failure means (a WorkflowTaskFailed to retry, or a 400 for a query or update).
 */
import { ActivityFailure, type FailureInfo, fromFailure } from "../../sdk/common/failures";
import type { HistoryEvent } from "../history/events";
import { type Command, describeCommand, describeEvent } from "./commands";

/** Where replay diverged: the recorded event, and the command the code issued in its place (if any). */
export interface Divergence {
  /** The recorded command event that found no match; undefined when the code issued a command history lacks. */
  event?: HistoryEvent;
  /** The command the code issued at this point; undefined when it issued none. */
  command?: Command;
  /** 0-based index of that command among the run's commands (how many matched before it). */
  commandIndex: number;
  /** Where workflow code issued `command` ("file:line:column"), when the runtime captured sources. */
  source?: string;
}

/** Workflow code issued commands that do not match its recorded history. Fails the workflow task, not the execution. */
export class NonDeterminismError extends Error {
  override name = "NonDeterminismError";
  /** What diverged, when the runtime found it while matching (absent for other causes). */
  divergence?: Divergence;
}

/** History has `event` where the code issued `command` (or nothing): the error, with both sides. */
export function divergenceError(
  event: HistoryEvent,
  command: Command | undefined,
  commandIndex: number,
  source: string | undefined,
): NonDeterminismError {
  const nde = new NonDeterminismError(
    `[SUNDIAL_NDE] history has ${describeEvent(event)} but the workflow code issued ${command ? describeCommand(command) : "no command for it"}. ` +
      "Was the workflow code changed while executions were running? Guard the change with patched().",
  );
  nde.divergence = {
    event,
    commandIndex,
    ...(command ? { command } : {}),
    ...(source !== undefined ? { source } : {}),
  };
  return nde;
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

/** A global workflow code must not use (Date-free I/O, real timers…). */
export function forbiddenGlobal(what: string, advice: string): DeterminismViolation {
  return new DeterminismViolation(
    `Workflow code called ${what}, which is not deterministic and cannot be replayed: ${advice}`,
  );
}

/** Workflow code resumed outside a workflow task (after a promise the runtime did not create). */
export function strayResume(what: string): DeterminismViolation {
  return new DeterminismViolation(
    `Workflow code ${what} outside a workflow task: it awaited a promise the runtime did not create ` +
      "(fetch, a real timer, I/O, a binding). Await only ctx.* operations; do I/O in an activity.",
  );
}
