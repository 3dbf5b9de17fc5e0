/**
 * @module The activity lifecycle as explicit transitions, pure (rows in; the next state, the events
 * to record and the row/timer/queue effects out), unit-tested in Node. The store applies effects.
 *
 *   schedule        (new)                          → Scheduled (queued)  | Started (eager)
 *   start           Scheduled                      → Started
 *   complete        Started                        → Closed   ActivityTaskStarted + Completed
 *   attemptFailed   Started                        → Backoff  (retry)   | Closed (Failed/TimedOut)
 *   timer Redispatch  Scheduled, same attempt      → Scheduled (queued again, lease doubled)
 *   timer Retry       Backoff, same attempt        → Scheduled (next attempt, queued)
 *   timer ScheduleToStart  Scheduled, same attempt → Closed   ActivityTaskTimedOut
 *   timer ScheduleToClose  any state, any attempt  → Closed   ActivityTaskTimedOut
 *   timer StartToClose / Heartbeat  Started, same attempt → attemptFailed (a timeout)
 *
 * Every timer firing passes one guard, {@link isCurrent}: a timer whose activity has moved on (other
 * state, later attempt) fires nothing.
 */
import type { EagerOffer } from "../../../sdk/activity/protocol";
import type { FailureInfo, RetryState, TimeoutType } from "../../../sdk/common/failures";
import { withoutStacks } from "../../../sdk/common/failures";
import { mayRetry, retryDelayMs } from "../../../sdk/common/retry-policy";
import { type ActivityOptionsMs, type NewEvent, newEvent } from "../../history/events";
import type { Command } from "../../replay/commands";
import type { ActivityRow, ActivityState, ActivityTimerData, ActivityTimerPurpose } from "../rows";

/**
 * How long a dispatched task may sit unstarted before it is sent again (doubling, up to the max):
 * a queue message lost with a crashed local runtime, or a consumer that never ran, must not strand
 * the activity when it has no schedule-to-start timeout.
 */
export const DISPATCH_LEASE_MS = 10_000;
export const MAX_DISPATCH_LEASE_MS = 5 * 60_000;

/** `started_by` of an eagerly dispatched attempt: `eager:<deliveryId>:<seq>:<attempt>`. */
export const EAGER_PREFIX = "eager:";

/** Row columns a transition may change. */
export type ActivityUpdate = Partial<
  Pick<
    ActivityRow,
    | "attempt"
    | "state"
    | "scheduled_ms"
    | "started_ms"
    | "started_by"
    | "last_failure"
    | "last_heartbeat_ms"
    | "next_attempt_ms"
    | "last_attempt_ms"
    | "deadline_ms"
  >
>;

/** What a transition asks the store to do, in order, inside the transition's transaction. */
export type ActivityEffect =
  | { op: "insert"; row: ActivityRow }
  | { op: "update"; set: ActivityUpdate }
  /** Queues a task message for `attempt` (an outbox row, sent after the commit). */
  | { op: "enqueue"; attempt: number }
  | { op: "putTimer"; purpose: ActivityTimerPurpose; attempt: number; at: number }
  | { op: "deleteTimer"; purpose: ActivityTimerPurpose }
  /** Deletes the row and every timer of the activity. */
  | { op: "delete" };

export interface Transition {
  to: ActivityState | "Closed";
  events: NewEvent[];
  effects: ActivityEffect[];
}

/** In which states a timer of each purpose still means something. */
export const TIMER_FIRES_IN: Readonly<Record<ActivityTimerPurpose, readonly ActivityState[]>> = {
  Redispatch: ["Scheduled"],
  ScheduleToStart: ["Scheduled"],
  Retry: ["Backoff"],
  StartToClose: ["Started"],
  Heartbeat: ["Started"],
  ScheduleToClose: ["Scheduled", "Started", "Backoff"],
};

/**
 * The `timers` rows `act` can have, from its state and options: what deleting it must delete. A row
 * of schema 6 keeps its lease and start-to-close deadline on itself; one written before (its
 * `deadline_ms` null) may still have them as timer rows. Over-listing costs nothing; a purpose left
 * out would leave a stray row, which fires nothing ({@link isCurrent}: no activity) and is dropped.
 */
