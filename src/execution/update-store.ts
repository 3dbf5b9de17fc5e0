/**
 * @module The `updates` table: one row per accepted update, by its id, until the run's history
 * goes (Accepted, then Completed with a result or a failure). Synchronous, inside the caller's
 * transaction.
 */
import type { UpdateRecord } from "./update-decisions";

export class UpdateStore {
  constructor(private readonly sql: SqlStorage) {}

  has(updateId: string): boolean {
    return (
      this.sql
        .exec<{ update_id: string }>("SELECT update_id FROM updates WHERE update_id = ?", updateId)
        .toArray().length > 0
    );
  }

  get(updateId: string): UpdateRecord | undefined {
    return this.sql
      .exec<UpdateRecord>(
        "SELECT run_id, state, result, failure FROM updates WHERE update_id = ?",
        updateId,
      )
      .toArray()[0];
  }

  accept(updateId: string, runId: string): void {
    this.sql.exec(
      "INSERT INTO updates (update_id, run_id, state) VALUES (?, ?, 'Accepted')",
      updateId,
      runId,
    );
  }

  complete(updateId: string, result: string | null, failureJson: string | null): void {
    this.sql.exec(
      "UPDATE updates SET state = 'Completed', result = ?, failure = ? WHERE update_id = ?",
      result,
      failureJson,
      updateId,
    );
  }
}
