/**
 * @module The `timers` table and the one alarm. Every timer is a row (keys from timer-keys.ts); the
 * alarm is recomputed from the earliest row and the outbox's next retry (pure: `nextAlarmAt`), so
 * nothing kept in memory can drift from storage.
 */
import type { ExecCtx } from "./execution-context";
import { outboxWakeAt } from "./outbox";
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
 * Keeps the one alarm at or before the earliest timer (or outbox retry), recomputed from storage.
 * An alarm already armed earlier stays put unless `force`: firing early is harmless (the handler
 * fires nothing and re-arms exactly), and moving the alarm later on every change costs an alarm
 * write per step (a queue activity moved it three times). `force` sets it exactly.
 */
export async function armAlarm(x: ExecCtx, force = false): Promise<void> {
  const next = x.timers.earliest();
  const retryAt = outboxWakeAt(x.sql, x.now());
  const at = nextAlarmAt(next, retryAt, x.clockOffsetMs);
  if (x.armedAtMs === undefined) x.armedAtMs = await x.storage.getAlarm();
  if (!mustRearm(at, x.armedAtMs, force)) return;
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
