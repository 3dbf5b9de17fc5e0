/** @module SQLite schema of a WorkflowExecution object. Versioned; `migrate` runs in the constructor. */

export const SCHEMA_VERSION = 6;

export const DDL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY,
  run_no INTEGER NOT NULL UNIQUE,
  workflow_type TEXT NOT NULL,
  task_queue TEXT NOT NULL,
  status TEXT NOT NULL,
  start_ms INTEGER NOT NULL,
  close_ms INTEGER,
  result TEXT,
  failure TEXT,
  next_run_id TEXT,
  history_length INTEGER NOT NULL DEFAULT 0,
  next_task_id INTEGER NOT NULL DEFAULT 1,
  wft_attempt INTEGER NOT NULL DEFAULT 0,
  wft_failure TEXT,
  attempt INTEGER NOT NULL DEFAULT 1,
  memo TEXT,
  search_attributes TEXT,
  parent TEXT,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  close_notify TEXT
);
CREATE TABLE IF NOT EXISTS events (
  run_id TEXT NOT NULL,
  event_id INTEGER NOT NULL,
  task_id INTEGER NOT NULL,
  event_type TEXT NOT NULL,
  ts_ms INTEGER NOT NULL,
  attributes TEXT NOT NULL,
  PRIMARY KEY (run_id, event_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS timers (
  key TEXT PRIMARY KEY,
  run_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  fire_at_ms INTEGER NOT NULL,
  data TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS timers_by_fire_at ON timers (fire_at_ms);
CREATE TABLE IF NOT EXISTS activities (
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  activity_id TEXT NOT NULL,
  activity_type TEXT NOT NULL,
  input TEXT NOT NULL,
  options TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  state TEXT NOT NULL,
  first_scheduled_ms INTEGER NOT NULL,
  scheduled_ms INTEGER NOT NULL,
  started_ms INTEGER,
  last_failure TEXT,
  heartbeat_details TEXT,
  last_heartbeat_ms INTEGER,
  next_attempt_ms INTEGER,
  last_attempt_ms INTEGER,
  started_by TEXT,
  deadline_ms INTEGER,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  target TEXT NOT NULL,
  body TEXT NOT NULL,
  run_id TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  next_attempt_ms INTEGER
);
CREATE TABLE IF NOT EXISTS children (
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  workflow_id TEXT NOT NULL,
  workflow_type TEXT NOT NULL,
  child_run_id TEXT,
  state TEXT NOT NULL,
  parent_close_policy TEXT NOT NULL,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS updates (
  update_id TEXT PRIMARY KEY,
  run_id TEXT NOT NULL,
  state TEXT NOT NULL,
  result TEXT,
  failure TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS requests (request_id TEXT PRIMARY KEY, run_id TEXT NOT NULL) WITHOUT ROWID;
`;

/**
 * A new object's whole schema at the current version in ONE `exec` (tables, index, version row):
 * it runs on the first start, before the answer, so each round trip into SQLite counts.
 */
const CREATE_NEW = `${DDL}
INSERT INTO meta (key, value) VALUES ('schema_version', '${SCHEMA_VERSION}');`;

/** Whether the tables exist (reading sqlite_master writes nothing). */
export function hasSchema(sql: SqlStorage): boolean {
  return (
    sql.exec<{ n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE name = 'meta'").one().n >
    0
  );
}

/**
 * Creates or upgrades the schema. Synchronous, idempotent. `exists` (the caller just checked
 * {@link hasSchema}): an existing object's activation costs one read, its schema version.
 */
export function migrate(sql: SqlStorage, exists = hasSchema(sql)): void {
  if (!exists) {
    // A new object's tables are created at the current version: nothing to upgrade.
    sql.exec(CREATE_NEW);
    return;
  }
  const version = sql
    .exec<{ value: string }>("SELECT value FROM meta WHERE key = 'schema_version'")
    .toArray()[0];
  if (version && Number(version.value) === SCHEMA_VERSION) return;
  sql.exec(DDL);
  upgrade(sql);
  // Schema 4 and 5 indexed the outbox by run: each row written then cost a second (index) row. The
  // outbox holds only what is undelivered, and is read by run only on a close and by describe.
  sql.exec("DROP INDEX IF EXISTS outbox_by_run");
  sql.exec(
    "INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    String(SCHEMA_VERSION),
  );
}

/** Adds what versions before {@link SCHEMA_VERSION} lack (after the DDL created what was missing). */
function upgrade(sql: SqlStorage): void {
  // Version 1 → 2: columns of child runs and cancellation.
  const columns = sql
    .exec<{ name: string }>("SELECT name FROM pragma_table_info('runs')")
    .toArray()
    .map((c) => c.name);
  if (!columns.includes("parent")) sql.exec("ALTER TABLE runs ADD COLUMN parent TEXT");
  if (!columns.includes("cancel_requested")) {
    sql.exec("ALTER TABLE runs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0");
  }
  // Version 2 → 3: which queue delivery started an activity attempt.
  const activityColumns = sql
    .exec<{ name: string }>("SELECT name FROM pragma_table_info('activities')")
    .toArray()
    .map((c) => c.name);
  if (!activityColumns.includes("started_by")) {
    sql.exec("ALTER TABLE activities ADD COLUMN started_by TEXT");
  }
  // Version 3 → 4: per-row delivery state of the outbox (backoff, last error) and the run that wrote
  // it; a row written before carries its run in its body (fromRunId of a message, runId otherwise).
  const outboxColumns = sql
    .exec<{ name: string }>("SELECT name FROM pragma_table_info('outbox')")
    .toArray()
    .map((c) => c.name);
  if (!outboxColumns.includes("run_id")) {
    sql.exec("ALTER TABLE outbox ADD COLUMN run_id TEXT");
    sql.exec("ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0");
    sql.exec("ALTER TABLE outbox ADD COLUMN last_error TEXT");
    sql.exec("ALTER TABLE outbox ADD COLUMN next_attempt_ms INTEGER");
    sql.exec(
      "UPDATE outbox SET run_id = coalesce(json_extract(body, '$.fromRunId'), json_extract(body, '$.runId'))",
    );
  }
  // Version 4 → 5: who hears of a run's final close (a schedule).
  if (!columns.includes("close_notify")) sql.exec("ALTER TABLE runs ADD COLUMN close_notify TEXT");
  // Version 5 → 6: an activity's lease or start-to-close deadline on its row (timers rows written
  // before stay and fire as before).
  if (!activityColumns.includes("deadline_ms")) {
    sql.exec("ALTER TABLE activities ADD COLUMN deadline_ms INTEGER");
  }
}
