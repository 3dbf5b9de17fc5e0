/**
 * @module Close notices: a run started with `closeNotify` (a schedule's action) reports its final
 * close to that target through the outbox, as a child reports to its parent, so the schedule never
 * polls. {@link closeNoticeMessage} is pure (unit-tested in Node); {@link deliverCloseNotice} is the
 * outbox's RPC.
 */
import type { ExecutionStatus } from "../../sdk/common/wire";
import type { EngineEnv } from "../config";
import { scheduleStub } from "../schedule/addressing";
import type { Identity } from "./children";
import type { RunRow } from "./rows";
import type { Ack, CloseNotice, CloseNotifyTarget, OutboxMessage } from "./rpc";

const MAX_FAILURE_MESSAGE = 1000;

/**
 * The notice a closing run sends; none for a run without a target, or one that continues as new or
 * is followed by a retry (`final` false: the next run carries the target and reports instead).
 */
export function closeNoticeMessage(
  identity: Identity,
  run: Pick<RunRow, "run_id" | "close_notify">,
  status: ExecutionStatus,
  final: boolean,
  failureMessage?: string,
): OutboxMessage | undefined {
  if (!final || !run.close_notify || status === "ContinuedAsNew" || status === "Running") {
    return undefined;
  }
  const notify = JSON.parse(run.close_notify) as CloseNotifyTarget;
  const notice: CloseNotice = {
    workflowId: identity.workflowId,
    runId: run.run_id,
    status,
    ...(failureMessage !== undefined
      ? { failureMessage: failureMessage.slice(0, MAX_FAILURE_MESSAGE) }
      : {}),
  };
  return {
    namespace: notify.namespace,
    workflowId: notify.scheduleId,
    fromRunId: run.run_id,
    op: "closeNotice",
    notify,
    notice,
  };
}

/** Delivers a close notice to its schedule object (which dedupes by workflow id). */
export async function deliverCloseNotice(
  env: EngineEnv,
  message: Extract<OutboxMessage, { op: "closeNotice" }>,
): Promise<Ack> {
  const stub = scheduleStub(env, message.notify.namespace, message.notify.scheduleId);
  if (!stub) {
    // Only a schedule sets closeNotify, and it runs in this Worker: a missing binding means a
    // later deploy removed it; nothing can ever receive the notice.
    console.error("sundial: a close notice has no SCHEDULE binding to go to; dropped");
    return { ok: true };
  }
  return (await stub.workflowClosed(message.notice)) as Ack;
}
