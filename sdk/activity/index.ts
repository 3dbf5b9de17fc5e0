/**
 * @module The activity API: activity functions and the Worker `queue()` handler that runs them.
 * Activities may do anything (fetch, databases); they run at least once per attempt, so make them idempotent.
 */
export {
  ApplicationFailure,
  CancelledFailure,
} from "../common/failures";
export type {
  ActivityReporter,
  ActivityTaskMessage,
  EagerOffer,
  EagerTask,
  StartedTask,
} from "./protocol";
export type { ActivityWorkerOptions } from "./worker";
export { createActivityWorker, runActivityBatch } from "./worker";

/** What an activity function gets as its second argument. */
export interface ActivityContext {
  readonly workflowId: string;
  readonly runId: string;
  readonly activityId: string;
  readonly activityType: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Details of the last heartbeat of the previous attempt (resume from there), if any. */
  readonly heartbeatDetails: unknown;
  /** Aborted when the attempt times out or the activity is cancelled. */
  readonly signal: AbortSignal;
  /** Reports progress; `details` come back as {@link heartbeatDetails} on the next attempt. */
  heartbeat(details?: unknown): void;
}

/** An activity implementation. */
export type ActivityFunction<I = never, O = unknown> = (
  input: I,
  ctx: ActivityContext,
) => Promise<O>;

/** A set of activity implementations, keyed by activity type. */
// biome-ignore lint/suspicious/noExplicitAny: each activity declares its own input type
export type Activities = Record<string, (input: any, ctx: ActivityContext) => Promise<unknown>>;
