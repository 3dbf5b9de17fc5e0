/**
 * @module Reads of an execution, none of which takes the lock: describe, the result (a bounded long
 * poll that follows continue-as-new and retries), history pages, and the live history watch.
 */
import type { ResultResponse, WorkflowDescription } from "../../sdk/common/wire";
import { encodePageToken } from "../history/page-token";
import { wireEventJson } from "../history/wire";
import { description, resultBody } from "./describe";
import type { ExecCtx } from "./execution-context";
import { pendingDeliveries } from "./outbox";
import { json } from "./replies";
import type { RunRow } from "./rows";
import type { HistoryWatch, Reply } from "./rpc";
import { MAX_LONG_POLL_MS } from "./waiters";

const MAX_HISTORY_WAIT_MS = 25_000;

export function describe(x: ExecCtx, runId?: string): Reply {
  const run = x.runs.find(runId);
  if (!run) return x.notFound(runId);
  return json(200, describeRun(x, run));
}

export async function result(
  x: ExecCtx,
  runId: string | undefined,
  waitMs: number,
): Promise<Reply> {
  const deadline = Date.now() + Math.min(Math.max(0, waitMs), MAX_LONG_POLL_MS);
  for (;;) {
    let run = x.runs.find(runId);
    if (!run) return x.notFound(runId);
    // Follow continue-as-new and workflow retries to the newest run unless a run was named.
    while (!runId && run.next_run_id) {
      const next = x.runs.find(run.next_run_id);
      if (!next) break;
      run = next;
    }
    if (run.status !== "Running") return json(200, resultOf(x, run));
    const remaining = deadline - Date.now();
    if (remaining <= 0) return json(202, { status: "Running" } satisfies ResultResponse);
    const woken = x.waiters.park(["close"], remaining);
    if (!woken) return x.waiters.refusal("poll the result");
    await woken;
  }
}

export function history(
  x: ExecCtx,
  query: { runId?: string; after?: number; limit: number },
): Reply {
  const run = x.runs.find(query.runId);
  if (!run) return x.notFound(query.runId);
  const rows = x.history.page(run.run_id, query.after ?? 0, x.pageBounds(query.limit));
  const last = rows[rows.length - 1];
  const more = last !== undefined && last.event_id < run.history_length;
  // HistoryResponse, written as text: stored payloads are spliced in, never re-serialized.
  const events = rows.map((r) => wireEventJson(r.event_id, r.event_type, r.ts_ms, r.attributes));
  const token = more ? encodePageToken(run.run_id, last.event_id) : null;
  return {
    status: 200,
    body: `{"events":[${events.join(",")}],"nextPageToken":${JSON.stringify(token)}}`,
  };
}

/** See WorkflowExecutionBase.watchHistory. */
export async function watchHistory(
  x: ExecCtx,
  query: { runId?: string; after: number; limit: number; waitMs: number; admit?: boolean },
): Promise<HistoryWatch> {
  if (query.admit && x.waiters.full) {
    return { ok: false, reply: x.waiters.refusal("open the history stream") };
  }
  const deadline = Date.now() + Math.min(Math.max(0, query.waitMs), MAX_HISTORY_WAIT_MS);
  for (;;) {
    const run = x.runs.find(query.runId);
    if (!run) return { ok: false, reply: x.notFound(query.runId) };
    const rows = x.history.page(run.run_id, query.after, x.pageBounds(query.limit));
    const last = rows.at(-1)?.event_id ?? query.after;
    const closed = run.status !== "Running" && last >= run.history_length;
    if (rows.length > 0 || closed || Date.now() >= deadline) {
      return {
        ok: true,
        runId: run.run_id,
        events: rows.map((r) => ({
          eventId: r.event_id,
          eventType: r.event_type,
          json: wireEventJson(r.event_id, r.event_type, r.ts_ms, r.attributes),
        })),
        closed,
      };
    }
    // Registered in the same synchronous step as the read above: no append can slip between.
    const woken = x.waiters.park(["history"], deadline - Date.now());
    if (!woken) return { ok: false, reply: x.waiters.refusal("watch the history") };
    await woken;
  }
}

function describeRun(x: ExecCtx, run: RunRow): WorkflowDescription {
  return description({
    workflowId: x.identity!.workflowId,
    run,
    activities: x.activities.ofRun(run.run_id),
    timers: x.timers.userTimers(run.run_id),
    children: x.children.open(run.run_id),
    pendingDeliveries: pendingDeliveries(x.sql, run.run_id),
  });
}

function resultOf(x: ExecCtx, run: RunRow): ResultResponse {
  if (run.status !== "Terminated" || run.failure) return resultBody(run);
  return resultBody(run, x.history.terminationReason(run.run_id));
}
