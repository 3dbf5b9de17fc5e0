/**
 * @module The `activities` table and the activity timers in `timers`: applies the effects of the
 * transitions in state.ts, synchronously, inside the caller's transaction.
 */
import type { ActivityRow, ActivityState, ActivityTimerData, ActivityTimerPurpose } from "../rows";
import { activityTimerKeys, timerKey } from "../timer-keys";
import { reportsWakeTime, type WakeFloor } from "../wake-floor";
import { type ActivityEffect, type ActivityUpdate, timerPurposesOf } from "./state";

type ActivityKey = Pick<ActivityRow, "run_id" | "seq">;

/** Which timer a row's `deadline_ms` is: the dispatch lease while queued, else start-to-close. */
function deadlinePurpose(state: ActivityState): ActivityTimerPurpose {
  return state === "Scheduled" ? "Redispatch" : "StartToClose";
}

const INSERT_ACTIVITY = reportsWakeTime(
  `INSERT INTO activities (run_id, seq, activity_id, activity_type, input, options, attempt, state, first_scheduled_ms, scheduled_ms, started_ms, started_by, deadline_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);
const PUT_ACTIVITY_TIMER = reportsWakeTime(
  "INSERT OR REPLACE INTO timers (key, run_id, kind, fire_at_ms, data) VALUES (?, ?, 'activity', ?, ?)",
);

export class ActivityStore {
  /** The row inserted last, in the transaction under way (see {@link committed}). */
  #inserted: ActivityRow | undefined;
  /**
   * A row exactly as committed, so that the report which follows its scheduling (the next step's
   * start or completion) need not read it back: one statement fewer per step. Only a transition's
   * commit sets it ({@link committed}); every write to the table through this store forgets it, and
   * every write to the table goes through this store. Used once.
   */
  #known: ActivityRow | undefined;

  constructor(
    private readonly sql: SqlStorage,
    /** Queues one attempt's task message (an outbox row). */
    private readonly enqueue: (act: ActivityRow) => void,
    /** Told each deadline and timer written (wake-floor.ts). */
    private readonly wake?: WakeFloor,
  ) {}

  /** A transition's transaction begins: a row inserted by any earlier one is not known committed. */
  beginTransaction(): void {
    this.#inserted = undefined;
  }

  /** That transaction committed: the row it inserted last is what storage holds, until a write. */
  committed(): void {
    this.#known = this.#inserted;
    this.#inserted = undefined;
  }

  get(runId: string, seq: number): ActivityRow | undefined {
    const known = this.#known;
    if (known !== undefined && known.run_id === runId && known.seq === seq) {
      this.#known = undefined;
      return known;
    }
    return this.sql
      .exec<ActivityRow>("SELECT * FROM activities WHERE run_id = ? AND seq = ?", runId, seq)
      .toArray()[0];
  }

  /** Applies a transition's effects to `act`, in order. */
  apply(act: ActivityRow, effects: readonly ActivityEffect[]): void {
    this.#forget();
    for (const e of effects) {
      switch (e.op) {
        case "insert":
          this.insert(e.row);
          break;
        case "update":
          this.update(act, e.set);
          break;
        case "enqueue":
          this.enqueue({ ...act, attempt: e.attempt });
          break;
        case "putTimer":
          this.putTimer(act, e.purpose, e.attempt, e.at);
          break;
        case "deleteTimer":
          this.sql.exec("DELETE FROM timers WHERE key = ?", timerKey.activity(act, e.purpose));
          break;
        case "delete":
          this.delete(act, timerPurposesOf(act));
          break;
      }
    }
  }

  /** The run's row deadlines (see ActivityRow.deadline_ms) due at `now`, as the timers they stand for. */
  /** Whether any activity's deadline is due (an alarm that finds none reads no run). */
  anyDeadlineDue(now: number): boolean {
    return (
      this.sql.exec("SELECT 1 FROM activities WHERE deadline_ms <= ? LIMIT 1", now).toArray()
        .length > 0
    );
  }

  dueDeadlines(runId: string, now: number): ActivityTimerData[] {
    return this.sql
      .exec<{ seq: number; attempt: number; state: ActivityState }>(
        "SELECT seq, attempt, state FROM activities WHERE run_id = ? AND deadline_ms <= ? ORDER BY deadline_ms, seq",
        runId,
        now,
      )
      .toArray()
      .map((r) => ({ seq: r.seq, attempt: r.attempt, type: deadlinePurpose(r.state) }));
  }

  /** Every row deadline, as the timer rows they stand for (test hook `unsafeTimers`). */
  deadlines(): Array<{ key: string; fireAtMs: number }> {
    return this.sql
      .exec<{ run_id: string; seq: number; state: ActivityState; at: number }>(
        "SELECT run_id, seq, state, deadline_ms AS at FROM activities WHERE deadline_ms IS NOT NULL",
      )
      .toArray()
      .map((r) => ({ key: timerKey.activity(r, deadlinePurpose(r.state)), fireAtMs: r.at }));
  }

  /** The run's activities, by seq (for describe). */
  ofRun(runId: string): ActivityRow[] {
    return this.sql
      .exec<ActivityRow>("SELECT * FROM activities WHERE run_id = ? ORDER BY seq", runId)
      .toArray();
  }

  /** Every activity row of a closed run (its timers go with the run's). */
  deleteRun(runId: string): void {
    this.#forget();
    this.sql.exec("DELETE FROM activities WHERE run_id = ?", runId);
  }

  /** A heartbeat: its details (when sent) and time. */
  heartbeat(act: ActivityKey, details: string | undefined, now: number): void {
    this.#forget();
    this.sql.exec(
      "UPDATE activities SET heartbeat_details = coalesce(?, heartbeat_details), last_heartbeat_ms = ? WHERE run_id = ? AND seq = ?",
      details ?? null,
      now,
      act.run_id,
      act.seq,
    );
  }

  /**
   * Deletes the activity's row and its timers: those of `purposes` when the caller read the row
   * (state.ts's `timerPurposesOf`; none is one statement fewer per step), else every one it can have.
   */
  delete(act: ActivityKey, purposes?: readonly ActivityTimerPurpose[]): void {
    this.#forget();
    this.sql.exec("DELETE FROM activities WHERE run_id = ? AND seq = ?", act.run_id, act.seq);
    const keys = purposes ? purposes.map((p) => timerKey.activity(act, p)) : activityTimerKeys(act);
    if (keys.length === 0) return;
    this.sql.exec(`DELETE FROM timers WHERE key IN (${keys.map(() => "?").join(", ")})`, ...keys);
  }

  /** Any write to the table: no row is known as committed any more. */
  #forget(): void {
    this.#known = undefined;
    this.#inserted = undefined;
  }

  private insert(row: ActivityRow): void {
    this.#forget();
    this.#inserted = row;
    this.wake?.lower(row.deadline_ms);
    this.sql.exec(
      INSERT_ACTIVITY,
      row.run_id,
      row.seq,
      row.activity_id,
      row.activity_type,
      row.input,
      row.options,
      row.attempt,
      row.state,
      row.first_scheduled_ms,
      row.scheduled_ms,
      row.started_ms,
      row.started_by,
      row.deadline_ms ?? null,
    );
  }

  private update(act: ActivityKey, set: ActivityUpdate): void {
    // Column names come from ActivityUpdate's fixed keys, never from input.
    const cols = Object.keys(set) as Array<keyof ActivityUpdate>;
    if (cols.length === 0) return;
    this.sql.exec(
      `UPDATE activities SET ${cols.map((c) => `${c} = ?`).join(", ")} WHERE run_id = ? AND seq = ?`,
      ...cols.map((c) => set[c] ?? null),
      act.run_id,
      act.seq,
    );
  }

  putTimer(act: ActivityKey, purpose: ActivityTimerPurpose, attempt: number, at: number): void {
    const data: ActivityTimerData = { seq: act.seq, attempt, type: purpose };
    this.wake?.lower(at);
    this.sql.exec(
      PUT_ACTIVITY_TIMER,
      timerKey.activity(act, purpose),
      act.run_id,
      at,
      JSON.stringify(data),
    );
  }
}
