/** @module The wire protocol between the engine and activity Workers (Queue message + report RPCs). */

/** The body of an activity task on a Cloudflare Queue. Inputs travel by reference: see {@link ActivityReporter.activityStarted}. */
export interface ActivityTaskMessage {
  /** Opaque task token: identifies (execution, run, activity, attempt). */
  token: string;
  namespace: string;
  workflowId: string;
  runId: string;
  activityId: string;
  activityType: string;
  attempt: number;
  /** The task queue the message was sent to (absent on messages from older engines): eager offers name it. */
  taskQueue?: string;
}

/** What the engine answers when a worker starts a task. */
export interface StartedTask {
  /** JSON text of the input. */
  input: string;
  attempt: number;
  /** JSON text of the last heartbeat details of an earlier attempt. */
  heartbeatDetails?: string;
  startToCloseTimeoutMs?: number;
  heartbeatTimeoutMs?: number;
}

/**
 * Eager activity dispatch (Temporal's eager activity execution): a consumer reporting an outcome
 * offers to run, at once, a next task of its own task queue and of a type it has registered.
 */
export interface EagerOffer {
  taskQueue: string;
  activityTypes: string[];
  /** The id of the queue message whose consumer makes the offer (recorded as who started the task). */
  deliveryId: string;
}

/**
 * A task handed out in answer to an {@link EagerOffer}: already marked started (do not call
 * `activityStarted`), with no queue message behind it. If its consumer dies, the attempt is retried
 * at its start-to-close (or heartbeat) timeout, like any attempt whose worker crashed.
 */
export interface EagerTask extends ActivityTaskMessage, StartedTask {
  taskQueue: string;
}

/** Heartbeat answer: stop when `cancelRequested` (cancelled, timed out, or superseded). */
export interface HeartbeatResponse {
  cancelRequested: boolean;
  /** Why the heartbeat was refused (its details were too large or not JSON): the attempt failed. */
  reason?: string;
}

/**
 * How activity Workers report to the engine: the engine's `SundialService` entrypoint over a
 * service binding (or, inside the engine's own Worker, the Durable Object directly).
 * Payloads are JSON text. Every method is idempotent: stale or repeated tokens are ignored.
 */
export interface ActivityReporter {
  /**
   * Marks the attempt started and fetches its input; `null` when the task is stale (do not run it).
   * `deliveryId` is the queue message's id: a redelivery of the message that started the attempt
   * may start it again (the consumer crashed); other copies are stale.
   */
  activityStarted(token: string, deliveryId?: string): Promise<StartedTask | null>;
  activityHeartbeat(token: string, details?: string): Promise<HeartbeatResponse>;
  /**
   * Reports a result. With an `offer`, the engine may answer with the next task of the same workflow
   * (at most one per report; see {@link EagerTask}); without one, or when none fits, nothing.
   */
  activityCompleted(
    token: string,
    result: string,
    offer?: EagerOffer,
  ): Promise<EagerTask | null> | Promise<void>;
  /** `failure` is a JSON-encoded FailureInfo. `offer` as for `activityCompleted`. */
  activityFailed(
    token: string,
    failure: string,
    offer?: EagerOffer,
  ): Promise<EagerTask | null> | Promise<void>;
}
