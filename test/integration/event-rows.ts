/**
 * @module Test helper: rewrites an execution's `events` table to one row per event (the layout of
 * rows written before transitions were batched, which still reads as before), so a test can edit
 * one event's stored attributes with SQL by its `event_type`.
 */
import { expandRow, type StoredRow } from "../../src/execution/event-batches";

export function unbatchEvents(sql: SqlStorage): void {
  const rows = sql
    .exec<StoredRow & { run_id: string }>("SELECT * FROM events WHERE event_type = 'Batch'")
    .toArray();
  for (const row of rows) {
    sql.exec("DELETE FROM events WHERE run_id = ? AND event_id = ?", row.run_id, row.event_id);
    for (const e of expandRow(row)) {
      sql.exec(
        "INSERT INTO events (run_id, event_id, task_id, event_type, ts_ms, attributes) VALUES (?, ?, ?, ?, ?, ?)",
        row.run_id,
        e.event_id,
        e.task_id,
        e.event_type,
        e.ts_ms,
        e.attributes,
      );
    }
  }
}
