/**
 * @module Closing runs (the wiring around run-close.ts's pure continuation and retry): a close from
 * outside workflow code (timeout, termination) as one transaction, what every close queues (parent
 * close policy, the report to a parent, the visibility row), and the next run a closing command
 * starts.
 */

import type { FailureInfo } from "../../sdk/common/failures";
import type { ExecutionStatus } from "../../sdk/common/wire";
import { type HistoryEvent, type NewEvent, newEvent } from "../history/events";
import type { Command } from "../replay/commands";
import { scheduleRetention } from "../retention/retention";
import { parentCloseMessages, parentReport } from "./children";
import { closeNoticeMessage } from "./close-notify";
import { crashPoint } from "./crash-points";
import { deliverInBackground, queueVisibility, sendMessage } from "./delivery";
import type { ExecCtx } from "./execution-context";
import { assignIds } from "./history-store";
import { dropRunDeliveries } from "./outbox";
import type { RunRow } from "./rows";
import { continuation, workflowRetry } from "./run-close";
import type { RunStart } from "./run-start";
import { armAlarm } from "./timers";

export async function terminateRun(x: ExecCtx, run: RunRow, reason: string): Promise<void> {
  await closeRun(x, run, terminationEvents(reason), "Terminated");
}

/** What a termination records on the run (by request, or by a start that replaces the run). */
export function terminationEvents(reason: string): NewEvent[] {
  return [newEvent("WorkflowExecutionTerminated", { reason })];
}

/** Closes a run from outside workflow code (timeout, termination): one transaction. */
export async function closeRun(
  x: ExecCtx,
  run: RunRow,
  events: NewEvent[],
  status: ExecutionStatus,
): Promise<void> {
  const closed = x.storage.transactionSync(() => closeRunWrites(x, run, events, status));
  await afterCloseCommitted(x, closed);
}

/** A close from outside workflow code, written and waiting for its commit's after-steps. */
export interface ClosedFromOutside {
  readonly run: RunRow;
  readonly stored: HistoryEvent[];
}

/**
 * Inside a transaction: a close from outside workflow code, its events and what it abandons and
 * queues. Its own transaction ({@link closeRun}), or a start's that replaces the run
 * (TerminateIfRunning), so that a start refused later leaves the run as it was.
 */
export function closeRunWrites(
  x: ExecCtx,
  run: RunRow,
  events: NewEvent[],
  status: ExecutionStatus,
): ClosedFromOutside {
  const now = x.now();
  const stored = assignIds(run, events, now);
  x.history.insert(run.run_id, stored);
  x.runs.closeFromOutside(run.run_id, status, now);
  abandonPending(x, run.run_id);
  onClose(x, run, status, true);
  crashPoint(x.state, "beforeCommit", stored);
  return { run, stored };
}

/** After the commit of {@link closeRunWrites}: the run's memory, its alarm, its waiters, deliveries. */
export async function afterCloseCommitted(x: ExecCtx, closed: ClosedFromOutside): Promise<void> {
  crashPoint(x.state, "afterCommit", closed.stored);
  if (x.cached?.runId === closed.run.run_id) x.cached = undefined;
  x.locals.stopRun(closed.run.run_id);
  await armAlarm(x, true); // exactly: a closed run must not be woken for what it abandoned
  x.waiters.notify("close");
  deliverInBackground(x);
}

/**
 * Inside a closing transaction: children per their parent close policy, the final outcome to a
 * parent, and the visibility row. All leave through the outbox.
 */
export function onClose(
  x: ExecCtx,
  run: RunRow,
  status: ExecutionStatus,
  final: boolean,
  outcome: { result?: string; failure?: FailureInfo } = {},
): void {
  const closed = x.runs.find(run.run_id)!;
  queueVisibility(x, closed, 0);
  scheduleRetention(x.sql, closed, x.now(), x.config.retentionMs);
  const children = x.children.open(run.run_id);
  for (const message of parentCloseMessages(x.identity!, run.run_id, status, children)) {
    sendMessage(x, message);
  }
  const report = parentReport(run, status, final, outcome);
  if (report) sendMessage(x, report);
  const notice = closeNoticeMessage(x.identity!, run, status, final, outcome.failure?.message);
  if (notice) sendMessage(x, notice);
}

/** A closed run's pending work: its undelivered tasks and signals, timers and activities. */
export function abandonPending(x: ExecCtx, runId: string): void {
  dropRunDeliveries(x.sql, runId);
  x.delivery.written = x.delivery.written.filter((t) => t.runId !== runId);
  x.timers.deleteRun(runId);
  x.activities.deleteRun(runId);
}

/** The run a ContinueAsNew command starts: fresh history, same execution deadline and parent. */
export function continuationOf(
  x: ExecCtx,
  run: RunRow,
  cmd: Extract<Command, { type: "ContinueAsNew" }>,
  events: HistoryEvent[],
): RunStart {
  const recorded = events.find((e) => e.eventType === "WorkflowExecutionContinuedAsNew");
  const runId =
    recorded?.eventType === "WorkflowExecutionContinuedAsNew"
      ? recorded.attributes.newExecutionRunId
      : crypto.randomUUID();
  return continuation(run, cmd, x.history.startedAttributes(run.run_id, events), runId);
}

/** Workflow retry policy: records the retry state (and next run) on the run's WorkflowExecutionFailed. */
export function retryOf(
  x: ExecCtx,
  run: RunRow,
  failure: FailureInfo,
  now: number,
  events: HistoryEvent[],
): RunStart | undefined {
  const first = events[0];
  const started =
    first?.eventType === "WorkflowExecutionStarted"
      ? first.attributes
      : x.history.startedAttributes(run.run_id);
  const { retryState, next } = workflowRetry(run, failure, now, started, crypto.randomUUID());
  const failedEvent = events.find((e) => e.eventType === "WorkflowExecutionFailed");
  if (failedEvent && failedEvent.eventType === "WorkflowExecutionFailed") {
    failedEvent.attributes = {
      ...failedEvent.attributes,
      retryState,
      ...(next ? { newExecutionRunId: next.runId } : {}),
    };
  }
  return next;
}
