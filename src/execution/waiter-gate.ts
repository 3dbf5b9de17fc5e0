/**
 * @module The bound on requests waiting in one execution (result long-polls, update waits, live
 * history watches). Each waiter holds a timer and a closure in the object's memory for up to a
 * minute; without a bound, a client could pile up any number of them. Past the bound a new waiter
 * is refused at once with 429 `ResourceExhausted` and a `Retry-After`, having changed nothing.
 */
import type { Reply } from "./rpc";

/** Seconds a refused waiter is told to wait: waiters are woken by every change, so slots free fast. */
export const WAITER_RETRY_AFTER_SECONDS = 1;

/** A taken slot; `release()` gives it back (idempotent). */
export interface WaiterSlot {
  release(): void;
}

export class WaiterGate {
  #count = 0;

  constructor(private readonly limit: number) {}

  /** Slots taken now. */
  get count(): number {
    return this.#count;
  }

  get full(): boolean {
    return this.#count >= this.limit;
  }

  /** Takes a slot, or `undefined` when all are taken. */
  tryAcquire(): WaiterSlot | undefined {
    if (this.full) return undefined;
    this.#count += 1;
    let held = true;
    return {
      release: () => {
        if (!held) return;
        held = false;
        this.#count -= 1;
      },
    };
  }

  /** The answer to a waiter refused because all slots are taken. */
  refusal(what: string): Reply {
    return {
      status: 429,
      body: JSON.stringify({
        error: {
          code: "ResourceExhausted",
          message: `Too many requests are waiting on this workflow (limit ${this.limit}); ${what} again after ${WAITER_RETRY_AFTER_SECONDS}s, or without waiting`,
        },
      }),
      headers: { "retry-after": String(WAITER_RETRY_AFTER_SECONDS) },
    };
  }
}
