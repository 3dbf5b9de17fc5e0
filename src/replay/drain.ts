/**
 * @module Running workflow code until it waits on something recorded: the microtasks it queued,
 * then the `condition`s that now hold, round after round. Bounded, so that a workflow task always
 * ends: code whose conditions keep flipping each other true (two loops each awaiting what the other
 * just set) would otherwise spin the task, and the execution with it, forever. Temporal's SDK ends
 * such a task with its deadlock detector (2 s); here the bound is on rounds, which replays alike.
 */
import { realSetTimeout } from "./deterministic-globals";

/**
 * Rounds of condition checks one drain may take. Each round resolves at least one condition, so
 * only code that keeps re-arming conditions in one task gets near it.
 */
export const MAX_DRAIN_ROUNDS = 10_000;

/** Yields to the event loop so every microtask queued by workflow code has run. */
export function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => realSetTimeout(resolve, 0));
}

/** The failure of a drain that hit {@link MAX_DRAIN_ROUNDS}. */
export class ConditionLivelock extends Error {
  override name = "ConditionLivelock";
}

/**
 * Drains workflow code: after the microtasks, while `checkConditions` resolved a condition (and
 * `failed` is false), drains again. Returns the error to fail the task with when the rounds ran out.
 */
export async function drainWorkflowCode(
  checkConditions: () => boolean,
  failed: () => boolean,
): Promise<ConditionLivelock | undefined> {
  await drainMicrotasks();
  for (let rounds = 0; !failed() && checkConditions(); rounds++) {
    if (rounds >= MAX_DRAIN_ROUNDS) {
      return new ConditionLivelock(
        `conditions kept coming true for ${MAX_DRAIN_ROUNDS} rounds in one workflow task: ` +
          "workflow code re-arms ctx.condition() predicates that other code keeps making true " +
          "(a loop that never waits on an activity, timer, signal or update)",
      );
    }
    await drainMicrotasks();
  }
  return undefined;
}
