/** @module The RPC surface of a WorkflowExecution object, as the Worker (API, reporter) calls it. */
import type { ResolvedRetryPolicy } from "../../sdk/common/retry-policy";
import type { ErrorCode, IdConflictPolicy, IdReusePolicy } from "../../sdk/common/wire";

/** A validated start request. Payloads are JSON text. */
export interface StartRequest {
  namespace: string;
  workflowId: string;
  workflowType: string;
  input: string;
  taskQueue: string;
  idReusePolicy: IdReusePolicy;
  idConflictPolicy: IdConflictPolicy;
  requestId?: string;
  startDelayMs?: number;
  executionTimeoutMs?: number;
  runTimeoutMs?: number;
  retryPolicy?: ResolvedRetryPolicy;
  memo?: string;
  searchAttributes?: string;
}

export interface RpcError {
  code: ErrorCode;
  message: string;
}

export type StartReply =
  | { ok: true; runId: string; started: boolean }
  | { ok: false; error: RpcError };

/**
 * A ready HTTP answer: `body` is the JSON text of the API.md response (or error). Read endpoints
 * answer this way so payloads stored as JSON text are spliced in, not parsed and re-serialized.
 */
export interface Reply {
  status: number;
  body: string;
}
