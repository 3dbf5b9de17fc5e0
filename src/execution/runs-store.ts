/**
 * @module The SQL of the `runs`, `meta` and `requests` tables. Every method is synchronous: a
 * caller composes them inside its own transaction.
 */
import type { ExecutionStatus } from "../../sdk/common/wire";
import type { RunRow } from "./rows";

/**
 * A run row as the engine reads it. `history_length` and `next_task_id` are derived from the run's
 * last event (its id, and its task id + 1: one B-tree lookup each) rather than read from their
 * columns, so a step need not rewrite the run row to count its events. The columns stay (rows
 * written by older versions have them; nothing reads them now).
 */
const SELECT_RUN = `SELECT run_id, run_no, workflow_type, task_queue, status, start_ms, close_ms, result, failure,
  next_run_id, wft_attempt, wft_failure, attempt, memo, search_attributes, parent, cancel_requested, close_notify,
  coalesce((SELECT event_id FROM events e WHERE e.run_id = runs.run_id ORDER BY event_id DESC LIMIT 1), 0) AS history_length,
  coalesce((SELECT task_id FROM events e WHERE e.run_id = runs.run_id ORDER BY event_id DESC LIMIT 1), -1) + 1 AS next_task_id
  FROM runs`;

export class RunStore {
  /**
   * The newest run's row as a transition committed it (see {@link remember}), so the report that
   * follows need not read it back: one statement fewer per step. Forgotten on any write to `runs`
   * or `events` (wake-floor.ts's statement wrapper tells {@link written}); used once.
   */
  #known: RunRow | undefined;
  /** A write to `runs` since {@link beginTransaction}: what the transition knows of the row is partial. */
  #runsWritten = false;

  constructor(
    private readonly sql: SqlStorage,
    /** Whether the tables exist (an object never started has none). */
    private readonly ready: () => boolean,
  ) {}

  /** The newest run. */
  current(): RunRow | undefined {
    if (!this.ready()) return undefined;
    return this.sql.exec<RunRow>(`${SELECT_RUN} ORDER BY run_no DESC LIMIT 1`).toArray()[0];
  }

  /** The newest run, as {@link current}; the row a transition just committed when it is known. */
  latest(): RunRow | undefined {
    if (!this.ready()) return undefined;
    const known = this.#known;
    this.#known = undefined;
    return known ?? this.current();
  }

  /** A statement wrote to `runs` (`run` true) or `events`: the known row may be stale. */
  written(run: boolean): void {
    this.#known = undefined;
    if (run) this.#runsWritten = true;
  }

  /** A transition's transaction begins. */
  beginTransaction(): void {
    this.#known = undefined;
    this.#runsWritten = false;
  }

  /**
   * After the commit of a transition that only appended `events` (same task) to the newest run:
   * its row is `run` with the history counters moved on. Not when the transaction wrote the
   * `runs` row itself (a task failure, a close, search attributes...): that row is read again.
   */
  remember(run: RunRow, appended: number): void {
    if (this.#runsWritten) return;
    this.#known =
      appended === 0
        ? run
        : {
            ...run,
            history_length: run.history_length + appended,
            next_task_id: run.next_task_id + 1,
          };
  }

  /** The named run, or the newest without `runId`. */
  find(runId: string | undefined): RunRow | undefined {
    if (!runId) return this.current();
    if (!this.ready()) return undefined;
    return this.sql.exec<RunRow>(`${SELECT_RUN} WHERE run_id = ?`, runId).toArray()[0];
  }

  nextRunNo(): number {
    return (
      (this.sql.exec<{ n: number | null }>("SELECT max(run_no) AS n FROM runs").one().n ?? 0) + 1
    );
  }

  insert(run: RunRow): void {
    this.sql.exec(
      `INSERT INTO runs (run_id, run_no, workflow_type, task_queue, status, start_ms, attempt, memo, search_attributes, parent, close_notify)
       VALUES (?, ?, ?, ?, 'Running', ?, ?, ?, ?, ?, ?)`,
      run.run_id,
      run.run_no,
      run.workflow_type,
      run.task_queue,
      run.start_ms,
      run.attempt,
      run.memo,
      run.search_attributes,
      run.parent,
      run.close_notify ?? null,
    );
  }

  /** Closed from outside workflow code (timeout, termination), with its closing events. */
  closeFromOutside(runId: string, status: ExecutionStatus, now: number): void {
    this.sql.exec("UPDATE runs SET status = ?, close_ms = ? WHERE run_id = ?", status, now, runId);
  }

  /** Closed by workflow code's closing command. */
  close(
    runId: string,
    status: ExecutionStatus,
    now: number,
    result: string | null,
    failure: string | null,
    nextRunId: string | null,
  ): void {
    this.sql.exec(
      "UPDATE runs SET status = ?, close_ms = ?, result = ?, failure = ?, next_run_id = ? WHERE run_id = ?",
      status,
      now,
      result,
      failure,
      nextRunId,
      runId,
    );
  }

  /** A failed workflow task: its attempt and failure (retried on the `wft` timer). */
  taskFailed(runId: string, attempt: number, failureJson: string): void {
    this.sql.exec(
      "UPDATE runs SET wft_attempt = ?, wft_failure = ? WHERE run_id = ?",
      attempt,
      failureJson,
      runId,
    );
  }

  taskSucceeded(runId: string): void {
    this.sql.exec("UPDATE runs SET wft_attempt = 0, wft_failure = NULL WHERE run_id = ?", runId);
  }

  setSearchAttributes(runId: string, json: string | null): void {
    this.sql.exec("UPDATE runs SET search_attributes = ? WHERE run_id = ?", json, runId);
  }

  cancelRequested(runId: string): void {
    this.sql.exec("UPDATE runs SET cancel_requested = 1 WHERE run_id = ?", runId);
  }

  /** The `meta` values read at activation. */
  readMeta(): Map<string, string> {
    const rows = this.sql
      .exec<{ key: string; value: string }>(
        "SELECT key, value FROM meta WHERE key IN ('namespace','workflow_id','clock_offset_ms')",
      )
      .toArray();
    return new Map(rows.map((r) => [r.key, r.value]));
  }

  /** Writes `entries` (key, value) into meta in one statement; nothing when there are none. */
  saveMeta(entries: ReadonlyArray<readonly [string, string]>): void {
    if (entries.length === 0) return;
    this.sql.exec(
      `INSERT OR REPLACE INTO meta (key, value) VALUES ${entries.map(() => "(?, ?)").join(", ")}`,
      ...entries.flat(),
    );
  }

  saveClockOffset(ms: number): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO meta (key, value) VALUES ('clock_offset_ms', ?)",
      String(ms),
    );
  }
}

/** The `requests` table: request ids already acted on (keys from request-keys.ts), by run. */
export class RequestStore {
  constructor(private readonly sql: SqlStorage) {}

  seen(key: string): boolean {
    return (
      this.sql
        .exec<{ n: number }>("SELECT count(*) AS n FROM requests WHERE request_id = ?", key)
        .one().n > 0
    );
  }

  /** The run recorded under the first of `keys` found. */
  runOf(keys: readonly string[]): string | undefined {
    return this.sql
      .exec<{ run_id: string }>(
        `SELECT run_id FROM requests WHERE request_id IN (${keys.map(() => "?").join(", ")})`,
        ...keys,
      )
      .toArray()[0]?.run_id;
  }

  remember(key: string, runId: string): void {
    this.sql.exec("INSERT OR REPLACE INTO requests (request_id, run_id) VALUES (?, ?)", key, runId);
  }
}
