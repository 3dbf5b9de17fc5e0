/**
 * @module The schedule's decisions, pure (state in, decision out; unit-tested in Node): what an
 * action does given the overlap policy and the running and buffered actions, when a close releases
 * the buffer, and which nominal times are due after a wake-up (catch-up window, per-wake bounds).
 */
import type { OverlapPolicy } from "../../sdk/common/schedule";
import { type CompiledSpec, jitterMs, nextNominalTime, nominalTimesBetween } from "./spec-api";

/** Actions waiting for the running ones to close, at most (BufferAll); past it they are skipped. */
export const BUFFER_LIMIT = 100;
/** Due actions taken in one wake-up (one transaction); the rest follow from an immediate re-arm. */
export const MAX_ACTIONS_PER_WAKE = 100;
/** Missed times counted in one wake-up; a longer backlog is counted over several wake-ups. */
export const MAX_MISSED_PER_WAKE = 10_000;

export type OverlapDecision =
  /** Start the workflow now. */
  | { kind: "start" }
  /** Take no action: counted in `overlapSkipped`. */
  | { kind: "skip" }
  /**
   * Wait in the buffer until the running actions closed. `replaceBuffered`: the buffer keeps only
   * this action (those it replaces count as skipped). `endRunning`: first cancel or terminate them.
   */
  | { kind: "buffer"; replaceBuffered: boolean; endRunning?: "cancel" | "terminate" };

/**
 * Temporal's overlap policies. `running` counts the schedule's workflows not yet closed (an action
 * whose start is still being delivered counts); `buffered` the actions waiting. With nothing running
 * and nothing waiting, every policy starts.
 */
export function decideOverlap(
  policy: OverlapPolicy,
  state: { running: number; buffered: number },
): OverlapDecision {
  if (policy === "AllowAll") return { kind: "start" };
  if (state.running === 0 && state.buffered === 0) return { kind: "start" };
  switch (policy) {
    case "Skip":
      return { kind: "skip" };
    case "BufferOne":
      return state.buffered === 0 ? { kind: "buffer", replaceBuffered: false } : { kind: "skip" };
    case "BufferAll":
      return state.buffered < BUFFER_LIMIT
        ? { kind: "buffer", replaceBuffered: false }
        : { kind: "skip" };
    case "CancelOther":
      return { kind: "buffer", replaceBuffered: true, endRunning: "cancel" };
    case "TerminateOther":
      return { kind: "buffer", replaceBuffered: true, endRunning: "terminate" };
  }
}

/**
 * After a running action closed (or failed to start): whether the oldest buffered action starts now.
 * Buffered actions start one at a time, each after the previous closed (BufferAll runs them in
 * order, never side by side); a paused schedule starts none until it is unpaused.
 */
export function releasesBuffer(state: {
  running: number;
  buffered: number;
  paused: boolean;
}): boolean {
  return state.running === 0 && state.buffered > 0 && !state.paused;
}

/** The nominal times a wake-up at `nowMs` handles, after those up to `cursorMs` were handled. */
export interface DueTimes {
  /** Nominal times to act on, in order. */
  due: number[];
  /** Nominal times missed by more than the catch-up window: counted, not run. */
  missed: number;
  /** Everything up to here is handled (the next wake-up starts after it). */
  cursorMs: number;
  /** Bounded: more times are due now; wake again at once. */
  more: boolean;
}

/**
 * The times due at `nowMs`. A time whose action time (nominal + jitter) has not come yet is not due.
 * Like Temporal, after downtime every missed time within the catch-up window is acted on, oldest
 * first (each subject to the overlap policy); a time more than the window in the past (measured from
 * its nominal time) is only counted.
 */
export function dueTimes(
  spec: CompiledSpec,
  scheduleId: string,
  cursorMs: number,
  nowMs: number,
  catchupWindowMs: number,
  limits: { maxActions: number; maxMissed: number } = {
    maxActions: MAX_ACTIONS_PER_WAKE,
    maxMissed: MAX_MISSED_PER_WAKE,
  },
): DueTimes {
  let cursor = cursorMs;
  let missed = 0;
  const missedUpTo = nowMs - catchupWindowMs;
  if (missedUpTo > cursor) {
    const old = nominalTimesBetween(spec, cursor, missedUpTo, limits.maxMissed);
    missed = old.length;
    if (old.length === limits.maxMissed) {
      return { due: [], missed, cursorMs: old[old.length - 1]!, more: true };
    }
    cursor = missedUpTo;
  }
  const due: number[] = [];
  const times = nominalTimesBetween(spec, cursor, nowMs, limits.maxActions + 1);
  let more = false;
  for (const t of times) {
    if (t + jitterMs(spec, scheduleId, t) > nowMs) break;
    if (due.length === limits.maxActions) {
      more = true;
      break;
    }
    due.push(t);
    cursor = t;
  }
  return { due, missed, cursorMs: cursor, more };
}

/** The next `count` action times (nominal + jitter) after `cursorMs`, in nominal order. */
export function nextActionTimes(
  spec: CompiledSpec,
  scheduleId: string,
  cursorMs: number,
  count: number,
): { nominalMs: number; actionMs: number }[] {
  const out: { nominalMs: number; actionMs: number }[] = [];
  let after = cursorMs;
  while (out.length < count) {
    const t = nextNominalTime(spec, after);
    if (t === null) break;
    out.push({ nominalMs: t, actionMs: t + jitterMs(spec, scheduleId, t) });
    after = t;
  }
  return out;
}

/** Whether the spec may act at all: not paused and actions left (remainingActions null: no limit). */
export function acts(state: { paused: boolean; remainingActions: number | null }): boolean {
  return !state.paused && (state.remainingActions === null || state.remainingActions > 0);
}

/** The workflow id of an action: `<prefix>-<nominal time, ISO>`. */
export function actionWorkflowId(prefix: string, nominalMs: number): string {
  return `${prefix}-${new Date(nominalMs).toISOString()}`;
}

/** A status that pauses a schedule with pauseOnFailure. */
export function pausesOnFailure(status: string): boolean {
  return status === "Failed" || status === "TimedOut";
}
