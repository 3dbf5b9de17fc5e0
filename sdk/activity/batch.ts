/**
 * @module How a queue consumer runs a batch of activity tasks without one task holding up another.
 *
 * Each message runs concurrently and is acked as soon as its own work (its task, then any eager
 * chain) is done. A Queues consumer gets its next batch only once the `queue()` handler returns
 * (locally one batch at a time; in production a consumer slot stays busy), so a long activity in the
 * batch would delay every task queued behind it. Given `waitUntil`, the handler therefore returns
 * once each message is either done or its activity has run for {@link DETACH_AFTER_MS} (never while
 * its outcome is being reported, which may still fail and need the message retried): the rest runs
 * on in `waitUntil`. A detached message is acked then: its attempt is Started in the engine,
 * which retries it at its start-to-close (or heartbeat) timeout if this consumer dies, as for an
 * eagerly dispatched task. For the handler's return to free the consumer, the Worker needs the
 * compatibility flag `queue_consumer_no_wait_for_wait_until` (else Queues waits for `waitUntil`).
 */
import type { Activities } from "./index";
import type { ActivityReporter, ActivityTaskMessage, EagerOffer, EagerTask } from "./protocol";
import { runTask, type TaskPhase } from "./worker";

/** A message still running after this long (once started) no longer holds the batch. */
export const DETACH_AFTER_MS = 200;

/** Eager chains stop offering after this many tasks or this long per queue message. */
export const EAGER_MAX_TASKS = 100;
export const EAGER_MAX_MS = 60_000;

export interface BatchOptions {
  /**
   * The handler's `ctx.waitUntil`. With it, long work is detached from the handler (see the module
   * comment); without it, the handler waits for every message, as before.
   */
  waitUntil?: (promise: Promise<unknown>) => void;
  /** Override of {@link DETACH_AFTER_MS} (tests). */
  detachAfterMs?: number;
}

/**
 * Runs every message of a batch concurrently; a message is retried only when the engine could not
 * be reached before its task started. After a task, the consumer offers to run the workflow's next
 * task of its own task queue (eager dispatch: no queue round trip) and runs what it is handed, up to
 * a cap.
 */
export async function runActivityBatch(
  batch: MessageBatch<ActivityTaskMessage>,
  activities: Activities,
  reporter: ActivityReporter,
  options: BatchOptions = {},
): Promise<void> {
  const detachAfterMs = options.waitUntil ? (options.detachAfterMs ?? DETACH_AFTER_MS) : undefined;
  const held: Promise<void>[] = [];
  const works: Promise<void>[] = [];
  for (const message of batch.messages) {
    const slot = new MessageSlot(message, detachAfterMs);
    held.push(slot.held);
    works.push(runMessage(slot, activities, reporter).finally(() => slot.release()));
  }
  if (options.waitUntil) options.waitUntil(Promise.all(works));
  await Promise.all(held);
}

/**
 * One message's hold on the batch. It is released when its work is done, or (with a detach
 * deadline) once it has run that long since its task started and it is not reporting: an outcome
 * being reported may still fail to reach the engine, and then the message must still be retryable.
 */
class MessageSlot {
  readonly held: Promise<void>;
  #release: () => void = () => {};
  #phase: "starting" | TaskPhase | "chaining" = "starting";
  /** The detach timer: armed when the task starts running, due once it fired. */
  #timer: "none" | "armed" | "due" = "none";
  #detached = false;

  constructor(
    readonly message: Message<ActivityTaskMessage>,
    readonly detachAfterMs: number | undefined,
  ) {
    this.held = new Promise<void>((resolve) => {
      this.#release = resolve;
    });
  }

  get detached(): boolean {
    return this.#detached;
  }

  phase(phase: TaskPhase | "chaining"): void {
    this.#phase = phase;
    if (phase === "running" && this.#timer === "none" && this.detachAfterMs !== undefined) {
      this.#timer = "armed";
      // The timer itself says the time is up: comparing Date.now() with a deadline missed it
      // when a timer fired a millisecond early, and then the message never detached.
      setTimeout(() => {
        this.#timer = "due";
        this.#maybeDetach();
      }, this.detachAfterMs);
    }
    this.#maybeDetach();
  }

  #maybeDetach(): void {
    if (this.#detached || this.#timer !== "due") return;
    if (this.#phase !== "running" && this.#phase !== "chaining") return;
    this.#detached = true;
    // Started in the engine: from here its timeouts, not a redelivery, recover a crash.
    this.message.ack();
    this.#release();
  }

  release(): void {
    this.#release();
  }
}

async function runMessage(
  slot: MessageSlot,
  activities: Activities,
  reporter: ActivityReporter,
): Promise<void> {
  const message = slot.message;
  const began = Date.now();
  const types = Object.keys(activities);
  let chained = 0;
  const offer = (): EagerOffer | undefined =>
    message.body.taskQueue !== undefined &&
    chained < EAGER_MAX_TASKS &&
    Date.now() - began < EAGER_MAX_MS
      ? { taskQueue: message.body.taskQueue, activityTypes: types, deliveryId: message.id }
      : undefined;
  const onPhase = (phase: TaskPhase) => slot.phase(phase);
  let next: EagerTask | null;
  try {
    next = await runTask(message.body, activities, reporter, message.id, offer, undefined, onPhase);
  } catch (err) {
    console.error(`sundial: reporting activity ${message.body.activityType} failed`, err);
    if (!slot.detached) message.retry();
    return;
  }
  // The message's own work is done: ack it now, before any eager chain (which has no message of
  // its own: if this consumer dies, the engine retries its attempt at the start-to-close timeout).
  message.ack();
  slot.phase("chaining");
  try {
    while (next) {
      chained++;
      next = await runTask(next, activities, reporter, message.id, offer, next);
    }
  } catch (err) {
    console.error("sundial: reporting an eagerly dispatched activity failed", err);
  }
}