export function timerPurposesOf(
  act: Pick<ActivityRow, "state" | "options"> & { deadline_ms?: number | null },
): ActivityTimerPurpose[] {
  const o = parseOptions(act);
  const old = act.deadline_ms === null || act.deadline_ms === undefined;
  const purposes: ActivityTimerPurpose[] = [];
  if (o.scheduleToCloseTimeoutMs) purposes.push("ScheduleToClose");
  if (o.scheduleToStartTimeoutMs) purposes.push("ScheduleToStart");
  if (o.heartbeatTimeoutMs) purposes.push("Heartbeat");
  if (act.state === "Backoff") purposes.push("Retry");
  if (old && act.state === "Started" && o.startToCloseTimeoutMs) purposes.push("StartToClose");
  if (old && act.state === "Scheduled") purposes.push("Redispatch");
  return purposes;
}

/** The one guard of every activity timer: is what it fires for still current? */
export function isCurrent(act: Pick<ActivityRow, "state" | "attempt">, data: ActivityTimerData) {
  if (!TIMER_FIRES_IN[data.type].includes(act.state)) return false;
  // Schedule-to-close bounds the whole activity, across attempts.
  return data.type === "ScheduleToClose" || act.attempt === data.attempt;
}

export function parseOptions(act: Pick<ActivityRow, "options">): ActivityOptionsMs {
  return JSON.parse(act.options) as ActivityOptionsMs;
}

/** The redispatch lease after `now`: the time the task has already waited, at least 10 s, at most 5 min. */
export function nextLeaseMs(now: number, scheduledMs: number): number {
  return Math.min(Math.max(DISPATCH_LEASE_MS, now - scheduledMs), MAX_DISPATCH_LEASE_MS);
}

/**
 * Eager dispatch takes at most one task per report, only of the offer's task queue and types, and
 * only when a crash of its consumer is bounded: with no queue message behind the task, a
 * start-to-close or heartbeat timeout is what retries an attempt whose consumer died.
 */
export function fitsOffer(
  offer: EagerOffer,
  alreadyClaimed: boolean,
  activityType: string,
  options: ActivityOptionsMs,
): boolean {
  return (
    !alreadyClaimed &&
    options.taskQueue === offer.taskQueue &&
    Array.isArray(offer.activityTypes) &&
    offer.activityTypes.includes(activityType) &&
    Boolean(options.startToCloseTimeoutMs || options.heartbeatTimeoutMs)
  );
}

/**
 * A queued attempt: its task message and its schedule-to-start timeout. Its dispatch lease is the
 * row's `deadline_ms` (now + {@link DISPATCH_LEASE_MS}), which the caller writes with the row.
 */
function dispatch(attempt: number, options: ActivityOptionsMs, now: number): ActivityEffect[] {
  const effects: ActivityEffect[] = [{ op: "enqueue", attempt }];
  if (options.scheduleToStartTimeoutMs) {
    const at = now + options.scheduleToStartTimeoutMs;
    effects.push({ op: "putTimer", purpose: "ScheduleToStart", attempt, at });
  }
  return effects;
}

/**
 * The attempt's start-to-close deadline, from its start: a column of the row (the alarm reads it
 * with the timers), so starting an attempt writes its row and no timer row.
 */
function startToCloseAt(options: ActivityOptionsMs, now: number): number | null {
  return options.startToCloseTimeoutMs ? now + options.startToCloseTimeoutMs : null;
}

/** The attempt's heartbeat timeout, from its start (start-to-close: {@link startToCloseAt}). */
function startedTimers(attempt: number, options: ActivityOptionsMs, now: number) {
  const effects: ActivityEffect[] = [];
  if (options.heartbeatTimeoutMs) {
    effects.push({
      op: "putTimer",
      purpose: "Heartbeat",
      attempt,
      at: now + options.heartbeatTimeoutMs,
    });
  }
  return effects;
}

