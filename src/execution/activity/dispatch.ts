/**
 * @module What an activity worker is handed: the queued task message (its token names one attempt
 * of one activity) and, on start, the attempt's input and timeouts; an eager task is both at once.
 */
import type {
  ActivityTaskMessage,
  EagerOffer,
  EagerTask,
  StartedTask,
} from "../../../sdk/activity/protocol";
import type { ActivityOptionsMs } from "../../history/events";
import { encodeToken } from "../addressing";
import type { ActivityRow } from "../rows";

export type Identity = { namespace: string; workflowId: string };

/**
 * An eager-dispatch offer made with an activity's report, and the one task it was given (set inside
 * the transition's transaction; handed back after the commit).
 */
export interface EagerClaim {
  offer: EagerOffer;
  task?: EagerTask;
}

export function taskMessage(
  identity: Identity,
  act: ActivityRow,
  options: ActivityOptionsMs,
): ActivityTaskMessage & { taskQueue: string } {
  return {
    token: encodeToken({ ...identity, runId: act.run_id, seq: act.seq, attempt: act.attempt }),
    namespace: identity.namespace,
    workflowId: identity.workflowId,
    runId: act.run_id,
    activityId: act.activity_id,
    activityType: act.activity_type,
    attempt: act.attempt,
    taskQueue: options.taskQueue,
  };
}

export function startedTask(act: ActivityRow, options: ActivityOptionsMs): StartedTask {
  return {
    input: act.input,
    attempt: act.attempt,
    ...(act.heartbeat_details !== null ? { heartbeatDetails: act.heartbeat_details } : {}),
    ...(options.startToCloseTimeoutMs
      ? { startToCloseTimeoutMs: options.startToCloseTimeoutMs }
      : {}),
    ...(options.heartbeatTimeoutMs ? { heartbeatTimeoutMs: options.heartbeatTimeoutMs } : {}),
  };
}

export function eagerTask(
  identity: Identity,
  act: ActivityRow,
  options: ActivityOptionsMs,
): EagerTask {
  return { ...taskMessage(identity, act, options), ...startedTask(act, options) };
}
