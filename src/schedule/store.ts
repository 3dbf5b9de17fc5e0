/**
 * @module The schedule object's SQLite tables and their SQL: the one schedule row (definition,
 * state, counters, the cursor of handled nominal times), running workflows, the buffer, recent
 * actions and the outbox. Synchronous; callers group writes in one transaction.
 */
import type { OverlapPolicy, ScheduleActionStatus } from "../../sdk/common/schedule";
import { OUTBOX_INITIAL_BACKOFF_MS, outboxBackoffMs } from "../execution/outbox-policy";
import type { ScheduleDefinition } from "./types";

export const SCHEMA_VERSION = 1;
/** Recent actions kept (describe shows them all). */
export const RECENT_ACTIONS = 10;

const DDL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS schedule (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  namespace TEXT NOT NULL,
  schedule_id TEXT NOT NULL,
  generation TEXT NOT NULL,
  definition TEXT NOT NULL,
  paused INTEGER NOT NULL,
  note TEXT NOT NULL,
  remaining_actions INTEGER,
  cursor_ms INTEGER NOT NULL,
  action_count INTEGER NOT NULL DEFAULT 0,
  missed_catchup INTEGER NOT NULL DEFAULT 0,
  overlap_skipped INTEGER NOT NULL DEFAULT 0,
  index_version INTEGER NOT NULL DEFAULT 0,
  create_ms INTEGER NOT NULL,
  update_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS running (
  workflow_id TEXT PRIMARY KEY,
  run_id TEXT,
  nominal_ms INTEGER NOT NULL,
  ending TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS buffer (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  nominal_ms INTEGER NOT NULL,
  request_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS recent (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  workflow_id TEXT NOT NULL,
  run_id TEXT,
  nominal_ms INTEGER NOT NULL,
  actual_ms INTEGER NOT NULL,
  status TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  target TEXT NOT NULL,
  body TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  next_attempt_ms INTEGER
);
`;

export type ScheduleRow = {
  namespace: string;
  schedule_id: string;
  generation: string;
  definition: string;
  paused: number;
  note: string;
  remaining_actions: number | null;
  cursor_ms: number;
  action_count: number;
  missed_catchup: number;
  overlap_skipped: number;
  index_version: number;
  create_ms: number;
  update_ms: number;
};

export type RunningRow = {
  workflow_id: string;
  run_id: string | null;
  nominal_ms: number;
  ending: "cancel" | "terminate" | null;
};
export type BufferRow = { id: number; nominal_ms: number; request_id: string };
export type RecentRow = {
  id: number;
  workflow_id: string;
  run_id: string | null;
  nominal_ms: number;
  actual_ms: number;
  status: ScheduleActionStatus;
};

/** `start`: a StartRequest; `cancel`/`terminate`: a running workflow; `index`: the D1 list row. */
export type OutboxKind = "start" | "cancel" | "terminate" | "index";
export type OutboxRow = {
  id: number;
  kind: OutboxKind;
  target: string;
  body: string;
  attempts: number;
  last_error: string | null;
  next_attempt_ms: number | null;
};

export function hasSchema(sql: SqlStorage): boolean {
  return (
    sql.exec<{ n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE name = 'schedule'").one()
      .n > 0
  );
}

export function migrate(sql: SqlStorage): void {
  sql.exec(DDL);
  sql.exec(
    "INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    String(SCHEMA_VERSION),
  );
}

export function readMeta(sql: SqlStorage, key: string): string | undefined {
  return sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]
    ?.value;
}

export function writeMeta(sql: SqlStorage, key: string, value: string): void {
  sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value);
}

export function scheduleRow(sql: SqlStorage): ScheduleRow | undefined {
  return sql.exec<ScheduleRow>("SELECT * FROM schedule WHERE id = 1").toArray()[0];
}

export function insertSchedule(
  sql: SqlStorage,
  namespace: string,
  def: ScheduleDefinition,
  now: number,
): void {
  sql.exec(
    `INSERT INTO schedule (id, namespace, schedule_id, generation, definition, paused, note, remaining_actions, cursor_ms, create_ms, update_ms)
     VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    namespace,
    def.scheduleId,
    crypto.randomUUID(),
    JSON.stringify(def),
    def.paused ? 1 : 0,
    def.note,
    def.remainingActions,
    now,
    now,
    now,
  );
}

/** An update replaces definition and state; it acts from now on (the cursor moves to `now`). */
export function replaceDefinition(sql: SqlStorage, def: ScheduleDefinition, now: number): void {
  sql.exec(
    "UPDATE schedule SET definition = ?, paused = ?, note = ?, remaining_actions = ?, cursor_ms = max(cursor_ms, ?), update_ms = ? WHERE id = 1",
    JSON.stringify(def),
    def.paused ? 1 : 0,
    def.note,
    def.remainingActions,
    now,
    now,
  );
}

export function setPaused(sql: SqlStorage, paused: boolean, note: string, now: number): void {
  // Unpausing acts from now on: the times that passed while paused are not caught up.
  sql.exec(
    `UPDATE schedule SET paused = ?, note = ?, update_ms = ?,
       cursor_ms = CASE WHEN ? = 0 AND paused = 1 THEN max(cursor_ms, ?) ELSE cursor_ms END WHERE id = 1`,
    paused ? 1 : 0,
    note,
    now,
    paused ? 1 : 0,
    now,
  );
}

export function bump(
  sql: SqlStorage,
  column: "action_count" | "missed_catchup" | "overlap_skipped",
  by = 1,
): void {
  if (by === 0) return;
  sql.exec(`UPDATE schedule SET ${column} = ${column} + ? WHERE id = 1`, by);
}

export function runningRows(sql: SqlStorage, limit = -1): RunningRow[] {
  return sql.exec<RunningRow>("SELECT * FROM running ORDER BY nominal_ms LIMIT ?", limit).toArray();
}

export function isRunning(sql: SqlStorage, workflowId: string): boolean {
  return (
    sql
      .exec<{ n: number }>("SELECT count(*) AS n FROM running WHERE workflow_id = ?", workflowId)
      .one().n > 0
  );
}

export function bufferRows(sql: SqlStorage): BufferRow[] {
  return sql.exec<BufferRow>("SELECT * FROM buffer ORDER BY id").toArray();
}

export function count(sql: SqlStorage, table: "running" | "buffer" | "outbox"): number {
  return sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${table}`).one().n;
}

export function addBuffered(sql: SqlStorage, nominalMs: number, requestId: string): void {
  sql.exec("INSERT INTO buffer (nominal_ms, request_id) VALUES (?, ?)", nominalMs, requestId);
}

export function recentRows(sql: SqlStorage): RecentRow[] {
  return sql.exec<RecentRow>("SELECT * FROM recent ORDER BY id DESC").toArray();
}

/** Records a started action: running, recent (the last {@link RECENT_ACTIONS} kept). */
export function recordStart(
  sql: SqlStorage,
  workflowId: string,
  nominalMs: number,
  now: number,
): void {
  sql.exec(
    "INSERT INTO running (workflow_id, run_id, nominal_ms) VALUES (?, NULL, ?)",
    workflowId,
    nominalMs,
  );
  sql.exec(
    "INSERT INTO recent (workflow_id, nominal_ms, actual_ms, status) VALUES (?, ?, ?, 'Running')",
    workflowId,
    nominalMs,
    now,
  );
  sql.exec("DELETE FROM recent WHERE id <= (SELECT max(id) FROM recent) - ?", RECENT_ACTIONS);
}

export function setRecentStatus(
  sql: SqlStorage,
  workflowId: string,
  status: ScheduleActionStatus,
  runId?: string,
): void {
  sql.exec(
    "UPDATE recent SET status = ?, run_id = coalesce(?, run_id) WHERE workflow_id = ?",
    status,
    runId ?? null,
    workflowId,
  );
}

/**
 * A new row is sent right after its commit; should that send die with the object, the alarm retries
 * it at `now` + 1 s. That time is stored with the row, so re-arming after a restart never pushes it
 * further out (a restart every few hundred ms would otherwise postpone it forever).
 */
export function enqueue(
  sql: SqlStorage,
  kind: OutboxKind,
  target: string,
  body: string,
  now: number,
): void {
  sql.exec(
    "INSERT INTO outbox (kind, target, body, next_attempt_ms) VALUES (?, ?, ?, ?)",
    kind,
    target,
    body,
    now + OUTBOX_INITIAL_BACKOFF_MS,
  );
}

export function outboxRows(sql: SqlStorage): OutboxRow[] {
  return sql.exec<OutboxRow>("SELECT * FROM outbox ORDER BY id").toArray();
}

export function outboxRowExists(sql: SqlStorage, id: number): boolean {
  return sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox WHERE id = ?", id).one().n > 0;
}

export function recordFailure(sql: SqlStorage, row: OutboxRow, error: string, now: number): void {
  const attempts = row.attempts + 1;
  sql.exec(
    "UPDATE outbox SET attempts = ?, last_error = ?, next_attempt_ms = ? WHERE id = ?",
    attempts,
    error.slice(0, 1000),
    now + outboxBackoffMs(attempts),
    row.id,
  );
}

/** When the outbox must be retried (engine time), or null when it is empty. */
export function outboxWakeAt(sql: SqlStorage): number | null {
  return sql.exec<{ at: number | null }>("SELECT min(next_attempt_ms) AS at FROM outbox").one().at;
}

/** Whether a row is sent now: never tried (right after its commit), or its retry time came. */
export function isDue(row: OutboxRow, now: number): boolean {
  return row.attempts === 0 || row.next_attempt_ms === null || row.next_attempt_ms <= now;
}

export type { OverlapPolicy };
