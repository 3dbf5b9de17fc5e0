/**
 * @module Timer keys and the alarm's time: pure. Every key of the `timers` table is built here (one
 * row per key; writing a key again replaces its timer), and the one alarm's time is derived from the
 * earliest timer and the outbox's next retry.
 */
import type { ActivityTimerPurpose } from "./rows";

/** Every purpose an activity timer can have (for deleting all of an activity's timers by key). */
export const ACTIVITY_TIMER_PURPOSES: readonly ActivityTimerPurpose[] = [
  "ScheduleToClose",
  "ScheduleToStart",
  "StartToClose",
  "Heartbeat",
  "Retry",
  "Redispatch",
];

export const timerKey = {
  /** A workflow's own timer (StartTimer), by its command's seq. */
  user: (runId: string, seq: number): string => `timer:${runId}:${seq}`,
  /** The run's pending workflow task (a start delay, a retry backoff, a continuation). */
  wft: (runId: string): string => `wft:${runId}`,
  /** One timer of one activity; one per purpose, whatever the attempt (the data names the attempt). */
  activity: (act: { run_id: string; seq: number }, purpose: ActivityTimerPurpose): string =>
    `act:${act.run_id}:${act.seq}:${purpose}`,
  runTimeout: (runId: string): string => `run-timeout:${runId}`,
  execTimeout: (runId: string): string => `exec-timeout:${runId}`,
};

/** Every key an activity's timers can have. */
export function activityTimerKeys(act: { run_id: string; seq: number }): string[] {
  return ACTIVITY_TIMER_PURPOSES.map((p) => timerKey.activity(act, p));
}

/**
 * When the one alarm should ring, in real time: the earliest of the next timer and the outbox's next
 * retry (both in engine time, which runs `clockOffsetMs` ahead of real time); null when neither.
 */
export function nextAlarmAt(
  nextTimerMs: number | null,
  outboxRetryMs: number | null,
  clockOffsetMs: number,
): number | null {
  const times = [nextTimerMs, outboxRetryMs].filter((t): t is number => t !== null);
  return times.length === 0 ? null : Math.min(...times) - clockOffsetMs;
}

/**
 * Whether the alarm must be written. An alarm already armed earlier stays put unless `force`:
 * firing early is harmless (the handler fires nothing and re-arms exactly), and moving the alarm
 * later on every change costs an alarm write per step. `force` sets it exactly; an alarm known to
 * be armed at exactly that time is not written again (a timer that closes its run was re-armed
 * twice, by the closing transition and by the alarm handler: two alarm writes per fire).
 */
export function mustRearm(at: number | null, armedAt: number | null, force: boolean): boolean {
  if (at === armedAt) return false;
  if (force) return true;
  return !(armedAt !== null && (at === null || at >= armedAt));
}

const TASK_RETRY_MAX_MS = 10 * 60_000;
const ALARM_RETRY_MAX_MS = 5 * 60_000;

/** When a failed workflow task's `attempt` is retried: 1 s, 2 s, 4 s, … up to 10 min. */
export function taskRetryDelayMs(attempt: number): number {
  return Math.min(1000 * 2 ** (attempt - 1), TASK_RETRY_MAX_MS);
}

/** When the alarm is tried again after `failures` handlers in a row threw: 1 s, 2 s, … up to 5 min. */
export function alarmRetryDelayMs(failures: number): number {
  return Math.min(1000 * 2 ** (failures - 1), ALARM_RETRY_MAX_MS);
}
