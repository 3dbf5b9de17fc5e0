-- Schedule index: one row per schedule, written from each schedule object's outbox after every
-- change (src/schedule/index-store.ts), deleted with the schedule. Times are epoch milliseconds.

CREATE TABLE schedules (
  namespace        TEXT    NOT NULL,
  schedule_id      TEXT    NOT NULL,
  workflow_type    TEXT    NOT NULL,
  spec_description TEXT    NOT NULL,
  paused           INTEGER NOT NULL,
  note             TEXT    NOT NULL,
  next_action_time INTEGER,
  create_time      INTEGER NOT NULL,
  update_time      INTEGER NOT NULL,
  -- Per schedule object, increasing with every change: an upsert applies only with a greater one.
  version          INTEGER NOT NULL,
  PRIMARY KEY (namespace, schedule_id)
);

CREATE INDEX schedules_by_type ON schedules (namespace, workflow_type, schedule_id);
