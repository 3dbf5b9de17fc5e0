/**
 * @module The `timers` table and the one alarm. Every timer is a row (keys from timer-keys.ts); the
 * alarm is recomputed from the earliest row and the outbox's next retry (pure: `nextAlarmAt`), so
 * nothing kept in memory can drift from storage.
 */
import type { ExecCtx } from "./execution-context";
import { OUTBOX_INITIAL_BACKOFF_MS } from "./outbox-policy";
import type { TimerKind, TimerRow } from "./rows";
import { mustRearm, nextAlarmAt, timerKey } from "./timer-keys";
import { reportsWakeTime, type WakeFloor } from "./wake-floor";

const PUT_TIMER = reportsWakeTime(
  "INSERT OR REPLACE INTO timers (key, run_id, kind, fire_at_ms, data) VALUES (?, ?, ?, ?, ?)",
);

export class TimerStore {
  /**
   * A run known to have no workflow-task timer row: its delete was committed and no wft timer was
   * written since. Every wft timer is written through {@link put}, which forgets it; it is set only
   * after a commit ({@link noTaskTimer}), so a rolled-back delete never counts as one.
   */
  #noTaskTimer: string | undefined;

  constructor(
    private readonly sql: SqlStorage,
    /** Told each timer's time (wake-floor.ts); absent, the statement's wrapper is told nothing. */
    private readonly wake?: WakeFloor,
  ) {}

  /** Writes (or replaces) the timer under `key`. */
  put(key: string, runId: string, kind: TimerKind, fireAtMs: number, data?: string): void {
    if (kind === "wft" && this.#noTaskTimer === runId) this.#noTaskTimer = undefined;
    this.wake?.lower(fireAtMs);
    this.sql.exec(PUT_TIMER, key, runId, kind, fireAtMs, data ?? null);
  }

  delete(key: string): void {
    this.sql.exec("DELETE FROM timers WHERE key = ?", key);
  }

  /**
   * Deletes the run's workflow-task timer, unless it is known to have none (a step's transition
   * clears it every time: after the first, one statement fewer per step).
   */
  deleteTaskTimer(runId: string): void {
    if (this.#noTaskTimer !== runId) this.delete(timerKey.wft(runId));
  }

  /** Called after a commit that deleted the run's task timer and wrote none. */
  noTaskTimer(runId: string): void {
    this.#noTaskTimer = runId;
  }

  /** Every timer of a run (it closed: nothing it scheduled may fire). */
  deleteRun(runId: string): void {
    this.sql.exec("DELETE FROM timers WHERE run_id = ?", runId);
  }

  /** The timers due at `now`, in firing order. */
  due(now: number): TimerRow[] {
    return this.sql
      .exec<TimerRow>("SELECT * FROM timers WHERE fire_at_ms <= ? ORDER BY fire_at_ms, key", now)
      .toArray();
  }

  earliest(): number | null {
    return this.sql.exec<{ at: number | null }>("SELECT min(fire_at_ms) AS at FROM timers").one()
      .at;
  }

  all(): TimerRow[] {
    return this.sql.exec<TimerRow>("SELECT * FROM timers ORDER BY fire_at_ms").toArray();
  }

  /** A run's pending workflow timers (StartTimer), for describe. */
  userTimers(runId: string): TimerRow[] {
    return this.sql
      .exec<TimerRow>(
        "SELECT * FROM timers WHERE run_id = ? AND kind = 'timer' ORDER BY fire_at_ms",
        runId,
      )
      .toArray();
  }
}

/**
 * The earliest timer and the engine time at which the alarm must retry the outbox (null: empty),
 * in one statement, as every transition asks for both. A row not yet tried is normally sent right
 * after its commit; the alarm retries it soon in case that send died.
 */
export function wakeTimes(
  sql: SqlStorage,
  now: number,
): { timerAt: number | null; retryAt: number | null } {
  const row = sql
    .exec<{ timerAt: number | null; retryAt: number | null }>(
      // Activity deadlines: a scan of the pending activities (few per object; no index, so a step writes no
      // index entry). A row of schema 5 keeps its start-to-close timeout in `timers`.
      "SELECT min(coalesce((SELECT min(fire_at_ms) FROM timers), 1e300), coalesce((SELECT min(deadline_ms) FROM activities), 1e300)) AS timerAt, (SELECT min(coalesce(next_attempt_ms, ?)) FROM outbox) AS retryAt",
      now + OUTBOX_INITIAL_BACKOFF_MS,
    )
    .one();
  const timerAt = row.timerAt === null || row.timerAt >= 1e300 ? null : row.timerAt;
  return { timerAt, retryAt: row.retryAt };
}

/**
 * Keeps the one alarm at or before the earliest timer (or outbox retry), recomputed from storage.
 * An alarm already armed earlier stays put unless `force`: firing early is harmless (the handler
 * fires nothing and re-arms exactly), and moving the alarm later on every change costs an alarm
 * write per step (a queue activity moved it three times). `force` sets it exactly.
 */
export async function armAlarm(
  x: ExecCtx,
  force = false,
  /** Write nothing while the outbox holds a row (whose delivery re-arms when it is done). */
  options: { onlyIfOutboxEmpty?: boolean } = {},
): Promise<void> {
  // Nothing written since the last read is earlier than the armed alarm: it stays, unread (a step
  // writes its next activity's deadline, later than the alarm already armed: one read fewer).
  if (!force && x.wake.armedEarlyEnough(x.armedAtMs, x.clockOffsetMs)) return;
  const { timerAt, retryAt } = wakeTimes(x.sql, x.now());
  const at = nextAlarmAt(timerAt, retryAt, x.clockOffsetMs);
  x.wake.read(at, x.clockOffsetMs);
  if (options.onlyIfOutboxEmpty && retryAt !== null) return;
  if (x.armedAtMs === undefined) x.armedAtMs = await x.storage.getAlarm();
  if (!mustRearm(at, x.armedAtMs, force)) return;
  x.storageCounts.alarmWrites += 1;
  if (at === null) await x.storage.deleteAlarm();
  else await x.storage.setAlarm(Math.max(at, Date.now()));
  x.armedAtMs = at === null ? null : Math.max(at, Date.now());
}

/**
 * A crash between a commit and its alarm write leaves timers or outbox rows with no alarm, and a
 * retried request that finds its work done (same requestId) would not arm it: arm on activation.
 * The next serialized operation waits for it.
 */
export function activate(x: ExecCtx): void {
  x.queue(() => armAlarm(x));
}
