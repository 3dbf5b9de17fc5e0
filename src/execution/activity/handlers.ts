/**
 * @module An activity worker's reports (started, heartbeat, completed, failed) and the firing of
 * an activity's timers: each checks that the attempt it names is still current (one guard, in
 * {@link liveActivity} / state.ts's `timerFired`), then applies state.ts's transition.
 */
import type {
  EagerOffer,
  EagerTask,
  HeartbeatResponse,
  StartedTask,
} from "../../../sdk/activity/protocol";
import {
  ApplicationFailure,
  type FailureInfo,
  type TimeoutType,
  toFailure,
} from "../../../sdk/common/failures";
import type { ActivityOptionsMs, NewEvent } from "../../history/events";
import type { TaskToken } from "../addressing";
import { crashPoint } from "../crash-points";
import type { ExecCtx, Writes } from "../execution-context";
import { failureFromReport } from "../failure-bounds";
import { payloadProblem } from "../report-validation";
import type { ActivityRow, ActivityTimerData, RunRow } from "../rows";
import { armAlarm } from "../timers";
import { transition } from "../transition";
import { type EagerClaim, startedTask } from "./dispatch";
import { attemptFailed, complete, start, timerFired } from "./state";

/**
 * Marks an attempt started and hands out its input. `deliveryId` (the queue message id, stable
 * across the queue's redeliveries) lets the same delivery start it again: when the consumer
 * crashed or lost this answer after the start was recorded, the redelivered message runs the
 * attempt instead of being dropped (activities are at least once). Any other delivery of a
 * started attempt (a redispatched copy, a duplicate) gets `null` and is dropped unrun.
 */
export async function activityStarted(
  x: ExecCtx,
  token: TaskToken,
  deliveryId?: string,
): Promise<StartedTask | null> {
  const act = liveActivity(x, token)?.act;
  if (!act) return null;
  const options = JSON.parse(act.options) as ActivityOptionsMs;
  if (act.state === "Started") {
    return deliveryId !== undefined && act.started_by === deliveryId
      ? startedTask(act, options)
      : null;
  }
  if (act.state !== "Scheduled") return null;
  crashPoint(x.state, "beforeCommit", "activityStart");
  x.activities.apply(act, start(act, x.now(), deliveryId ?? null).effects);
  crashPoint(x.state, "afterCommit", "activityStart");
  await armAlarm(x);
  return startedTask(act, options);
}

export async function activityHeartbeat(
  x: ExecCtx,
  token: TaskToken,
  details?: string,
): Promise<HeartbeatResponse> {
  const live = liveActivity(x, token);
  if (live?.act.state !== "Started") return { cancelRequested: true };
  const { act, run } = live;
  if (details !== undefined) {
    const limit = x.config.limits.maxPayloadBytes;
    const problem = payloadProblem(details, limit, "heartbeat details");
    if (problem) {
      // Refused: the attempt fails for good (the activity would send the same again) and its
      // abort signal fires; its later report is stale.
      const failure = toFailure(ApplicationFailure.nonRetryable(problem.message, problem.type));
      await activityAttemptFailed(x, run, act, failure);
      return { cancelRequested: true, reason: problem.message };
    }
  }
  const now = x.now();
  x.activities.heartbeat(act, details, now);
  const options = JSON.parse(act.options) as ActivityOptionsMs;
  if (options.heartbeatTimeoutMs) {
    x.activities.putTimer(act, "Heartbeat", act.attempt, now + options.heartbeatTimeoutMs);
    await armAlarm(x);
  }
  return { cancelRequested: false };
}

/**
 * Records a result. With an `offer` (eager dispatch), the first activity this transition schedules
 * on the offer's task queue, of a type the offer lists, is not queued: it is recorded as started
 * by the offering consumer, in the same transaction, and handed back to run at once.
 */
export async function activityCompleted(
  x: ExecCtx,
  token: TaskToken,
  result: string,
  offer?: EagerOffer,
): Promise<EagerTask | null> {
  const live = liveActivity(x, token);
  if (live?.act.state !== "Started") return null; // stale, duplicate, or never started: ignore
  const { act, run } = live;
  const eager: EagerClaim | undefined = offer ? { offer } : undefined;
  // Checked before anything is stored: every later replay reads what is stored here.
  const problem = payloadProblem(result, x.config.limits.maxPayloadBytes, "activity result");
  if (problem) {
    const failure = toFailure(ApplicationFailure.nonRetryable(problem.message, problem.type));
    await activityAttemptFailed(x, run, act, failure, undefined, eager);
    return eager?.task ?? null;
  }
  const done = complete(act, result);
  const writes: Writes = { sql: [() => x.activities.apply(act, done.effects)] };
  await transition(x, run, done.events, writes, eager ? { eager } : {});
  return eager?.task ?? null;
}

/** Records a failed attempt; `offer` as for {@link activityCompleted}. */
export async function activityFailed(
  x: ExecCtx,
  token: TaskToken,
  failureJson: string,
  offer?: EagerOffer,
): Promise<EagerTask | null> {
  const live = liveActivity(x, token);
  if (live?.act.state !== "Started") return null;
  const { act, run } = live;
  const failure = failureFromReport(failureJson, x.config.limits.maxPayloadBytes);
  const eager: EagerClaim | undefined = offer ? { offer } : undefined;
  await activityAttemptFailed(x, run, act, failure, undefined, eager);
  return eager?.task ?? null;
}

/** The activity a token names, if that attempt is still the current one of a running run. */
function liveActivity(x: ExecCtx, token: TaskToken): { act: ActivityRow; run: RunRow } | undefined {
  if (!x.ready) return undefined;
  const act = x.activities.get(token.runId, token.seq);
  if (!act || act.attempt !== token.attempt) return undefined;
  const run = x.runs.latest();
  if (!run || run.run_id !== token.runId || run.status !== "Running") return undefined;
  return { act, run };
}

/** An attempt failed (reported failure or a start-to-close/heartbeat timeout): retry or fail for good. */
async function activityAttemptFailed(
  x: ExecCtx,
  run: RunRow,
  act: ActivityRow,
  failure: FailureInfo,
  timeoutType?: TimeoutType,
  eager?: EagerClaim,
): Promise<void> {
  const t = attemptFailed(act, failure, x.now(), timeoutType);
  const writes: Writes = { sql: [() => x.activities.apply(act, t.effects)] };
  if (t.events.length > 0) await transition(x, run, t.events, writes, eager ? { eager } : {});
  else {
    // A retry scheduled: the attempt's failure appends no event (Temporal records only the last).
    writes.sql.push(() => crashPoint(x.state, "beforeCommit", "activityFail"));
    x.commitWrites(writes);
    crashPoint(x.state, "afterCommit", "activityFail");
    await armAlarm(x);
  }
}

/**
 * A timer of an activity fired: the transition (if the timer is still current) is queued into
 * `writes`; returns the events when the activity closed.
 */
export function activityTimerFired(
  x: ExecCtx,
  run: RunRow,
  data: ActivityTimerData,
  now: number,
  writes: Writes,
): NewEvent[] | undefined {
  const act = x.activities.get(run.run_id, data.seq);
  if (!act) return undefined;
  const t = timerFired(act, data, now);
  if (!t) return undefined;
  writes.sql.push(() => x.activities.apply(act, t.effects));
  return t.to === "Closed" ? t.events : undefined;
}
