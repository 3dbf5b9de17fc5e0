/**
 * @module Retention: a closed run is deleted once it has been closed for its namespace's retention
 * period, by its own object's alarm (a `retention` timer, one per closed run, multiplexed on the one
 * alarm like every other timer). Each run follows its own close time: the runs of a continue-as-new
 * chain or of workflow retries, a run closed before a later start with the same id, and children
 * (their own objects) expire one by one. When the last run goes, the object deletes all its storage
 * and its alarm, and is not woken again; a later start with the same id starts afresh.
 *
 * The retention period arrives as a value: a start request's `retentionMs` (the API sets it from the
 * namespace registry), kept in the object's meta table (so continue-as-new and retries inherit it,
 * and children are started with it), else the engine's configured default (`createSundial({
 * retention })`, 30 days unless set; `null`: kept forever).
 */

import { limitedLog } from "../common/log-limit";
import type { EngineEnv } from "../config";
import type { StartRequest } from "../execution/rpc";
import { deleteVisibility } from "../visibility/store";

/** When deleting a run's list row fails (D1 unavailable), or its last list update is still queued. */
export const RETENTION_RETRY_MS = 60_000;

const META_KEY = "retention_ms";

export function retentionTimerKey(runId: string): string {
  return `retention:${runId}`;
}

/**
 * Inside a start: the retention it carries becomes the execution's (later runs inherit it). The
 * meta row (key, value) to write, with the start's other meta rows in one statement; undefined
 * when the start carries no valid retention.
 */
export function retentionMeta(retentionMs: number | undefined): [string, string] | undefined {
  if (retentionMs === undefined || !Number.isSafeInteger(retentionMs) || retentionMs < 0) return;
  return [META_KEY, String(retentionMs)];
}

/** The execution's retention: the one its starts carried, else the configured default. */
export function retentionOf(sql: SqlStorage, fallbackMs: number | null): number | null {
  const row = sql
    .exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", META_KEY)
    .toArray()[0];
  return row ? Number(row.value) : fallbackMs;
}

/** A child is started with its parent's retention (same namespace), unless the request names one. */
export function withRetention(sql: SqlStorage, request: StartRequest): StartRequest {
  if (request.retentionMs !== undefined) return request;
  const row = sql
    .exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", META_KEY)
    .toArray()[0];
  return row ? { ...request, retentionMs: Number(row.value) } : request;
}

/** Inside the closing transaction of a run: its deletion, at close + retention. */
export function scheduleRetention(
  sql: SqlStorage,
  run: { run_id: string; close_ms: number | null },
  nowMs: number,
  fallbackMs: number | null,
): void {
  const retention = retentionOf(sql, fallbackMs);
  if (retention === null || !Number.isFinite(retention)) return;
  sql.exec(
    "INSERT OR REPLACE INTO timers (key, run_id, kind, fire_at_ms, data) VALUES (?, ?, 'retention', ?, NULL)",
    retentionTimerKey(run.run_id),
    run.run_id,
    (run.close_ms ?? nowMs) + retention,
  );
}

/** Tables holding rows of one run (column run_id); meta is the execution's own. */
const RUN_TABLES = [
  "events",
  "activities",
  "timers",
  "outbox",
  "children",
  "updates",
  "requests",
  "runs",
] as const;

/**
 * First thing of an alarm: deletes the runs whose retention is due. Answers `"wiped"` when no run
 * is left, after deleting all of the object's storage and its alarm (the caller forgets its
 * in-memory state and returns), `"kept"` otherwise. Never throws for an unavailable D1: that run's
 * deletion is retried a minute later (its list row goes first, so nothing is left behind).
 */
export async function expireRuns(
  storage: DurableObjectStorage,
  sql: SqlStorage,
  env: Pick<EngineEnv, "VISIBILITY">,
  now: number,
): Promise<"wiped" | "kept"> {
  const due = sql
    .exec<{ key: string; run_id: string }>(
      "SELECT key, run_id FROM timers WHERE kind = 'retention' AND fire_at_ms <= ? ORDER BY fire_at_ms",
      now,
    )
    .toArray();
  if (due.length === 0) return "kept";
  const meta = sql
    .exec<{ key: string; value: string }>(
      "SELECT key, value FROM meta WHERE key IN ('namespace', 'workflow_id')",
    )
    .toArray();
  const namespace = meta.find((m) => m.key === "namespace")?.value;
  const workflowId = meta.find((m) => m.key === "workflow_id")?.value;
  const expired: string[] = [];
  for (const { key, run_id: runId } of due) {
    const run = sql
      .exec<{ status: string }>("SELECT status FROM runs WHERE run_id = ?", runId)
      .toArray()[0];
    if (run?.status === "Running") {
      // Cannot happen (a run never reopens); never delete a running run on a stray timer.
      sql.exec("DELETE FROM timers WHERE key = ?", key);
      continue;
    }
    const queued =
      sql
        .exec<{ n: number }>(
          "SELECT count(*) AS n FROM outbox WHERE run_id = ? AND kind = 'visibility'",
          runId,
        )
        .one().n > 0;
    try {
      // An undelivered list update would bring the row back after its deletion: wait for it.
      if (queued) throw new Error("its last list update is not delivered yet");
      if (env.VISIBILITY && namespace !== undefined && workflowId !== undefined) {
        await deleteVisibility(env.VISIBILITY, namespace, workflowId, runId);
      }
      expired.push(runId);
    } catch (err) {
      limitedLog(
        "warn",
        "retention",
        `sundial: retention of run ${runId} of "${workflowId}" waits (${err instanceof Error ? err.message : String(err)}); retrying in ${RETENTION_RETRY_MS / 1000} s`,
      );
      sql.exec("UPDATE timers SET fire_at_ms = ? WHERE key = ?", now + RETENTION_RETRY_MS, key);
    }
  }
  const runs = sql.exec<{ n: number }>("SELECT count(*) AS n FROM runs").one().n;
  const existing = expired.filter(
    (runId) =>
      sql.exec<{ n: number }>("SELECT count(*) AS n FROM runs WHERE run_id = ?", runId).one().n > 0,
  ).length;
  if (runs > existing || (runs === 0 && expired.length === 0)) {
    // Other runs stay: only these go, in one transaction (a crash before it retries them all).
    storage.transactionSync(() => {
      for (const runId of expired) {
        for (const table of RUN_TABLES) sql.exec(`DELETE FROM ${table} WHERE run_id = ?`, runId);
      }
    });
    return "kept";
  }
  // Nothing is left: no tables, then no alarm (a crash between the two leaves an alarm that finds
  // no tables and does nothing). The object is not woken again until a new start.
  await storage.deleteAll();
  await storage.deleteAlarm();
  return "wiped";
}
