/**
 * @module The schedule's actions, inside the object's transactions: the due actions of a wake-up,
 * one action under its overlap policy (start, buffer, skip; cancel or terminate the running ones),
 * the start request it sends, the buffer's release after a close, and what a delivery's reply
 * records. SQL through store.ts; the decisions themselves are pure (policy.ts).
 */
import type { OverlapPolicy } from "../../sdk/common/schedule";
import { limitedLog } from "../common/log-limit";
import type { StartRequest } from "../execution/rpc";
import type { DeliveryReply } from "./delivery";
import { actionWorkflowId, decideOverlap, dueTimes, releasesBuffer } from "./policy";
import type { CompiledSpec } from "./spec-api";
import * as store from "./store";
import type { ScheduleDefinition } from "./types";

export function definitionOf(row: store.ScheduleRow): ScheduleDefinition {
  return JSON.parse(row.definition) as ScheduleDefinition;
}

/** The due actions of a wake-up at `now` (catch-up window, overlap, remainingActions). */
export function wake(
  sql: SqlStorage,
  now: number,
  row: store.ScheduleRow,
  def: ScheduleDefinition,
  spec: CompiledSpec,
): void {
  const due = dueTimes(spec, row.schedule_id, row.cursor_ms, now, def.catchupWindowMs);
  store.bump(sql, "missed_catchup", due.missed);
  let remaining = row.remaining_actions;
  for (const t of due.due) {
    if (remaining === 0) break;
    const taken = act(sql, now, row, def, t, def.overlap, `sched:${row.generation}:${t}`);
    if (taken && remaining !== null) remaining -= 1;
  }
  sql.exec(
    "UPDATE schedule SET cursor_ms = ?, remaining_actions = ? WHERE id = 1",
    due.cursorMs,
    remaining,
  );
}

/**
 * One action at nominal time `nominalMs`. Returns whether it was taken (started or buffered: what
 * remainingActions counts), not skipped. `requestId` makes its start idempotent.
 */
export function act(
  sql: SqlStorage,
  now: number,
  row: store.ScheduleRow,
  def: ScheduleDefinition,
  nominalMs: number,
  overlap: OverlapPolicy,
  requestId: string,
): boolean {
  const workflowId = actionWorkflowId(def.workflowIdPrefix, nominalMs);
  // The same nominal time still running (a backfill over a scheduled one): never twice at once.
  if (store.isRunning(sql, workflowId)) {
    store.bump(sql, "overlap_skipped");
    return false;
  }
  const buffered = store.count(sql, "buffer");
  const running = store.count(sql, "running");
  const decision = decideOverlap(overlap, { running, buffered });
  switch (decision.kind) {
    case "skip":
      store.bump(sql, "overlap_skipped");
      return false;
    case "start":
      start(sql, now, row, def, nominalMs, requestId);
      return true;
    case "buffer":
      if (decision.replaceBuffered && buffered > 0) {
        store.bump(sql, "overlap_skipped", buffered);
        sql.exec("DELETE FROM buffer");
      }
      store.addBuffered(sql, nominalMs, requestId);
      if (decision.endRunning) {
        const policy = decision.endRunning === "cancel" ? "CancelOther" : "TerminateOther";
        for (const r of store.runningRows(sql)) {
          if (r.ending) continue;
          sql.exec(
            "UPDATE running SET ending = ? WHERE workflow_id = ?",
            decision.endRunning,
            r.workflow_id,
          );
          const reason = `Schedule "${row.schedule_id}" overlap policy ${policy}`;
          const body = { namespace: row.namespace, workflowId: r.workflow_id, reason };
          store.enqueue(sql, decision.endRunning, r.workflow_id, JSON.stringify(body), now);
        }
      }
      return true;
  }
}

