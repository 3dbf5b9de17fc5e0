/**
 * @module The bodies of the `unsafe*` test hooks (they need SUNDIAL_UNSAFE=1): time skipping,
 * injected commit failures and crashes, and read-outs of timers, alarms, counters and the outbox.
 */
import { setUnsafeKeys } from "../codec/payload-sql";
import { armCrash, type CrashArmOptions, type CrashPoint, crashesOf } from "./crash-points";
import { deliverMessages } from "./delivery";
import type { ExecCtx } from "./execution-context";
import { countRows } from "./outbox";
import { replay } from "./runtimes";
import type { StorageCounts } from "./sql-counter";
import { activate, armAlarm } from "./timers";

/** Every hook checks first that the deployment allows them. */
export function assertUnsafe(x: ExecCtx): void {
  if (!x.unsafe) throw new Error("unsafe* methods need SUNDIAL_UNSAFE=1");
  x.ensureSchema();
}

export function failCommits(x: ExecCtx, n: number): void {
  assertUnsafe(x);
  x.failCommits = n;
}

export function advanceClock(x: ExecCtx, ms: number): Promise<number> {
  assertUnsafe(x);
  return x.serialized(async () => {
    x.clockOffsetMs += ms;
    x.runs.saveClockOffset(x.clockOffsetMs);
    await armAlarm(x, true);
    return x.now();
  });
}

export async function alarmState(x: ExecCtx): Promise<{ runs: number; armedAtMs: number | null }> {
  assertUnsafe(x);
  return { runs: x.counters.alarmRuns, armedAtMs: await x.storage.getAlarm() };
}

export function timers(x: ExecCtx): Array<{ key: string; kind: string; fireAtMs: number }> {
  assertUnsafe(x);
  const rows = x.timers.all().map((t) => ({ key: t.key, kind: t.kind, fireAtMs: t.fire_at_ms }));
  // Start-to-close deadlines are columns of the activity rows: listed as the timers they are.
  const deadlines = x.activities.deadlines().map((d) => ({ ...d, kind: "activity" }));
  return [...rows, ...deadlines].sort((a, b) => a.fireAtMs - b.fireAtMs);
}

export function replayNow(x: ExecCtx): Promise<{ replayMs: number; historyLength: number }> {
  assertUnsafe(x);
  return x.serialized(async () => {
    const run = x.runs.current();
    if (!run) return { replayMs: 0, historyLength: 0 };
    x.cached = undefined;
    const t0 = performance.now();
    await replay(x, run);
    const replayMs = performance.now() - t0;
    x.cached = undefined;
    return { replayMs, historyLength: run.history_length };
  });
}

export function counters(x: ExecCtx): {
  replays: number;
  maxReplayPageRows: number;
  /** Visibility rows written to D1 by this instance. */
  visibilityWrites: number;
  waiters: number;
  queryCacheEntries: number;
} {
  assertUnsafe(x);
  return {
    replays: x.counters.replays,
    maxReplayPageRows: x.counters.maxReplayPageRows,
    visibilityWrites: x.counters.visibilityWrites,
    waiters: x.waiters.count,
    queryCacheEntries: x.queryRuntimes.size,
  };
}

/** What this instance asked of its storage so far (sql-counter.ts says what each count counts). */
export function storageCounts(x: ExecCtx): StorageCounts {
  assertUnsafe(x);
  x.settleCounts();
  return { ...x.storageCounts };
}

export async function deliverOutbox(x: ExecCtx): Promise<number> {
  assertUnsafe(x);
  await deliverMessages(x, true);
  return countRows(x.sql, "messages");
}

export function crashAt(x: ExecCtx, point: CrashPoint, options: CrashArmOptions): void {
  assertUnsafe(x);
  armCrash(x.state.id.toString(), point, options, () => {
    // What a fresh instance has: no warm runtime, no known alarm, and the activation re-arm.
    x.cached = undefined;
    x.armedAtMs = undefined;
    activate(x);
  });
}

export async function alarmAndOutbox(
  x: ExecCtx,
  setAt?: number,
): Promise<{ alarm: number | null; outbox: number }> {
  assertUnsafe(x);
  if (setAt !== undefined) {
    await x.storage.setAlarm(setAt);
    x.armedAtMs = setAt; // what armAlarm compares with
  }
  const outbox = countRows(x.sql, "all");
  return { alarm: await x.storage.getAlarm(), outbox };
}

export function crashes(x: ExecCtx): { fired: string[]; armed: number } {
  assertUnsafe(x);
  return crashesOf(x.state.id.toString());
}

/** This object's encryption keys from now on (src/codec/payload-sql.ts). */
export function payloadKeys(x: ExecCtx, keys: string | null | undefined): void {
  assertUnsafe(x);
  setUnsafeKeys(x.sql, x.env, x.config.codecs, keys);
}
