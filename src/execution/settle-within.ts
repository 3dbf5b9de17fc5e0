/** @module Races a promise against a deadline and an abort signal, abandoning it when it loses. */

export type Settled<T> =
  | { kind: "value"; value: T }
  | { kind: "error"; error: unknown }
  | { kind: "timeout" }
  | { kind: "stopped" };

/**
 * Runs `fn` and waits for it at most `ms` milliseconds (and no longer than `stop` stays
 * unaborted). The loser is abandoned, never awaited again: a promise that settles after its
 * deadline changes nothing (its rejection is swallowed so it cannot surface as unhandled).
 * A synchronous throw of `fn` counts as its error.
 */
export function settleWithin<T>(
  fn: () => T | Promise<T>,
  ms: number,
  stop?: AbortSignal,
): Promise<Settled<Awaited<T>>> {
  if (stop?.aborted) return Promise.resolve({ kind: "stopped" });
  return new Promise((resolve) => {
    let done = false;
    const finish = (outcome: Settled<Awaited<T>>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stop?.removeEventListener("abort", onStop);
      resolve(outcome);
    };
    const onStop = () => finish({ kind: "stopped" });
    const timer = setTimeout(() => finish({ kind: "timeout" }), ms);
    stop?.addEventListener("abort", onStop);
    let work: Promise<Awaited<T>>;
    try {
      work = Promise.resolve(fn()) as Promise<Awaited<T>>;
    } catch (error) {
      finish({ kind: "error", error });
      return;
    }
    work.then(
      (value) => finish({ kind: "value", value }),
      (error) => finish({ kind: "error", error }),
    );
  });
}
