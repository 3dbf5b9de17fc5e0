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

/** Heartbeat answer: stop when `cancelRequested` (cancelled, timed out, or superseded). */
export interface HeartbeatResponse {
  cancelRequested: boolean;
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
  activityCompleted(token: string, result: string): Promise<void>;
  /** `failure` is a JSON-encoded FailureInfo. */
  activityFailed(token: string, failure: string): Promise<void>;
}
