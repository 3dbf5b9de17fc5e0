/** @module createActivityWorker: a Worker `queue()` handler that runs activities and reports to the engine. */
import { ApplicationFailure, toFailure } from "../common/failures";
import type { Activities, ActivityContext } from "./index";
import type { ActivityReporter, ActivityTaskMessage } from "./protocol";

export interface ActivityWorkerOptions<Env> {
  activities: Activities;
  /**
   * Where to report. Default: the service binding `SUNDIAL` on `env` (bound to the engine's
   * `SundialService` entrypoint).
   */
  reporter?: (env: Env) => ActivityReporter;
}

const MIN_HEARTBEAT_INTERVAL_MS = 50;
const DEFAULT_HEARTBEAT_INTERVAL_MS = 10_000;

/**
 * Returns a Worker handler whose `queue()` runs activity tasks.
 * @example
 * export default createActivityWorker({ activities: { sendEmail } });
 */
export function createActivityWorker<Env>(options: ActivityWorkerOptions<Env>): {
  queue(batch: MessageBatch<ActivityTaskMessage>, env: Env): Promise<void>;
} {
  return {
    async queue(batch, env) {
      const reporter = options.reporter ? options.reporter(env) : defaultReporter(env);
      await runActivityBatch(batch, options.activities, reporter);
    },
  };
}

function defaultReporter(env: unknown): ActivityReporter {
  const binding = (env as { SUNDIAL?: ActivityReporter }).SUNDIAL;
  if (!binding) {
    throw new Error(
      "createActivityWorker: no service binding SUNDIAL on env; bind the engine's SundialService " +
        '(services = [{ binding = "SUNDIAL", service = "<engine>", entrypoint = "SundialService" }])',
    );
  }
  return binding;
}

/** Runs every message of a batch concurrently; a message is retried only when the engine could not be reached. */
export async function runActivityBatch(
  batch: MessageBatch<ActivityTaskMessage>,
  activities: Activities,
  reporter: ActivityReporter,
): Promise<void> {
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        await runTask(message.body, activities, reporter, message.id);
        message.ack();
      } catch (err) {
        console.error(`sundial: reporting activity ${message.body.activityType} failed`, err);
        message.retry();
      }
    }),
  );
}

async function runTask(
  task: ActivityTaskMessage,
  activities: Activities,
  reporter: ActivityReporter,
  deliveryId?: string,
): Promise<void> {
  // Delivery is at least once: a stale or duplicate task answers null and is dropped unrun.
  // Safe to retry: a repeated start of the same delivery gets the same answer.
  const started = await withRetries(() => reporter.activityStarted(task.token, deliveryId));
  if (!started) return;
  const fn = activities[task.activityType];
  if (!fn) {
    const failure = ApplicationFailure.nonRetryable(
      `Activity type "${task.activityType}" is not registered on this worker`,
      "ActivityNotRegistered",
    );
    await reporter.activityFailed(task.token, JSON.stringify(toFailure(failure)));
    return;
  }
  const abort = new AbortController();
  const timers: ReturnType<typeof setTimeout>[] = [];
  if (started.startToCloseTimeoutMs) {
    timers.push(
      setTimeout(
        () => abort.abort(new Error("start-to-close timeout")),
        started.startToCloseTimeoutMs,
      ),
    );
  }
  const heartbeats = new HeartbeatSender(task.token, reporter, started.heartbeatTimeoutMs, abort);
  const ctx: ActivityContext = {
    workflowId: task.workflowId,
    runId: task.runId,
    activityId: task.activityId,
    activityType: task.activityType,
    attempt: started.attempt,
    heartbeatDetails:
      started.heartbeatDetails === undefined ? undefined : JSON.parse(started.heartbeatDetails),
    signal: abort.signal,
    heartbeat: (details) => heartbeats.beat(details),
  };
  let outcome: { ok: true; result: string } | { ok: false; failure: string };
  try {
    const result = await fn(JSON.parse(started.input), ctx);
    outcome = { ok: true, result: JSON.stringify(result ?? null) };
  } catch (err) {
    outcome = { ok: false, failure: JSON.stringify(toFailure(err)) };
  } finally {
    for (const t of timers) clearTimeout(t);
    await heartbeats.close();
  }
  // The outcome is the expensive part: retry its report a few times (the engine's object may be
  // restarting) before leaving it to the queue, whose redelivery would run the attempt again.
  await withRetries(() =>
    outcome.ok
      ? reporter.activityCompleted(task.token, outcome.result)
      : reporter.activityFailed(task.token, outcome.failure),
  );
}

const REPORT_RETRY_DELAYS_MS = [25, 100, 250, 500, 1000];

async function withRetries<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const delay = REPORT_RETRY_DELAYS_MS[attempt];
      if (delay === undefined) throw err;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** Throttles heartbeats to about half the heartbeat timeout; the first one goes out at once. */
class HeartbeatSender {
  #lastSentMs = 0;
  #pending: { details: unknown } | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inflight: Promise<void> = Promise.resolve();
  readonly #intervalMs: number;

  constructor(
    readonly token: string,
    readonly reporter: ActivityReporter,
    heartbeatTimeoutMs: number | undefined,
    readonly abort: AbortController,
  ) {
    this.#intervalMs = heartbeatTimeoutMs
      ? Math.max(MIN_HEARTBEAT_INTERVAL_MS, Math.floor(heartbeatTimeoutMs / 2))
      : DEFAULT_HEARTBEAT_INTERVAL_MS;
  }

  beat(details: unknown): void {
    this.#pending = { details };
    const wait = this.#lastSentMs + this.#intervalMs - Date.now();
    if (wait <= 0) this.#flush();
    else this.#timer ??= setTimeout(() => this.#flush(), wait);
  }

  #flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = undefined;
    this.#lastSentMs = Date.now();
    const details = pending.details === undefined ? undefined : JSON.stringify(pending.details);
    this.#inflight = this.#inflight.then(async () => {
      try {
        const res = await this.reporter.activityHeartbeat(this.token, details);
        if (res.cancelRequested && !this.abort.signal.aborted) {
          this.abort.abort(new Error("activity cancelled or timed out"));
        }
      } catch (err) {
        console.error("sundial: heartbeat failed", err);
      }
    });
  }

  async close(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#inflight;
  }
}
