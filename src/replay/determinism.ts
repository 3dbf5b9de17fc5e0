/**
 * @module The deterministic sources of workflow code: the run's seeded generator and the UUIDs built
 * from it (pure functions of their inputs, so a replay draws the same values), and the durable timers
 * behind `setTimeout`/`setInterval` in workflow code. The patched globals that call them are in
 * ./deterministic-globals.ts.
 */
import { type Duration, toMs } from "../../sdk/common/duration";

/**
 * One step of mulberry32: small, fast, and fully determined by the seed recorded in
 * WorkflowExecutionStarted. Returns the next state and a value in [0, 1).
 */
export function mulberry32(state: number): { state: number; value: number } {
  const next = (state + 0x6d2b79f5) >>> 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { state: next, value: ((t ^ (t >>> 14)) >>> 0) / 4294967296 };
}

/** A version-4 UUID built from `random` (deterministic when `random` is). */
export function uuid4(random: () => number): string {
  const bytes = Array.from({ length: 16 }, () => Math.floor(random() * 256));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A duration given to `sleep`/`condition`: as in Temporal, zero or negative means "as soon as
 * possible" (1 ms), e.g. `condition(fn, deadline - ctx.now())` once the deadline has passed.
 */
export function timerMs(duration: Duration): number {
  if (typeof duration === "number" && duration <= 0) return 1;
  return Math.max(1, toMs(duration));
}

/** What the timers of `setTimeout`/`setInterval` need from the runtime. */
export interface TimerHost {
  /** Starts a durable timer in the caller's cancellation scope. */
  startTimer(durationMs: number): { seq: number; promise: Promise<void> };
  /** Runs the callback as workflow code (its failure fails the workflow or the task). */
  callHandler(fn: () => unknown): void;
  /** Cancels the durable timer `seq` if it is still pending. */
  cancelTimer(seq: number): void;
}

/**
 * `setTimeout`/`setInterval` inside workflow code: durable timers (as in Temporal's TypeScript
 * SDK), by handle; an interval is a new timer each time it fires.
 */
export class TimerHandles {
  readonly #host: TimerHost;
  /** Handles to the seq of their current durable timer. */
  readonly #seqs = new Map<number, number>();
  #last = 0;

  constructor(host: TimerHost) {
    this.#host = host;
  }

  set(fn: unknown, ms: unknown, args: unknown[], repeat: boolean): number {
    if (typeof fn !== "function") {
      throw new TypeError("setTimeout/setInterval in workflow code take a function");
    }
    const delay = typeof ms === "number" && Number.isFinite(ms) ? timerMs(ms) : 1;
    const handle = ++this.#last;
    const arm = () => {
      const { seq, promise } = this.#host.startTimer(delay);
      this.#seqs.set(handle, seq);
      promise.then(
        () => {
          if (this.#seqs.get(handle) !== seq) return;
          if (!repeat) this.#seqs.delete(handle);
          this.#host.callHandler(() => (fn as (...a: unknown[]) => unknown)(...args));
          // An interval re-arms after its callback, unless the callback cleared it.
          if (repeat && this.#seqs.get(handle) === seq) arm();
        },
        () => {
          if (this.#seqs.get(handle) === seq) this.#seqs.delete(handle);
        },
      );
    };
    arm();
    return handle;
  }

  clear(handle: unknown): void {
    if (typeof handle !== "number") return;
    const seq = this.#seqs.get(handle);
    if (seq === undefined) return;
    this.#seqs.delete(handle);
    this.#host.cancelTimer(seq);
  }
}
