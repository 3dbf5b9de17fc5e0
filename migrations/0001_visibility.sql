-- Visibility index: one row per workflow run, written from each execution's outbox after every
-- status change (src/visibility/store.ts). Times are epoch milliseconds (UTC).
-- Managed by `wrangler d1 migrations apply sundial-visibility [--local]`; applied in tests with
-- applyD1Migrations (test/setup/d1-migrations.ts).

CREATE TABLE executions (
  namespace          TEXT    NOT NULL,
  workflow_id        TEXT    NOT NULL,
  run_id             TEXT    NOT NULL,
  workflow_type      TEXT    NOT NULL,
  status             TEXT    NOT NULL CHECK (status IN ('Running', 'Completed', 'Failed', 'Canceled',
                                                        'Terminated', 'ContinuedAsNew', 'TimedOut')),
  start_time         INTEGER NOT NULL,
  close_time         INTEGER,
  execution_time     INTEGER,
  task_queue         TEXT    NOT NULL,
  history_length     INTEGER NOT NULL DEFAULT 0,
  parent_workflow_id TEXT,
  parent_run_id      TEXT,
  memo               TEXT,   -- JSON, or NULL
  search_attributes  TEXT,   -- JSON {name: {type, value}}, or NULL; indexed in search_attributes
  -- Per run, increasing with every change: an upsert applies only with a greater version.
  version            INTEGER NOT NULL,
  PRIMARY KEY (namespace, workflow_id, run_id)
);

-- Newest first, with a stable tiebreak: the list's sort key and cursor.
CREATE INDEX executions_by_start
  ON executions (namespace, start_time DESC, workflow_id DESC, run_id DESC);
CREATE INDEX executions_by_type
  ON executions (namespace, workflow_type, start_time DESC, workflow_id DESC, run_id DESC);
CREATE INDEX executions_by_status
  ON executions (namespace, status, start_time DESC, workflow_id DESC, run_id DESC);
CREATE INDEX executions_by_close
  ON executions (namespace, close_time DESC);

-- Search attributes by type, one row per value (a keyword list has one row per element), so a
-- filter compares typed columns: value_text for keyword/text (and datetime's canonical ISO
-- string), value_num for int/double/bool (0/1)/datetime (epoch ms). Mirrors
-- executions.search_attributes of the same run at the same version.
CREATE TABLE search_attributes (
  namespace   TEXT    NOT NULL,
  workflow_id TEXT    NOT NULL,
  run_id      TEXT    NOT NULL,
  name        TEXT    NOT NULL,
  idx         INTEGER NOT NULL,
  type        TEXT    NOT NULL CHECK (type IN ('keyword', 'text', 'int', 'double', 'bool', 'datetime')),
  value_text  TEXT,
  value_num   NUMERIC,
  version     INTEGER NOT NULL,
  PRIMARY KEY (namespace, workflow_id, run_id, name, idx)
);

CREATE INDEX search_attributes_by_text
  ON search_attributes (namespace, name, type, value_text);
CREATE INDEX search_attributes_by_num
  ON search_attributes (namespace, name, type, value_num);
