/**
 * @module The one place requests wait in an execution: result long-polls wait for a close, update
 * callers for any committed change, live history readers for appended events. Each waiter holds one
 * slot of the object's {@link WaiterGate} while it waits, so their number stays bounded.
 */
import type { Reply } from "./rpc";
import { WaiterGate } from "./waiter-gate";

/** The longest a caller waits in one call (a result long-poll or an update). */
export const MAX_LONG_POLL_MS = 60_000;

/** What a waiter is woken by. */
export type WaitChannel = "close" | "change" | "history";

export class Waiters {
  readonly #gate: WaiterGate;
  readonly #sets: Record<WaitChannel, Set<() => void>> = {
    close: new Set(),
    change: new Set(),
    history: new Set(),
  };

  constructor(limit: number) {
    this.#gate = new WaiterGate(limit);
  }

  /** Slots taken now. */
  get count(): number {
    return this.#gate.count;
  }

  get full(): boolean {
    return this.#gate.full;
  }

  /** The answer to a waiter refused because all slots are taken. */
  refusal(what: string): Reply {
    return this.#gate.refusal(what);
  }

  /**
   * Waits up to `ms` until one of `channels` is notified, holding one waiter slot;
   * `undefined` at once when every slot is taken.
   */
  park(channels: readonly WaitChannel[], ms: number): Promise<void> | undefined {
    const slot = this.#gate.tryAcquire();
    if (!slot) return undefined;
    const sets = channels.map((c) => this.#sets[c]);
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        for (const set of sets) set.delete(done);
        slot.release();
        resolve();
      };
      const timer = setTimeout(done, ms);
      for (const set of sets) set.add(done);
    });
  }

  /** Wakes every waiter parked on `channel`. */
  notify(channel: WaitChannel): void {
    for (const waiter of [...this.#sets[channel]]) waiter();
  }
}
