/** @module Local activities: short work run inside the execution's object, recorded as a MarkerRecorded event. */
import type { Activities, ActivityContext } from "../../sdk/activity/index";
import {
  ApplicationFailure,
  CancelledFailure,
  type FailureInfo,
  type TimeoutType,
  toFailure,
} from "../../sdk/common/failures";
import { mayRetry, retryDelayMs } from "../../sdk/common/retry-policy";
import { exceedsBytes, payloadTooLarge } from "../common/payload-size";
import type { Limits } from "../config";
import type { EventAttributes } from "../history/events";
import type { Command } from "../replay/commands";
import { settleWithin } from "./settle-within";

/** In-process backoff longer than this ends the retries: local activities are for short work. */
const MAX_LOCAL_BACKOFF_MS = 2_000;

/**
 * Runs a local activity with its retry policy, in process. Like Temporal's, it runs at least once:
 * a crash before the marker commits runs it again.
 *
 * Each attempt is raced against its start-to-close timeout (and what is left of the
 * schedule-to-close timeout): an activity that ignores its AbortSignal is abandoned when the
 * timeout fires, its attempt fails with a TimeoutFailure, and whatever it settles with later is
 * dropped. `stop` (the run closed) ends the attempt and the retries at once.
 */
export async function runLocalActivity(
  cmd: Extract<Command, { type: "RunLocalActivity" }>,
  activities: Activities,
  identity: { namespace: string; workflowId: string },
  runId: string,
  limits: Limits,
  stop?: AbortSignal,
): Promise<EventAttributes["MarkerRecorded"]> {
  const base = {
    seq: cmd.seq,
    markerName: "LocalActivity" as const,
    activityType: cmd.activityType,
  };
  const fn = activities[cmd.activityType];
  if (!fn) {
    return {
      ...base,
      attempt: 1,
      failure: toFailure(
        ApplicationFailure.nonRetryable(
          `Local activity "${cmd.activityType}" is not registered with createSundial({ activities })`,
          "ActivityNotRegistered",
        ),
      ),
    };
  }
  const deadline =
    cmd.scheduleToCloseTimeoutMs !== undefined
      ? Date.now() + cmd.scheduleToCloseTimeoutMs
      : Number.POSITIVE_INFINITY;
  for (let attempt = 1; ; attempt++) {
    const left = deadline - Date.now();
    const bound: TimeoutType =
      left < cmd.startToCloseTimeoutMs ? "ScheduleToClose" : "StartToClose";
    const abort = new AbortController();
    const ctx: ActivityContext = {
      workflowId: identity.workflowId,
      runId,
      activityId: String(cmd.seq),
      activityType: cmd.activityType,
      attempt,
      heartbeatDetails: undefined,
      signal: abort.signal,
      heartbeat: () => {},
    };
    let failure: FailureInfo;
    const outcome = await settleWithin(
      () => fn(JSON.parse(cmd.input), ctx),
      Math.max(0, Math.min(left, cmd.startToCloseTimeoutMs)),
      stop,
    );
    if (outcome.kind === "value") {
      const result = JSON.stringify(outcome.value ?? null);
      if (exceedsBytes(result, limits.maxPayloadBytes)) {
        failure = toFailure(payloadTooLarge("local activity result", limits.maxPayloadBytes));
        return { ...base, attempt, failure };
      }
      return { ...base, attempt, result };
    }
    if (outcome.kind === "error") {
      failure = toFailure(outcome.error);
    } else if (outcome.kind === "stopped") {
      abort.abort(new Error("the run closed"));
      return { ...base, attempt, failure: toFailure(new CancelledFailure("The run closed")) };
    } else {
      abort.abort(new Error(`${bound} timeout`));
      failure = localTimeoutFailure(cmd.activityType, bound, attempt);
      // Past the schedule-to-close deadline nothing may retry.
      if (bound === "ScheduleToClose") return { ...base, attempt, failure };
    }
    const decision = mayRetry(cmd.retry, attempt, failure);
    const delay = retryDelayMs(cmd.retry, attempt);
    if (decision !== "retry" || delay > MAX_LOCAL_BACKOFF_MS || Date.now() + delay >= deadline) {
      return { ...base, attempt, failure };
    }
    const slept = await settleWithin(() => new Promise<never>(() => {}), delay, stop);
    if (slept.kind === "stopped") {
      return { ...base, attempt, failure: toFailure(new CancelledFailure("The run closed")) };
    }
  }
}

function localTimeoutFailure(
  activityType: string,
  type: TimeoutType,
  attempt: number,
): FailureInfo {
  return {
    message: `Local activity ${activityType} timed out (${type}) on attempt ${attempt}`,
    type: "TimeoutFailure",
    source: "TimeoutFailure",
    timeoutType: type,
  };
}
