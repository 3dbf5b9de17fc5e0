/**
 * @module Local activities under way in this object, and how a waiting transition yields to
 * urgent messages.
 *
 * A local activity runs inside the execution's object while a transition waits for it, holding the
 * object's lock. To keep that wait from delaying starts, terminate, cancel, signals, updates,
 * queries, child and activity reports, the run of a local activity is kept here, apart from the transition that started
 * it: a message that should not wait announces itself ({@link LocalActivityRuns.enter}); the waiting
 * transition then stops waiting ("preempted"), commits what it has and lets the message in; the next
 * transition of the same run joins the local activity still under way instead of starting it again.
 * When the run closes, its local activities are stopped and whatever they settle with is dropped.
 *
 * An urgent message's own transition waits for local activities only briefly
 * ({@link URGENT_WAIT_MS}) before committing: its caller gets its answer, and the alarm (armed at
 * once) waits for the rest.
 */

/** How long the transition of an urgent message waits for local activities before it commits. */
export const URGENT_WAIT_MS = 100;

interface Entry<T> {
  runId: string;
  promise: Promise<T>;
  stop: AbortController;
  settled: boolean;
}

export class LocalActivityRuns<T> {
  readonly #runs = new Map<string, Entry<T>>();
  /** Urgent messages queued behind the lock (entered, not yet running). */
  #urgent = 0;
  /** Urgent messages running now (holding the lock). */
  #running = 0;
  /** Aborted to end the wait of the transition now waiting, if any. */
  #wait: AbortController | undefined;

  /** The run of local activity `seq` of `runId`: the one under way, or a new one from `start`. */
  join(runId: string, seq: number, start: (stop: AbortSignal) => Promise<T>): Promise<T> {
    const key = `${runId}:${seq}`;
    const known = this.#runs.get(key);
    if (known) return known.promise;
    const stop = new AbortController();
    const entry: Entry<T> = { runId, promise: start(stop.signal), stop, settled: false };
    entry.promise.then(
      () => {
        entry.settled = true;
      },
      () => {
        entry.settled = true;
      },
    );
    this.#runs.set(key, entry);
    return entry.promise;
  }

  /** Forgets a local activity whose outcome a transition has taken (a retried task runs it again). */
  forget(runId: string, seq: number): void {
    this.#runs.delete(`${runId}:${seq}`);
  }

  /** Stops and forgets every local activity of a closed run. */
  stopRun(runId: string): void {
    for (const [key, entry] of this.#runs) {
      if (entry.runId !== runId) continue;
      entry.stop.abort(new Error("the run closed"));
      this.#runs.delete(key);
    }
  }

  /** A message that must not wait behind a local activity is queued: the waiting transition yields. */
  enter(): void {
    this.#urgent++;
    this.#wait?.abort();
  }

  /** Runs an urgent message that {@link enter}ed, now that it holds the lock. */
  async runUrgent<R>(fn: () => Promise<R>): Promise<R> {
    this.#urgent = Math.max(0, this.#urgent - 1);
    this.#running++;
    try {
      return await fn();
    } finally {
      this.#running--;
    }
  }

  /**
   * Waits for all `runs`; answers `undefined` (preempted) as soon as an urgent message is queued,
   * unless every run has already settled.
   */
  async waitAll(runs: Array<Promise<T> | undefined>): Promise<Array<T | undefined> | undefined> {
    const all = Promise.all(runs);
    const pending = runs.some((p) => p !== undefined && !this.#isSettled(p));
    if (!pending) return all;
    if (this.#urgent > 0) return undefined;
    const wait = new AbortController();
    this.#wait = wait;
    const brief = this.#running > 0 ? setTimeout(() => wait.abort(), URGENT_WAIT_MS) : undefined;
    try {
      return await new Promise<Array<T | undefined> | undefined>((resolve, reject) => {
        wait.signal.addEventListener("abort", () => resolve(undefined));
        all.then(resolve, reject);
      });
    } finally {
      if (brief !== undefined) clearTimeout(brief);
      if (this.#wait === wait) this.#wait = undefined;
    }
  }

  #isSettled(promise: Promise<T>): boolean {
    for (const entry of this.#runs.values()) {
      if (entry.promise === promise) return entry.settled;
    }
    return false;
  }
}
