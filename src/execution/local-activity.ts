/** @module Local activities: short work run inside the execution's object, recorded as a MarkerRecorded event. */
import type { Activities, ActivityContext } from "../../sdk/activity/index";
import { ApplicationFailure, type FailureInfo, toFailure } from "../../sdk/common/failures";
import { mayRetry, retryDelayMs } from "../../sdk/common/retry-policy";
import type { Limits } from "../config";
import type { EventAttributes } from "../history/events";
import type { Command } from "../replay/commands";

/** In-process backoff longer than this ends the retries: local activities are for short work. */
const MAX_LOCAL_BACKOFF_MS = 2_000;

/**
 * Runs a local activity with its retry policy, in process. Like Temporal's, it runs at least once:
 * a crash before the marker commits runs it again.
 */
export async function runLocalActivity(
  cmd: Extract<Command, { type: "RunLocalActivity" }>,
  activities: Activities,
  identity: { namespace: string; workflowId: string },
  runId: string,
  limits: Limits,
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
  for (let attempt = 1; ; attempt++) {
    const abort = new AbortController();
    const timer = setTimeout(
      () => abort.abort(new Error("start-to-close timeout")),
      cmd.startToCloseTimeoutMs,
    );
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
    try {
      const result = JSON.stringify((await fn(JSON.parse(cmd.input), ctx)) ?? null);
      if (
        result.length * 3 > limits.maxPayloadBytes &&
        new TextEncoder().encode(result).byteLength > limits.maxPayloadBytes
      ) {
        failure = toFailure(
          ApplicationFailure.nonRetryable(
            `Local activity result exceeds ${limits.maxPayloadBytes} bytes`,
            "PayloadTooLarge",
          ),
        );
        return { ...base, attempt, failure };
      }
      return { ...base, attempt, result };
    } catch (err) {
      failure = toFailure(err);
    } finally {
      clearTimeout(timer);
    }
    const decision = mayRetry(cmd.retry, attempt, failure);
    const delay = retryDelayMs(cmd.retry, attempt);
    if (decision !== "retry" || delay > MAX_LOCAL_BACKOFF_MS) return { ...base, attempt, failure };
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