/**
 * (new) → Scheduled, queued; or → Started when `eager` is given (the offering consumer runs it: no
 * queue message, no lease, no schedule-to-start timer).
 */
export function schedule(
  runId: string,
  cmd: Extract<Command, { type: "ScheduleActivity" }>,
  now: number,
  eager?: { deliveryId: string },
): Transition & { row: ActivityRow } {
  const row: ActivityRow = {
    run_id: runId,
    seq: cmd.seq,
    activity_id: cmd.activityId,
    activity_type: cmd.activityType,
    input: cmd.input,
    options: JSON.stringify(cmd.options),
    attempt: 1,
    state: "Scheduled",
    first_scheduled_ms: now,
    scheduled_ms: now,
    started_ms: null,
    last_failure: null,
    heartbeat_details: null,
    last_heartbeat_ms: null,
    next_attempt_ms: null,
    last_attempt_ms: null,
    started_by: null,
    deadline_ms: null,
  };
  // Inserted in its final state (one row written): started (eager), or queued with its lease.
  const startedBy = eager ? `${EAGER_PREFIX}${eager.deliveryId}:${cmd.seq}:1` : null;
  const stored: ActivityRow = eager
    ? {
        ...row,
        state: "Started",
        started_ms: now,
        started_by: startedBy,
        deadline_ms: startToCloseAt(cmd.options, now),
      }
    : { ...row, deadline_ms: now + DISPATCH_LEASE_MS };
  const effects: ActivityEffect[] = [{ op: "insert", row: stored }];
  if (cmd.options.scheduleToCloseTimeoutMs) {
    const at = now + cmd.options.scheduleToCloseTimeoutMs;
    effects.push({ op: "putTimer", purpose: "ScheduleToClose", attempt: 1, at });
  }
  if (!eager) {
    effects.push(...dispatch(1, cmd.options, now));
    return { to: "Scheduled", events: [], effects, row: stored };
  }
  effects.push(...startedTimers(1, cmd.options, now));
  return { to: "Started", events: [], effects, row: stored };
}

/**
 * Scheduled → Started, by the consumer that got the task (`startedBy`: its queue message id). Only
 * the timer rows the attempt can have are deleted (a statement each): schedule-to-start when it
 * has one, and the lease only on a row written before schema 6 (`deadline_ms` null), which kept it
 * as a timer row; a newer row's lease is its `deadline_ms`, replaced by the update.
 */
export function start(act: ActivityRow, now: number, startedBy: string | null): Transition {
  const options = parseOptions(act);
  const effects: ActivityEffect[] = [
    {
      op: "update",
      set: {
        state: "Started",
        started_ms: now,
        last_heartbeat_ms: null,
        started_by: startedBy,
        deadline_ms: startToCloseAt(options, now),
      },
    },
  ];
  if (options.scheduleToStartTimeoutMs) {
    effects.push({ op: "deleteTimer", purpose: "ScheduleToStart" });
  }
  if (act.deadline_ms === null || act.deadline_ms === undefined) {
    effects.push({ op: "deleteTimer", purpose: "Redispatch" });
  }
  effects.push(...startedTimers(act.attempt, options, now));
  return { to: "Started", events: [], effects };
}

/** Started → Closed with its result. */
export function complete(act: ActivityRow, result: string): Transition {
  return {
    to: "Closed",
    events: [
      startedEvent(act),
      newEvent("ActivityTaskCompleted", { seq: act.seq, result, attempt: act.attempt }),
    ],
    effects: [{ op: "delete" }],
  };
}

/**
 * Started → Backoff (a retry is due later) or → Closed (failed for good, or no time left before
 * the schedule-to-close deadline). `timeoutType` when the attempt timed out.
 */
