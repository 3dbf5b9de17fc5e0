/** @module The CLI's exit codes and the errors that carry them; scripts can branch on the code. */
import { SundialApiError } from "../sdk/client/index";

/** Exit codes of `sundial`. */
export const ExitCode = {
  /** Done. */
  Ok: 0,
  /** The server failed (5xx), could not be reached, or something unexpected happened. */
  Failure: 1,
  /** Bad input: a usage error, malformed JSON in an option, or the server's 400/413. */
  BadInput: 2,
  /** No such workflow (or route): the server's 404. */
  NotFound: 3,
  /** A conflict: already started, or the workflow is closed (409). */
  Conflict: 4,
  /** Missing or refused API key (401/403). */
  Unauthorized: 5,
  /**
   * `result`: the workflow closed without completing (failed, canceled, terminated, timed out);
   * `update`: the update was accepted but its handler failed.
   */
  WorkflowNotCompleted: 6,
  /** `result`: the workflow is still running (no `--wait`, or the wait ran out). */
  StillRunning: 7,
  /** Interrupted (Ctrl-C). */
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A mistake in the command line itself: exits with {@link ExitCode.BadInput}. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** An outcome already printed that still ends the command with `code` (e.g. a failed workflow). */
export class ExitWith extends Error {
  override name = "ExitWith";
  constructor(readonly code: ExitCode) {
    super(`exit ${code}`);
  }
}

/** The exit code for an API error, by its status. */
export function exitCodeOfApiError(err: SundialApiError): ExitCode {
  if (err.status === 400 || err.status === 413) return ExitCode.BadInput;
  if (err.status === 404) return ExitCode.NotFound;
  if (err.status === 409) return ExitCode.Conflict;
  if (err.status === 401 || err.status === 403) return ExitCode.Unauthorized;
  return ExitCode.Failure;
}

/** How an error ends the CLI: its exit code and a one-line message (and its JSON form). */
export interface ErrorReport {
  code: ExitCode;
  message: string;
  json: { error: { code: string; message: string; status?: number } };
}

/** Describes `err` for the user; `address` helps when the server cannot be reached. */
export function reportError(err: unknown, address: string): ErrorReport {
  if (err instanceof SundialApiError) {
    return {
      code: exitCodeOfApiError(err),
      message: `${err.message} (${err.code}, HTTP ${err.status})`,
      json: { error: { code: err.code, message: err.message, status: err.status } },
    };
  }
  if (err instanceof UsageError) {
    return {
      code: ExitCode.BadInput,
      message: err.message,
      json: { error: { code: "InvalidArgument", message: err.message } },
    };
  }
  if (isAbort(err)) {
    return {
      code: ExitCode.Interrupted,
      message: "interrupted",
      json: { error: { code: "Interrupted", message: "interrupted" } },
    };
  }
  const unreachable = connectionProblem(err);
  if (unreachable) {
    const message = `cannot reach Sundial at ${address} (${unreachable}); is it running (npm run dev)? Set --address or SUNDIAL_ADDRESS`;
    return { code: ExitCode.Failure, message, json: { error: { code: "Unavailable", message } } };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: ExitCode.Failure, message, json: { error: { code: "Unknown", message } } };
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === "AbortError" || err.name === "Interrupted");
}

/** The reason `fetch` could not connect (`ECONNREFUSED`, `ENOTFOUND`, …), if that is what failed. */
function connectionProblem(err: unknown): string | undefined {
  if (!(err instanceof TypeError) || err.message !== "fetch failed") return undefined;
  const cause = err.cause as { code?: unknown; message?: unknown } | undefined;
  if (typeof cause?.code === "string") return cause.code;
  return typeof cause?.message === "string" ? cause.message : "fetch failed";
}
