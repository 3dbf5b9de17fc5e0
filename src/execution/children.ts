/**
 * @module Child workflows and messages to other executions, as pure decisions (unit-tested in Node):
 * the messages a StartChild / SignalExternal / CancelExternal command sends, what their replies
 * record, the events of a child's final report, what the parent close policy sends to children still
 * open, and the report a closing child sends its parent. The DO applies them (outbox, children rows).
 */
import type { FailureInfo } from "../../sdk/common/failures";
import { withoutStacks } from "../../sdk/common/failures";
import type { ExecutionStatus } from "../../sdk/common/wire";
import { type NewEvent, newEvent } from "../history/events";
import type { Command } from "../replay/commands";
import type { ChildRow, RunRow } from "./rows";
import type { Ack, ChildReport, OutboxMessage, ParentRef, StartReply } from "./rpc";

export interface Identity {
  namespace: string;
  workflowId: string;
}

/** The outbox message of a command that reaches another execution. */
export function commandMessage(
  identity: Identity,
  runId: string,
  cmd: Extract<Command, { type: "StartChild" | "SignalExternal" | "CancelExternal" }>,
): OutboxMessage {
  const to = { namespace: identity.namespace, workflowId: cmd.workflowId, fromRunId: runId };
  switch (cmd.type) {
    case "StartChild":
      return {
        ...to,
        op: "startChild",
        seq: cmd.seq,
        parent: { ...identity, runId, seq: cmd.seq },
        request: {
          namespace: identity.namespace,
          workflowId: cmd.workflowId,
          workflowType: cmd.workflowType,
          input: cmd.input,
          taskQueue: cmd.taskQueue,
          idReusePolicy: "AllowDuplicate",
          idConflictPolicy: "Fail",
          requestId: `child:${runId}:${cmd.seq}`,
          ...(cmd.runTimeoutMs ? { runTimeoutMs: cmd.runTimeoutMs } : {}),
          ...(cmd.executionTimeoutMs ? { executionTimeoutMs: cmd.executionTimeoutMs } : {}),
          ...(cmd.retryPolicy ? { retryPolicy: cmd.retryPolicy } : {}),
          ...(cmd.memo ? { memo: cmd.memo } : {}),
        },
      };
    case "SignalExternal":
      return {
        ...to,
        op: "signal",
        seq: cmd.seq,
        signalName: cmd.signalName,
        input: cmd.input,
        requestId: `ext:${runId}:${cmd.seq}`,
      };
    case "CancelExternal":
      return {
        ...to,
        op: "cancel",
        seq: cmd.seq,
        reason: `Requested by workflow ${identity.workflowId}`,
        requestId: `ext:${runId}:${cmd.seq}`,
      };
  }
}

/**
 * What a delivered message's reply records for its sender: the events, and the child row's next
 * state (a start reply only, while the child is still Initiated).
 */
export function replyOutcome(
  message: OutboxMessage,
  reply: Ack | StartReply,
  child: ChildRow | undefined,
): { events: NewEvent[]; child?: { state: "Started"; runId: string } | { state: "Closed" } } {
  if (message.op === "startChild") {
    if (child?.state !== "Initiated") return { events: [] };
    const seq = message.seq;
    if (reply.ok && "runId" in reply) {
      return {
        events: [
          newEvent("ChildWorkflowExecutionStarted", {
            seq,
            workflowId: message.workflowId,
            runId: reply.runId,
          }),
        ],
        child: { state: "Started", runId: reply.runId },
      };
    }
    if (!reply.ok) {
      const cause =
        reply.error.code === "AlreadyStarted"
          ? "WorkflowExecutionAlreadyStarted"
          : reply.error.code;
      return {
        events: [
          newEvent("StartChildWorkflowExecutionFailed", {
            seq,
            workflowId: message.workflowId,
            cause,
          }),
        ],
        child: { state: "Closed" },
      };
    }
    return { events: [] };
  }
  if ((message.op === "signal" || message.op === "cancel") && message.seq !== undefined) {
    const seq = message.seq;
    if (reply.ok) {
      return {
        events: [
          message.op === "signal"
            ? newEvent("ExternalWorkflowExecutionSignaled", { seq })
            : newEvent("ExternalWorkflowExecutionCancelRequested", { seq }),
        ],
      };
    }
    const cause =
      reply.error.code === "NotFound" ? "ExternalWorkflowExecutionNotFound" : reply.error.code;
    return {
      events: [
        message.op === "signal"
          ? newEvent("SignalExternalWorkflowExecutionFailed", { seq, cause })
          : newEvent("RequestCancelExternalWorkflowExecutionFailed", { seq, cause }),
      ],
    };
  }
  return { events: [] };
}