/** The start request of an action: the template, its id, request id, attributes, notify target. */
export function startRequest(
  row: Pick<store.ScheduleRow, "namespace" | "schedule_id">,
  def: ScheduleDefinition,
  nominalMs: number,
  requestId: string,
): StartRequest {
  const t = def.template;
  return {
    namespace: row.namespace,
    workflowId: actionWorkflowId(def.workflowIdPrefix, nominalMs),
    workflowType: t.workflowType,
    ...(t.input !== undefined ? { input: t.input } : {}),
    taskQueue: t.taskQueue,
    idReusePolicy: t.idReusePolicy,
    idConflictPolicy: t.idConflictPolicy,
    requestId,
    ...(t.startDelayMs ? { startDelayMs: t.startDelayMs } : {}),
    ...(t.executionTimeoutMs ? { executionTimeoutMs: t.executionTimeoutMs } : {}),
    ...(t.runTimeoutMs ? { runTimeoutMs: t.runTimeoutMs } : {}),
    ...(t.retryPolicy ? { retryPolicy: t.retryPolicy } : {}),
    ...(t.memo ? { memo: t.memo } : {}),
    searchAttributes: JSON.stringify({
      ...t.searchAttributes,
      ScheduleId: { type: "keyword", value: row.schedule_id },
      ScheduledStartTime: { type: "datetime", value: new Date(nominalMs).toISOString() },
    }),
    closeNotify: { kind: "schedule", namespace: row.namespace, scheduleId: row.schedule_id },
  };
}

/** The start of one action: running, recent, counters, and its outbox row. */
function start(
  sql: SqlStorage,
  now: number,
  row: store.ScheduleRow,
  def: ScheduleDefinition,
  nominalMs: number,
  requestId: string,
): void {
  const req = startRequest(row, def, nominalMs, requestId);
  store.recordStart(sql, req.workflowId, nominalMs, now);
  store.bump(sql, "action_count");
  store.enqueue(sql, "start", req.workflowId, JSON.stringify(req), now);
}

/** Starts the oldest buffered action when nothing runs any more (and the schedule is not paused). */
export function releaseBuffer(sql: SqlStorage, now: number): void {
  const row = store.scheduleRow(sql);
  if (!row) return;
  const buffer = store.bufferRows(sql);
  const head = buffer[0];
  const state = {
    running: store.count(sql, "running"),
    buffered: buffer.length,
    paused: row.paused === 1,
  };
  if (!head || !releasesBuffer(state)) return;
  sql.exec("DELETE FROM buffer WHERE id = ?", head.id);
  start(sql, now, row, definitionOf(row), head.nominal_ms, head.request_id);
}

/**
 * What a delivered row's reply records, and the row's deletion. Returns whether the schedule's
 * state changed (its list row must follow).
 */
export function delivered(
  sql: SqlStorage,
  now: number,
  row: store.OutboxRow,
  reply: DeliveryReply,
): boolean {
  sql.exec("DELETE FROM outbox WHERE id = ?", row.id);
  const workflowId = row.target;
  if (row.kind === "start") {
    if (reply.ok) {
      if (reply.runId) {
        sql.exec("UPDATE running SET run_id = ? WHERE workflow_id = ?", reply.runId, workflowId);
        sql.exec(
          "UPDATE recent SET run_id = ? WHERE workflow_id = ? AND run_id IS NULL",
          reply.runId,
          workflowId,
        );
      }
      return false;
    }
    limitedLog(
      "warn",
      "schedule start refused",
      `sundial: schedule could not start "${workflowId}": ${reply.error.message}`,
    );
    sql.exec("DELETE FROM running WHERE workflow_id = ?", workflowId);
    store.setRecentStatus(sql, workflowId, "StartFailed");
  } else if (row.kind === "terminate" || row.kind === "cancel") {
    // Terminated now (or already closed, or gone): it runs no more. A cancel waits for the close.
    const gone =
      (row.kind === "terminate" && reply.ok) ||
      (!reply.ok && (reply.error.code === "NotFound" || reply.error.code === "FailedPrecondition"));
    if (!gone || !store.isRunning(sql, workflowId)) return false;
    sql.exec("DELETE FROM running WHERE workflow_id = ?", workflowId);
    if (reply.ok) store.setRecentStatus(sql, workflowId, "Terminated");
  } else {
    return false;
  }
  releaseBuffer(sql, now);
  return true;
}
