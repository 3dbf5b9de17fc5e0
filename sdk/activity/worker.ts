/** @module createActivityWorker: a Worker `queue()` handler that runs activities and reports to the engine. */
import { ApplicationFailure, toFailure } from "../common/failures";
import { runActivityBatch } from "./batch";
import type { Activities, ActivityContext } from "./index";
import type {
  ActivityReporter,
  ActivityTaskMessage,
  EagerOffer,
  EagerTask,
  StartedTask,
} from "./protocol";

export { runActivityBatch } from "./batch";

export interface ActivityWorkerOptions<Env> {
  activities: Activities;
  /**
   * Where to report. Default: the service binding `SUNDIAL` on `env` (bound to the engine's
   * `SundialService` entrypoint).
   */
  reporter?: (env: Env) => ActivityReporter;
  /**
   * How long (ms) a running activity holds its queue batch before the `queue()` handler lets it go
   * on in `waitUntil` (see sdk/activity/batch.ts). `Infinity` holds every batch until all its
   * messages are done (a long activity then delays the tasks queued behind it). @default 200
   */
  detachAfterMs?: number;
}

const MIN_HEARTBEAT_INTERVAL_MS = 50;
const DEFAULT_HEARTBEAT_INTERVAL_MS = 10_000;

/**
 * Returns a Worker handler whose `queue()` runs activity tasks.
 * @example
 * export default createActivityWorker({ activities: { sendEmail } });
 */
