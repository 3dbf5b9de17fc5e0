/**
 * @module The `children` table: one row per child workflow a run started, from its StartChild
 * command (Initiated) through its start reply (Started) to its close report (Closed). The decisions
 * are pure, in children.ts; this is their SQL, synchronous, inside the caller's transaction.
 */
import type { ChildRow } from "./rows";

export class ChildStore {
  constructor(private readonly sql: SqlStorage) {}

  get(runId: string, seq: number): ChildRow | undefined {
    return this.sql
      .exec<ChildRow>("SELECT * FROM children WHERE run_id = ? AND seq = ?", runId, seq)
      .toArray()[0];
  }

  /** The run's children not yet closed, by seq. */
  open(runId: string): ChildRow[] {
    return this.sql
      .exec<ChildRow>(
        "SELECT * FROM children WHERE run_id = ? AND state != 'Closed' ORDER BY seq",
        runId,
      )
      .toArray();
  }

  /** A StartChild command was recorded (idempotent: a replayed command keeps the row). */
  initiate(
    runId: string,
    child: Pick<ChildRow, "seq" | "workflow_id" | "workflow_type" | "parent_close_policy">,
  ): void {
    this.sql.exec(
      `INSERT OR IGNORE INTO children (run_id, seq, workflow_id, workflow_type, state, parent_close_policy)
       VALUES (?, ?, ?, ?, 'Initiated', ?)`,
      runId,
      child.seq,
      child.workflow_id,
      child.workflow_type,
      child.parent_close_policy,
    );
  }

  /** The child's start reply: Started with its run id, or Closed (it could not start). */
  started(runId: string, seq: number, state: ChildRow["state"], childRunId: string | null): void {
    this.sql.exec(
      "UPDATE children SET state = ?, child_run_id = coalesce(?, child_run_id) WHERE run_id = ? AND seq = ?",
      state,
      childRunId,
      runId,
      seq,
    );
  }

  /** The child's close report arrived (its run id kept if the start reply already gave one). */
  closed(runId: string, seq: number, childRunId: string): void {
    this.sql.exec(
      "UPDATE children SET state = 'Closed', child_run_id = coalesce(child_run_id, ?) WHERE run_id = ? AND seq = ?",
      childRunId,
      runId,
      seq,
    );
  }
}
