/**
 * @module The next nominal time of a compiled spec: the union of its cron strings, calendars and
 * intervals, minus the times its skip calendars match, within [startAt, endAt] (both inclusive).
 * Two sources firing at the same instant give one time.
 *
 * Cron strings and calendars are enumerated as local wall times (croner, fixed-offset mode) and
 * each is turned into an instant by timezone.ts's rule: a repeated local time fires once, at its
 * first occurrence; a local time in a spring-forward gap fires once, shifted forward by the gap.
 * Skip calendars are matched against the local time at which the action actually fires.
 */
import type { CompiledCalendar } from "./calendar";
import { unitEnd } from "./calendar";
import type { WallPattern } from "./cron";
import { type CompiledInterval, nextIntervalTime } from "./interval";
import { instantOf, lastChangeWithin, offsetAt, wallOf } from "./timezone";

/** The compiled form of a spec, rebuilt from its input on every wake (never stored). */
export interface Engine {
  readonly zone: string;
  readonly walls: readonly WallPattern[];
  readonly intervals: readonly CompiledInterval[];
  readonly skips: readonly CompiledCalendar[];
  readonly startMs: number | null;
  readonly endMs: number | null;
  readonly jitterMs: number;
  /**
   * Per source (walls, then intervals), its last answer: the first time after `after` is `result`,
   * so it is also the answer for any later `after` before `result` (a source's times are a fixed
   * set). Makes walking a union of many sources cost one search per time used, not per source.
   */
  readonly memo: Array<{ after: number; result: number | null } | undefined>;
}

/**
 * Candidate times one source may look at in one search before it gives up (returns null). Only
 * reached by skip calendars that hide a long run of times one by one (e.g. a per-second cron
 * against a skip that spares one second a day); the time without skips is found in a few steps.
 */
export const MAX_CANDIDATES = 100_000;

/** Offset changes looked for before an instant: a spring-forward gap is at most this long. */
const GAP_WINDOW_MS = 6 * 3_600_000;

/** The end (a wall time) of the longest run the skip calendars hide around `wall`, or null when none matches. */
function skippedUntil(skips: readonly CompiledCalendar[], wall: number): number | null {
  let end: number | null = null;
  for (const skip of skips) {
    if (skip.matches(wall)) {
      const until = unitEnd(wall, skip.unit);
      if (end === null || until > end) end = until;
    }
  }
  return end;
}

/**
 * The wall time to enumerate from, so that every wall time that maps after `afterMs` comes after
 * it, and few that do not: usually `afterMs`'s own wall time. Just after a spring-forward change,
 * gap times (which map into the first `gap` ms after the change) start earlier; during the second
 * pass of a fall-back change, the repeated times all map before `afterMs`, so the search starts
 * after them.
 */
function startWall(zone: string, afterMs: number): number {
  const own = offsetAt(zone, afterMs);
  const change = lastChangeWithin(zone, afterMs, GAP_WINDOW_MS);
  if (change === null) return afterMs + own;
  if (change.before < own) {
    const gap = own - change.before;
    return afterMs < change.at + gap ? afterMs + change.before : afterMs + own;
  }
  // Fall back: the local times [change.at + own, change.at + before) happened before the change.
  return Math.max(afterMs + own, change.at + change.before - 1);
}

/** The first time of one cron string or calendar strictly after `afterMs`, or null. */
function nextOfWalls(engine: Engine, walls: WallPattern, afterMs: number): number | null {
  const { zone, skips } = engine;
  let wall = startWall(zone, afterMs);
  let best: number | null = null;
  // Wall times after the best one's own local time cannot map before it (see timezone.ts).
  let bestWall = Number.POSITIVE_INFINITY;
  for (let steps = 0; steps < MAX_CANDIDATES; steps++) {
    const next = walls.nextWall(wall);
    if (next === null || next > bestWall) break;
    wall = next;
    const instant = instantOf(zone, next);
    if (instant <= afterMs || (best !== null && instant >= best)) continue;
    const actualWall = instant + offsetAt(zone, instant);
    const skipped = skips.length === 0 ? null : skippedUntil(skips, actualWall);
    if (skipped !== null) {
      // A whole skipped unit of local time is passed at once, unless this time was shifted out of
      // a gap: then the wall times between it and the unit's end are not all skipped.
      if (actualWall === next) wall = Math.max(wall, skipped - 1000);
      continue;
    }
    best = instant;
    bestWall = actualWall;
  }
  return best;
}

/** The first time of one interval strictly after `afterMs`, not skipped, or null. */
function nextOfInterval(
  engine: Engine,
  interval: CompiledInterval,
  afterMs: number,
): number | null {
  const { zone, skips } = engine;
  let after = afterMs;
  for (let steps = 0; steps < MAX_CANDIDATES; steps++) {
    const time = nextIntervalTime(interval, after);
    if (skips.length === 0) return time;
    const skipped = skippedUntil(skips, wallOf(zone, time));
    if (skipped === null) return time;
    after = Math.max(time, instantOf(zone, skipped) - 1);
  }
  return null;
}

/** The first nominal time strictly after `afterMs`, or null when there is none. */
export function nextTime(engine: Engine, afterMs: number): number | null {
  let after = afterMs;
  if (engine.startMs !== null && after < engine.startMs)
    after = Math.max(after, engine.startMs - 1);
  if (engine.endMs !== null && after >= engine.endMs) return null;
  let best: number | null = null;
  const sources = engine.walls.length + engine.intervals.length;
  for (let i = 0; i < sources; i++) {
    const memo = engine.memo[i];
    let t: number | null;
    if (
      memo !== undefined &&
      after >= memo.after &&
      (memo.result === null || after < memo.result)
    ) {
      t = memo.result;
    } else {
      const walls = engine.walls[i];
      t =
        walls !== undefined
          ? nextOfWalls(engine, walls, after)
          : nextOfInterval(engine, engine.intervals[i - engine.walls.length]!, after);
      engine.memo[i] = { after, result: t };
    }
    if (t !== null && (best === null || t < best)) best = t;
  }
  if (best === null || (engine.endMs !== null && best > engine.endMs)) return null;
  return best;
}

/** Nominal times in (fromMs, toMs], in order, at most `max`. */
export function timesBetween(engine: Engine, fromMs: number, toMs: number, max: number): number[] {
  const times: number[] = [];
  let after = fromMs;
  while (times.length < max) {
    const t = nextTime(engine, after);
    if (t === null || t > toMs) break;
    times.push(t);
    after = t;
  }
  return times;
}
