/**
 * @module The `timers` table and the one alarm. Every timer is a row (keys from timer-keys.ts); the
 * alarm is recomputed from the earliest row and the outbox's next retry (pure: `nextAlarmAt`), so
 * nothing kept in memory can drift from storage.
 */
import type { ExecCtx } from "./execution-context";
import { OUTBOX_INITIAL_BACKOFF_MS } from "./outbox-policy";
import type { TimerKind, TimerRow } from "./rows";
import { mustRearm, nextAlarmAt } from "./timer-keys";

export class TimerStore {
  constructor(private readonly sql: SqlStorage) {}

  /** Writes (or replaces) the timer under `key`. */
  put(key: string, runId: string, kind: TimerKind, fireAtMs: number, data?: string): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO timers (key, run_id, kind, fire_at_ms, data) VALUES (?, ?, ?, ?, ?)",
      key,
      runId,
      kind,
      fireAtMs,
      data ?? null,
    );
  }

  delete(key: string): void {
    this.sql.exec("DELETE FROM timers WHERE key = ?", key);
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
  const { timerAt, retryAt } = wakeTimes(x.sql, x.now());
  if (options.onlyIfOutboxEmpty && retryAt !== null) return;
  const at = nextAlarmAt(timerAt, retryAt, x.clockOffsetMs);
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
