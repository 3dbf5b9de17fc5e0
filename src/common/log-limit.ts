/**
 * @module Logging that cannot flood: at most one line per kind of event per window (per isolate),
 * the next line saying how many were held back. Retry loops and refusals log through it.
 *
 * Why: under a storm (thousands of objects failing the same way at once, e.g. the local runtime's
 * SQLite memory cap, or a client sending bad reports in a loop) one line per failure with its stack
 * is thousands of lines a second. `wrangler dev` source-maps and prints every one; it fell minutes
 * behind, the runtime blocked writing to it, and the whole local engine stopped answering (measured:
 * 1,000 schedules every minute on `npm run dev`). Production log pipelines sample too.
 */

/** One line per key per window. */
export const LOG_WINDOW_MS = 30_000;
/** Keys remembered (least recently logged dropped first): the keys are kinds, not ids. */
const MAX_KEYS = 256;

export type LogLevel = "error" | "warn";

export interface LogSink {
  error(...args: unknown[]): void;
  warn(...args: unknown[]): void;
}

interface Slot {
  loggedAtMs: number;
  held: number;
}

/** A limiter (pure but for its own memory); `limitedLog` below is the isolate's one. */
export class LogLimiter {
  readonly #slots = new Map<string, Slot>();
  constructor(
    private readonly sink: LogSink,
    private readonly now: () => number = Date.now,
    private readonly windowMs = LOG_WINDOW_MS,
  ) {}

  /**
   * Logs `message` (and `err`'s message, never its stack after the first line of a key) unless a
   * line of the same `key` went out less than a window ago; then counts it. Returns whether it logged.
   */
  log(level: LogLevel, key: string, message: string, err?: unknown): boolean {
    const now = this.now();
    const slot = this.#slots.get(key);
    if (slot && now - slot.loggedAtMs < this.windowMs) {
      slot.held += 1;
      return false;
    }
    const held = slot?.held ?? 0;
    this.#slots.delete(key);
    this.#slots.set(key, { loggedAtMs: now, held: 0 });
    if (this.#slots.size > MAX_KEYS) {
      const oldest = this.#slots.keys().next().value;
      if (oldest !== undefined) this.#slots.delete(oldest);
    }
    const more = held > 0 ? ` (${held} more like this in the last ${this.windowMs / 1000} s)` : "";
    const line = `${message}${more}`;
    // The first line of a key carries the error itself (its stack, for whoever debugs it); the
    // lines after, in a storm, only its message.
    if (err === undefined) this.sink[level](line);
    else if (slot === undefined) this.sink[level](line, err);
    else this.sink[level](`${line}: ${errorText(err)}`);
    return true;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const isolateLimiter = new LogLimiter(console);

/** The isolate's limiter: `limitedLog("error", "schedule delivery", "sundial: …", err)`. */
export function limitedLog(level: LogLevel, key: string, message: string, err?: unknown): void {
  isolateLimiter.log(level, key, message, err);
}
