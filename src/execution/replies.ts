/**
 * @module The execution object's answers: JSON replies whose HTTP status is taken from the error code
 * (one map, shared with the API edge), and the not-found / closed acknowledgements.
 */
import type { ErrorCode, ExecutionStatus } from "../../sdk/common/wire";
import { statusOf } from "../common/error-status";
import { stringifyWithRaw } from "./raw-json";
import type { Ack, Reply } from "./rpc";

/** A JSON reply; stored payloads marked with rawJson() are spliced in as their text. */
export function json(status: number, body: unknown): Reply {
  return { status, body: stringifyWithRaw(body) };
}

/** API.md's error shape, with the status of its code. */
export function errorReply(code: ErrorCode, message: string): Reply {
  return json(statusOf(code), { error: { code, message } });
}

export function notFoundMessage(workflowId: string, runId?: string): string {
  return runId
    ? `Run ${runId} of workflow "${workflowId}" not found`
    : `Workflow "${workflowId}" not found`;
}

export function notFoundReply(workflowId: string, runId?: string): Reply {
  return errorReply("NotFound", notFoundMessage(workflowId, runId));
}

export function notFoundAck(workflowId: string, runId?: string): Ack {
  return { ok: false, error: { code: "NotFound", message: notFoundMessage(workflowId, runId) } };
}

/** A message to a run that has closed. */
export function closedAck(run: { run_id: string; status: ExecutionStatus }): Ack {
  return {
    ok: false,
    error: {
      code: "FailedPrecondition",
      message: `Run ${run.run_id} is ${run.status}: it takes no more messages`,
    },
  };
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
