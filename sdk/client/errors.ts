/** @module Errors thrown by the Sundial client: API errors and failed workflow outcomes. */
import type { FailureInfo } from "../common/failures";
import { fromFailure } from "../common/failures";
import type { ErrorCode, ExecutionStatus } from "../common/wire";

/**
 * The `code` of a {@link SundialApiError}: one of API.md's codes, or, when the answer carried no
 * error body (a proxy's 502/503, an HTML page), `"Unavailable"` for 502/503/504 and `"Unknown"`
 * for anything else.
 */
export type SundialErrorCode = ErrorCode | "Unavailable" | "Unknown";

/**
 * The API answered with an error: `{"error": {"code", "message"}}` and a non-2xx status.
 * @example
 * try {
 *   await client.getHandle("no-such-id").describe();
 * } catch (err) {
 *   if (err instanceof SundialApiError && err.code === "NotFound") { … }
 * }
 */
export class SundialApiError extends Error {
  override name = "SundialApiError";

  /**
   * @param status The HTTP status (400, 404, 409, …).
   * @param code API.md's error code (`InvalidArgument`, `NotFound`, …).
   * @param message The server's message: what went wrong and how to fix it.
   * @param method The HTTP method of the failed request.
   * @param path The path (with query) of the failed request, without the base URL.
   */
  constructor(
    readonly status: number,
    readonly code: SundialErrorCode,
    message: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(message);
  }
}

/** The statuses of a closed run that did not complete. */
export type FailedStatus = Exclude<ExecutionStatus, "Running" | "Completed">;

/**
 * Thrown by `handle.result()` when the workflow closed without completing: it failed, was
 * canceled or terminated, or timed out. `cause` is the failure revived into its class
 * (`ApplicationFailure`, `ActivityFailure`, `TimeoutFailure`, `CancelledFailure`,
 * `TerminatedFailure`), so `err.cause instanceof ApplicationFailure` works.
 * @example
 * try {
 *   await handle.result();
 * } catch (err) {
 *   if (err instanceof WorkflowFailedError && err.status === "Failed") console.log(err.failure.type);
 * }
 */
export class WorkflowFailedError extends Error {
  override name = "WorkflowFailedError";

  /**
   * @param workflowId The workflow's id.
   * @param runId The run that closed this way (the last of the chain that was followed).
   * @param status How the run closed.
   * @param failure The serialized failure, as the API returned it.
   */
  constructor(
    readonly workflowId: string,
    readonly runId: string,
    readonly status: FailedStatus,
    readonly failure: FailureInfo,
  ) {
    super(`Workflow ${workflowId} (run ${runId}) ${status}: ${failure.message}`, {
      cause: fromFailure(failure),
    });
  }
}

/**
 * Thrown by `handle.update()` when the update was accepted (and recorded in history) but its handler
 * threw: the API's `200 {"updateId", "failure"}`. `cause` is the failure revived into its class.
 * @example
 * try {
 *   await handle.update("extend", { by: "1h" });
 * } catch (err) {
 *   if (err instanceof WorkflowUpdateFailedError) console.log(err.updateId, err.failure.message);
 * }
 */
export class WorkflowUpdateFailedError extends Error {
  override name = "WorkflowUpdateFailedError";

  /**
   * @param workflowId The workflow's id.
   * @param updateName The update's name.
   * @param updateId The update's id (its history events carry it).
   * @param failure The serialized failure, as the API returned it.
   */
  constructor(
    readonly workflowId: string,
    readonly updateName: string,
    readonly updateId: string,
    readonly failure: FailureInfo,
  ) {
    super(
      `Update "${updateName}" (${updateId}) of workflow ${workflowId} failed: ${failure.message}`,
      {
        cause: fromFailure(failure),
      },
    );
  }
}