/** The events a child's final report records in its parent (its start first, if not yet seen). */
export function childClosedEvents(child: ChildRow, report: ChildReport): NewEvent[] {
  const seq = report.seq;
  const events: NewEvent[] = [];
  if (child.state === "Initiated") {
    events.push(
      newEvent("ChildWorkflowExecutionStarted", {
        seq,
        workflowId: child.workflow_id,
        runId: report.childRunId,
      }),
    );
  }
  switch (report.status) {
    case "Completed":
      events.push(
        newEvent("ChildWorkflowExecutionCompleted", { seq, result: report.result ?? "null" }),
      );
      break;
    case "Failed":
      events.push(
        newEvent("ChildWorkflowExecutionFailed", {
          seq,
          failure: report.failure ?? { message: "child failed", type: "Error" },
        }),
      );
      break;
    case "Canceled":
      events.push(newEvent("ChildWorkflowExecutionCanceled", { seq }));
      break;
    case "Terminated":
      events.push(newEvent("ChildWorkflowExecutionTerminated", { seq }));
      break;
    case "TimedOut":
      events.push(newEvent("ChildWorkflowExecutionTimedOut", { seq }));
      break;
  }
  return events;
}

/** What the parent close policy sends to each child still open when `runId` closes. */
export function parentCloseMessages(
  identity: Identity,
  runId: string,
  status: ExecutionStatus,
  children: readonly ChildRow[],
): OutboxMessage[] {
  const out: OutboxMessage[] = [];
  for (const child of children) {
    const to = { namespace: identity.namespace, workflowId: child.workflow_id, fromRunId: runId };
    if (child.parent_close_policy === "Terminate") {
      out.push({
        ...to,
        op: "terminate",
        reason: `Parent ${identity.workflowId} closed (${status}); parent close policy Terminate`,
      });
    } else if (child.parent_close_policy === "RequestCancel") {
      out.push({
        ...to,
        op: "cancel",
        reason: `Parent ${identity.workflowId} closed (${status})`,
        requestId: `parent-close:${runId}:${child.seq}`,
      });
    }
  }
  return out;
}

/**
 * The final outcome a child's closing run reports to its parent; none for a run that is not a
 * child, continues as new, or is followed by a retry (`final` false).
 */
export function parentReport(
  run: Pick<RunRow, "run_id" | "parent">,
  status: ExecutionStatus,
  final: boolean,
  outcome: { result?: string; failure?: FailureInfo },
): OutboxMessage | undefined {
  if (!final || !run.parent || status === "ContinuedAsNew" || status === "Running")
    return undefined;
  const parent = JSON.parse(run.parent) as ParentRef;
  return {
    namespace: parent.namespace,
    workflowId: parent.workflowId,
    fromRunId: run.run_id,
    op: "childClosed",
    report: {
      parentRunId: parent.runId,
      seq: parent.seq,
      childRunId: run.run_id,
      status: status as ChildReport["status"],
      ...(outcome.result !== undefined ? { result: outcome.result } : {}),
      ...(outcome.failure ? { failure: withoutStacks(outcome.failure) } : {}),
    },
  };
}