export function createActivityWorker<Env>(options: ActivityWorkerOptions<Env>): {
  queue(batch: MessageBatch<ActivityTaskMessage>, env: Env, ctx?: ExecutionContext): Promise<void>;
} {
  return {
    async queue(batch, env, ctx) {
      const reporter = options.reporter ? options.reporter(env) : defaultReporter(env);
      await runActivityBatch(
        batch,
        options.activities,
        reporter,
        ctx && options.detachAfterMs !== Number.POSITIVE_INFINITY
          ? {
              waitUntil: (p) => ctx.waitUntil(p),
              ...(options.detachAfterMs !== undefined
                ? { detachAfterMs: options.detachAfterMs }
                : {}),
            }
          : {},
      );
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

/** Where a task is: told to {@link runTask}'s caller as it moves on. */
export type TaskPhase = "running" | "reporting";

/**
 * Runs one task and reports it; answers the eager task handed back, if any. `onPhase` is told when
 * the activity function starts running (once the engine marked the attempt started, or at once for
 * an eager task, which came started) and when it is done and its outcome is being reported.
 */
export async function runTask(
  task: ActivityTaskMessage,
  activities: Activities,
  reporter: ActivityReporter,
  deliveryId: string | undefined,
  offer: () => EagerOffer | undefined,
  eager?: StartedTask,
  onPhase?: (phase: TaskPhase) => void,
): Promise<EagerTask | null> {
  // Delivery is at least once: a stale or duplicate task answers null and is dropped unrun.
  // Safe to retry: a repeated start of the same delivery gets the same answer.
  // An eager task was started by the engine when it handed it out.
  const started =
    eager ?? (await withRetries(() => reporter.activityStarted(task.token, deliveryId)));
  if (!started) return null;
  const fn = activities[task.activityType];
  if (!fn) {
    const failure = ApplicationFailure.nonRetryable(
      `Activity type "${task.activityType}" is not registered on this worker`,
      "ActivityNotRegistered",
    );
    await reporter.activityFailed(task.token, JSON.stringify(toFailure(failure)));
    return null;
  }
  onPhase?.("running");
  const attempt = new AttemptControl(task.token, reporter, started);
  const ctx: ActivityContext = {
    workflowId: task.workflowId,
    runId: task.runId,
    activityId: task.activityId,
    activityType: task.activityType,
    attempt: started.attempt,
    heartbeatDetails:
      started.heartbeatDetails === undefined ? undefined : JSON.parse(started.heartbeatDetails),
    get signal() {
      return attempt.signal;
    },
    heartbeat: (details) => attempt.heartbeat(details),
  };
  let outcome: { ok: true; result: string } | { ok: false; failure: string };
  try {
    const result = await fn(JSON.parse(started.input), ctx);
    outcome = { ok: true, result: JSON.stringify(result ?? null) };
  } catch (err) {
    outcome = { ok: false, failure: JSON.stringify(toFailure(err)) };
  } finally {
    attempt.done();
    onPhase?.("reporting");
    await attempt.closeHeartbeats();
  }
  // The outcome is the expensive part: retry its report a few times (the engine's object may be
  // restarting) before leaving it to the queue, whose redelivery would run the attempt again.
  // Each try makes the offer again: a report whose answer was lost hands out nothing twice (the
  // repeated report is stale), and the task it did hand out is retried at its timeout.
  // Reporters of older engines answer nothing (undefined): no eager task.
  return withRetries(
    async (): Promise<EagerTask | null> =>
      (await (outcome.ok
        ? reporter.activityCompleted(task.token, outcome.result, offer())
        : reporter.activityFailed(task.token, outcome.failure, offer()))) ?? null,
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

/**
 * An attempt's abort signal and heartbeats, made when the activity first uses them: most activities
 * read neither, and an AbortController, its start-to-close timer (a timer set and cleared per task)
 * and a heartbeat sender cost a step's worth of CPU for nothing then. An abort nobody can observe
 * needs no timer: the signal, once read, is armed for what is left of the start-to-close timeout
 * (aborted at once when it is already past), so it aborts when it would have.
 */
class AttemptControl {
  #abort: AbortController | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #heartbeats: HeartbeatSender | undefined;
  /** When the activity function returned or threw (Date.now() time), once it has. */
  #doneAtMs: number | undefined;
  /** When the start-to-close timeout is up (Date.now() time), if the attempt has one. */
  readonly #deadlineMs: number | undefined;

  constructor(
    readonly token: string,
    readonly reporter: ActivityReporter,
    readonly started: StartedTask,
  ) {
    this.#deadlineMs = started.startToCloseTimeoutMs
      ? Date.now() + started.startToCloseTimeoutMs
      : undefined;
  }

  get signal(): AbortSignal {
    return this.#controller().signal;
  }

  /** Aborts the attempt's signal (a cancel or timeout the engine told a heartbeat about). */
  abort(reason: Error): void {
    const abort = this.#controller();
    if (!abort.signal.aborted) abort.abort(reason);
  }

  heartbeat(details: unknown): void {
    this.#heartbeats ??= new HeartbeatSender(
      this.token,
      this.reporter,
      this.started.heartbeatTimeoutMs,
      this,
    );
    this.#heartbeats.beat(details);
  }

  /** The activity function returned or threw: its start-to-close timer, if armed, goes. */
  done(): void {
    this.#doneAtMs = Date.now();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async closeHeartbeats(): Promise<void> {
    if (this.#heartbeats) await this.#heartbeats.close();
  }

  #controller(): AbortController {
    if (this.#abort) return this.#abort;
    const abort = new AbortController();
    this.#abort = abort;
    const deadline = this.#deadlineMs;
    if (deadline !== undefined) {
      const timedOut = () => abort.abort(new Error("start-to-close timeout"));
      // Read after the function ended: aborted only if the timeout was up while it still ran
      // (as an armed timer would have left it); nothing is armed any more.
      const end = this.#doneAtMs;
      if (end !== undefined) {
        if (deadline <= end) timedOut();
      } else {
        const left = deadline - Date.now();
        if (left <= 0) timedOut();
        else this.#timer = setTimeout(timedOut, left);
      }
    }
    return abort;
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
    readonly attempt: AttemptControl,
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
        if (res.cancelRequested) {
          this.attempt.abort(new Error(res.reason ?? "activity cancelled or timed out"));
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
