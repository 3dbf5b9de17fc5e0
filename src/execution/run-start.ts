/**
 * @module Starting a run. {@link startDecision} is the id reuse and conflict policy as a pure
 * function of the current run and the request (unit-tested in Node); {@link RunStart} is what a new
 * run starts with (a start request, a continue-as-new, a workflow retry).
 */
import type { ResolvedRetryPolicy } from "../../sdk/common/retry-policy";
import type { ExecutionStatus } from "../../sdk/common/wire";
import type { NewEvent } from "../history/events";
import type { RpcError, StartRequest } from "./rpc";

/** What a new run starts with. */
export interface RunStart {
  runId: string;
  workflowType: string;
  taskQueue: string;
  input: string | undefined;
  attempt: number;
  firstExecutionRunId: string;
  continuedExecutionRunId?: string;
  requestId?: string;
  startDelayMs?: number;
  runTimeoutMs?: number;
  executionTimeoutMs?: number;
  executionDeadlineMs?: number;
  retryPolicy?: ResolvedRetryPolicy;
  memo?: string;
  searchAttributes?: string;
  /** JSON ParentRef of a child workflow's runs. */
  parent?: string;
  /** JSON CloseNotifyTarget: who hears of the final close (kept by continue-as-new and retries). */
  closeNotify?: string;
  /** Inputs recorded with WorkflowExecutionStarted (signal-with-start). */
  extraInputs?: NewEvent[];
}

/** What a start request does, given the workflow id's current run (after request-id dedup). */
export type StartDecision =
  /** Start a new run; `terminate` first ends the running one (idReusePolicy TerminateIfRunning). */
  | { kind: "start"; terminate: boolean }
  /** Signal-with-start on a running workflow: signal it instead. */
  | { kind: "signal"; runId: string }
  /** idConflictPolicy UseExisting: attach to the running run. */
  | { kind: "existing"; runId: string }
  | { kind: "reject"; error: RpcError };

export function startDecision(
  current: { run_id: string; status: ExecutionStatus } | undefined,
  req: Pick<StartRequest, "workflowId" | "idReusePolicy" | "idConflictPolicy" | "signal">,
): StartDecision {
  if (current?.status === "Running") {
    if (req.idReusePolicy === "TerminateIfRunning") return { kind: "start", terminate: true };
    if (req.signal) return { kind: "signal", runId: current.run_id };
    if (req.idConflictPolicy === "UseExisting") return { kind: "existing", runId: current.run_id };
    return {
      kind: "reject",
      error: {
        code: "AlreadyStarted",
        message: `Workflow "${req.workflowId}" is already running (run ${current.run_id}); use idConflictPolicy "UseExisting" to attach to it`,
      },
    };
  }
  if (current) {
    const failedOnly = req.idReusePolicy === "AllowDuplicateFailedOnly";
    if (req.idReusePolicy === "RejectDuplicate" || (failedOnly && current.status === "Completed")) {
      return {
        kind: "reject",
        error: {
          code: "AlreadyStarted",
          message: `Workflow "${req.workflowId}" already ran (run ${current.run_id}, ${current.status}) and idReusePolicy ${req.idReusePolicy} forbids reusing its id`,
        },
      };
    }
  }
  return { kind: "start", terminate: false };
}