export function attemptFailed(
  act: ActivityRow,
  failure: FailureInfo,
  now: number,
  timeoutType?: TimeoutType,
): Transition {
  const options = parseOptions(act);
  let decision: "retry" | RetryState = mayRetry(options.retry, act.attempt, failure);
  const delay = retryDelayMs(options.retry, act.attempt);
  if (
    decision === "retry" &&
    options.scheduleToCloseTimeoutMs !== undefined &&
    now + delay >= act.first_scheduled_ms + options.scheduleToCloseTimeoutMs
  ) {
    decision = "Timeout";
  }
  if (decision === "retry") {
    return {
      to: "Backoff",
      events: [],
      effects: [
        {
          op: "update",
          set: {
            state: "Backoff",
            last_failure: JSON.stringify(withoutStacks(failure)),
            next_attempt_ms: now + delay,
            last_attempt_ms: now,
            started_ms: null,
            deadline_ms: null,
          },
        },
        // A row written before schema 6 may have its start-to-close timeout as a timer row.
        { op: "deleteTimer", purpose: "StartToClose" },
        { op: "deleteTimer", purpose: "Heartbeat" },
        { op: "putTimer", purpose: "Retry", attempt: act.attempt, at: now + delay },
      ],
    };
  }
  const seq = act.seq;
  const attempt = act.attempt;
  const final = timeoutType
    ? newEvent("ActivityTaskTimedOut", { seq, timeoutType, failure, retryState: decision, attempt })
    : newEvent("ActivityTaskFailed", { seq, failure, retryState: decision, attempt });
  return { to: "Closed", events: [startedEvent(act), final], effects: [{ op: "delete" }] };
}

/** A timer of the activity fired; undefined when it is no longer current (see {@link isCurrent}). */
export function timerFired(
  act: ActivityRow,
  data: ActivityTimerData,
  now: number,
): Transition | undefined {
  if (!isCurrent(act, data)) return undefined;
  const options = parseOptions(act);
  switch (data.type) {
    case "Redispatch": {
      // Still not started: the message may be lost. Send it again, waiting longer each time.
      const at = now + nextLeaseMs(now, act.scheduled_ms);
      return {
        to: "Scheduled",
        events: [],
        effects: [
          { op: "enqueue", attempt: act.attempt },
          { op: "update", set: { deadline_ms: at } },
          // A row written before schema 6 has its lease as a timer row: it fired, and is gone.
        ],
      };
    }
    case "Retry": {
      const attempt = act.attempt + 1;
      return {
        to: "Scheduled",
        events: [],
        effects: [
          {
            op: "update",
            set: {
              attempt,
              state: "Scheduled",
              scheduled_ms: now,
              next_attempt_ms: null,
              deadline_ms: now + DISPATCH_LEASE_MS,
            },
          },
          ...dispatch(attempt, options, now),
        ],
      };
    }
    case "ScheduleToClose":
    case "ScheduleToStart":
      return {
        to: "Closed",
        events: [
          newEvent("ActivityTaskTimedOut", {
            seq: act.seq,
            timeoutType: data.type,
            failure: timeoutFailure(data.type, act),
            retryState: "Timeout",
            attempt: act.attempt,
          }),
        ],
        effects: [{ op: "delete" }],
      };
    case "StartToClose":
    case "Heartbeat":
      // A timeout is retryable whatever its type name: the policy decides on attempts only.
      return attemptFailed(act, timeoutFailure(data.type, act), now, data.type);
  }
}

/** ActivityTaskStarted is written with the attempt's outcome (Temporal's rule), carrying the previous attempt's failure. */
export function startedEvent(act: ActivityRow): NewEvent {
  return newEvent("ActivityTaskStarted", {
    seq: act.seq,
    attempt: act.attempt,
    ...(act.started_by?.startsWith(EAGER_PREFIX) ? { eager: true } : {}),
    ...(act.last_failure ? { lastFailure: JSON.parse(act.last_failure) as FailureInfo } : {}),
  });
}

export function timeoutFailure(type: TimeoutType, act: ActivityRow): FailureInfo {
  return {
    message: `Activity ${act.activity_type} timed out (${type}) on attempt ${act.attempt}`,
    type: "TimeoutFailure",
    source: "TimeoutFailure",
    timeoutType: type,
    ...(act.heartbeat_details ? { details: JSON.parse(act.heartbeat_details) } : {}),
  };
}
