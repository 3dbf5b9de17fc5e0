/**
 * @module Messages to a run from outside its code: signals, cancel and terminate requests, and a
 * child's final outcome (from the child's outbox). Each is deduplicated (by request id, or by the
 * child row's state) and recorded through one transition.
 */
import { handlerNameProblem } from "../../sdk/common/handler-name";
import { newEvent } from "../history/events";
import { childClosedEvents } from "./children";
import type { ExecCtx, Writes } from "./execution-context";
import { closedAck, notFoundAck } from "./replies";
import { requestKey } from "./request-keys";
import type { RunRow } from "./rows";
import type { Ack, ChildReport } from "./rpc";
import { terminateRun } from "./run-closer";
import { transition } from "./transition";

export async function signal(
  x: ExecCtx,
  signalName: string,
  input: string | undefined,
  requestId?: string,
  runId?: string,
): Promise<Ack> {
  const run = x.runs.find(runId);
  if (!run) return notFoundAck(x.workflowIdForMessages(), runId);
  return signalRun(x, run, signalName, input, requestId);
}

/** Records a signal to `run` (also signal-with-start on a running workflow). */
export async function signalRun(
  x: ExecCtx,
  run: RunRow,
  signalName: string,
  input: string | undefined,
  requestId?: string,
): Promise<Ack> {
  // The SDK's and the API's rule, checked again here for every caller of the object.
  const badName = handlerNameProblem(signalName);
  if (badName) {
    return { ok: false, error: { code: "InvalidArgument", message: `signal name ${badName}` } };
  }
  if (requestId && x.requests.seen(requestKey("signal", requestId))) return { ok: true };
  if (run.status !== "Running") return closedAck(run);
  const writes: Writes = { sql: [] };
  if (requestId) {
    writes.sql.push(() => x.requests.remember(requestKey("signal", requestId), run.run_id));
  }
  await transition(
    x,
    run,
    [
      newEvent("WorkflowExecutionSignaled", {
        signalName,
        input,
        ...(requestId ? { requestId } : {}),
      }),
    ],
    writes,
  );
  return { ok: true };
}

export async function cancel(
  x: ExecCtx,
  reason?: string,
  requestId?: string,
  runId?: string,
): Promise<Ack> {
  const run = x.runs.find(runId);
  if (!run) return notFoundAck(x.workflowIdForMessages(), runId);
  if (requestId && x.requests.seen(requestKey("cancel", requestId))) return { ok: true };
  if (run.status !== "Running") return closedAck(run);
  if (run.cancel_requested) return { ok: true };
  const writes: Writes = { sql: [() => x.runs.cancelRequested(run.run_id)] };
  if (requestId) {
    writes.sql.push(() => x.requests.remember(requestKey("cancel", requestId), run.run_id));
  }
  await transition(
    x,
    run,
    [newEvent("WorkflowExecutionCancelRequested", reason ? { reason } : {})],
    writes,
  );
  return { ok: true };
}

export async function terminate(x: ExecCtx, reason?: string, runId?: string): Promise<Ack> {
  const run = x.runs.find(runId);
  if (!run) return notFoundAck(x.workflowIdForMessages(), runId);
  if (run.status !== "Running") return closedAck(run);
  await terminateRun(x, run, reason ?? "Terminated by request");
  return { ok: true };
}

/** A child's final outcome, from the child's outbox. Deduplicated by the child row's state. */
export async function childClosed(x: ExecCtx, report: ChildReport): Promise<Ack> {
  const child = x.children.get(report.parentRunId, report.seq);
  if (!child || child.state === "Closed") return { ok: true };
  const closeChild = () => x.children.closed(child.run_id, child.seq, report.childRunId);
  const run = x.runs.find(report.parentRunId);
  if (run?.status !== "Running") {
    x.commitWrites({ sql: [closeChild] });
    return { ok: true };
  }
  await transition(x, run, childClosedEvents(child, report), { sql: [closeChild] });
  return { ok: true };
}
