/**
 * @module Whether the alarm's wake-up time must be read again (timers.ts's `armAlarm`). The read
 * (earliest timer, activity deadline and outbox retry) is one statement after every transition; but
 * an alarm already armed at or before every wake-up time stays put anyway, and storage's earliest
 * wake-up can only move earlier by a write. So after a read, each statement that may write a wake
 * time either reports that time here (the hot writes: an activity row's deadline, a timer row) or,
 * for every other write to `timers`, `outbox` or `activities`, makes the floor unknown (read next
 * time). The check is on the statement text, in one wrapper of the object's `SqlStorage`: no write
 * path can be forgotten. Deletes only move wake-ups later.
 */

/** Statements whose wake time their caller reports ({@link WakeFloor.lower}); registered by the stores. */
const reported = new Set<string>();

/** Marks a statement as one whose caller reports the wake time it writes. */
export function reportsWakeTime(query: string): string {
  reported.add(query);
  return query;
}

/** Unanchored: a statement list (one `exec` of several) is checked whole; a false match costs a read. */
const WRITES_WAKE_TABLES = /\b(?:INSERT|UPDATE|REPLACE)\b[\s\S]*?\b(?:timers|outbox|activities)\b/i;
const dirtying = new Map<string, boolean>();

/** Whether running `query` may write a wake time nobody reports (cached per statement text). */
export function mayWriteWakeTime(query: string): boolean {
  let d = dirtying.get(query);
  if (d === undefined) {
    d = !reported.has(query) && WRITES_WAKE_TABLES.test(query);
    // The engine's statements are a fixed set (some built per column list): bound anyway.
    if (dirtying.size >= 1000) dirtying.clear();
    dirtying.set(query, d);
  }
  return d;
}

export class WakeFloor {
  /**
   * Known since the last read: the earliest wake-up it found (real time, null: none, as the alarm
   * would be set) and the earliest wake time written since (engine time), under the clock offset of
   * the read; undefined when not known (never read, or an unreported write since).
   */
  #since: { readAtMs: number; floorMs: number; offsetMs: number } | undefined;

  /** armAlarm read storage's wake times: the earliest is `atMs` (real time; null: none). */
  read(atMs: number | null, offsetMs: number): void {
    this.#since = {
      readAtMs: atMs ?? Number.POSITIVE_INFINITY,
      floorMs: Number.POSITIVE_INFINITY,
      offsetMs,
    };
  }

  /** A write of a wake time at `atMs` (engine time; null writes none). */
  lower(atMs: number | null | undefined): void {
    if (this.#since && atMs !== null && atMs !== undefined && atMs < this.#since.floorMs) {
      this.#since.floorMs = atMs;
    }
  }

  /** A write whose wake time is not known: the next armAlarm reads. */
  unknown(): void {
    this.#since = undefined;
  }

  /**
   * Whether an alarm armed at `armedAtMs` (real time) is at or before every wake-up storage holds:
   * the earliest the last read found and every one written since, under an unchanged engine clock.
   * Whoever set `armedAtMs` (armAlarm, an alarm's back-off, a test hook), the answer is the same.
   */
  armedEarlyEnough(armedAtMs: number | null | undefined, offsetMs: number): boolean {
    const s = this.#since;
    if (!s || s.offsetMs !== offsetMs || armedAtMs === null || armedAtMs === undefined)
      return false;
    return armedAtMs <= s.readAtMs && armedAtMs <= s.floorMs - offsetMs;
  }
}

const WRITES_RUNS = /\b(?:INSERT|UPDATE|REPLACE|DELETE)\b[\s\S]*?\bruns\b/i;
const WRITES_EVENTS = /\b(?:INSERT|UPDATE|REPLACE|DELETE)\b[\s\S]*?\bevents\b/i;
/** Per statement text: 0 none, 1 events, 2 runs (or both). */
const rowWrites = new Map<string, 0 | 1 | 2>();

/** Whether `query` writes the `runs` table (2), `events` only (1) or neither (0); cached. */
export function runRowWrites(query: string): 0 | 1 | 2 {
  let w = rowWrites.get(query);
  if (w === undefined) {
    w = WRITES_RUNS.test(query) ? 2 : WRITES_EVENTS.test(query) ? 1 : 0;
    if (rowWrites.size >= 1000) rowWrites.clear();
    rowWrites.set(query, w);
  }
  return w;
}

/**
 * Wraps `sql.exec` in place: a statement that may write an unreported wake time clears `floor`;
 * one that writes `runs` or `events` tells `runRow` (RunStore's known row, runs-store.ts).
 */
export function trackWakeWrites(
  sql: SqlStorage,
  floor: WakeFloor,
  runRow?: { written(run: boolean): void },
): void {
  const inner = sql.exec.bind(sql);
  const exec = (query: string, ...bindings: unknown[]) => {
    if (mayWriteWakeTime(query)) floor.unknown();
    if (runRow) {
      const w = runRowWrites(query);
      if (w !== 0) runRow.written(w === 2);
    }
    return inner(query, ...bindings);
  };
  (sql as { exec: unknown }).exec = exec;
}
