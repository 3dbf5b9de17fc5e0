/**
 * @module Running workflow code until it waits on something recorded: the microtasks it queued,
 * then the `condition`s that now hold, round after round. Bounded, so that a workflow task always
 * ends: code whose conditions keep flipping each other true (two loops each awaiting what the other
 * just set) would otherwise spin the task, and the execution with it, forever. Temporal's SDK ends
 * such a task with its deadlock detector (2 s); here the bound is on rounds, which replays alike.
 */
import { realClearInterval, realSetInterval, realSetTimeout } from "./deterministic-globals";

/**
 * Rounds of condition checks one drain may take. Each round resolves at least one condition, so
 * only code that keeps re-arming conditions in one task gets near it.
 */
export const MAX_DRAIN_ROUNDS = 10_000;

/** Yields to the event loop so every microtask queued by workflow code has run. */
export function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => realSetTimeout(resolve, 0));
}

/** workerd's: there a repeating timer fires without clamping (Node clamps 0 ms to 1 ms). */
const IN_WORKERD =
  (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent ===
  "Cloudflare-Workers";

/**
 * The event-loop turns one workflow task waits on, one per drain. A drain must wait for a macrotask
 * (nothing else proves the microtask queue empty), and a replay drains once per local activity
 * marker: that wait is most of a cold replay's time. In workerd one interval timer, kept while the
 * task drains and cleared when it ends, costs about a third less per turn than a new timeout per
 * turn. Each tick is still a macrotask (every microtask has run before it), so what workflow code
 * sees is the same. A task's first turn is a zero timeout still (setting up and clearing an interval
 * costs more than one timeout, and a warm task usually drains once); elsewhere (Node clamps a 0 ms
 * interval to 1 ms) every turn is.
 * {@link stop} must be called when the task ends; a tick that finds no waiter clears the timer too.
 */
export class EventLoopTurns {
  #waiters: Array<() => void> = [];
  #interval: ReturnType<typeof setInterval> | undefined;
  readonly #tick = () => {
    const waiters = this.#waiters;
    if (waiters.length === 0) {
      this.stop();
      return;
    }
    if (waiters.length === 1) {
      // The usual case: one drain waiting; no array per turn.
      const resolve = waiters[0]!;
      waiters.length = 0;
      resolve();
      return;
    }
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  };

  /** Turns taken since the last stop: the first is a timeout (a task often drains only once). */
  #taken = 0;

  /** Queues a waiter for the next tick (made once: a replay takes one turn per marker). */
  readonly #wait = (resolve: () => void): void => {
    this.#waiters.push(resolve);
    this.#interval ??= realSetInterval(this.#tick, 0);
  };

  /** Resolves after the next macrotask: every microtask queued before it has run. */
  readonly next = (): Promise<void> => {
    // An interval costs more to set up and clear than one timeout: worth it from the second turn.
    if (!IN_WORKERD || this.#taken++ === 0) return drainMicrotasks();
    return new Promise(this.#wait);
  };

  stop(): void {
    this.#taken = 0;
    if (this.#interval === undefined) return;
    realClearInterval(this.#interval);
    this.#interval = undefined;
    // A waiter left (a drain abandoned mid-way) still gets its turn.
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) realSetTimeout(resolve, 0);
  }
}

/** The failure of a drain that hit {@link MAX_DRAIN_ROUNDS}. */
export class ConditionLivelock extends Error {
  override name = "ConditionLivelock";
}

/**
 * Drains workflow code (`turn` waits for one event-loop turn): after the microtasks, while
 * `checkConditions` resolved a condition (and `failed` is false), drains again. Returns the error
 * to fail the task with when the rounds ran out.
 */
export async function drainWorkflowCode(
  checkConditions: () => boolean,
  failed: () => boolean,
  turn: () => Promise<void> = drainMicrotasks,
): Promise<ConditionLivelock | undefined> {
  await turn();
  return settleConditions(checkConditions, failed, turn);
}

/** The rounds of {@link drainWorkflowCode} after its first turn. */
export async function settleConditions(
  checkConditions: () => boolean,
  failed: () => boolean,
  turn: () => Promise<void>,
): Promise<ConditionLivelock | undefined> {
  for (let rounds = 0; !failed() && checkConditions(); rounds++) {
    if (rounds >= MAX_DRAIN_ROUNDS) {
      return new ConditionLivelock(
        `conditions kept coming true for ${MAX_DRAIN_ROUNDS} rounds in one workflow task: ` +
          "workflow code re-arms ctx.condition() predicates that other code keeps making true " +
          "(a loop that never waits on an activity, timer, signal or update)",
      );
    }
    await turn();
  }
  return undefined;
}
