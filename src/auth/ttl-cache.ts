/**
 * @module A small in-isolate cache with a time to live, for key and namespace lookups. Its clock is
 * injectable (tests move it instead of sleeping); entries past the TTL are never served, so a
 * revocation made by another isolate takes effect here within the TTL.
 */

/** How long a looked-up key or namespace is trusted in one isolate. Revocation: within 10 s (API.md). */
export const AUTH_CACHE_TTL_MS = 5_000;

let offsetMs = 0;

/** The cache clock: wall time plus what tests added with {@link unsafeAdvanceAuthClock}. */
export function authNow(): number {
  return Date.now() + offsetMs;
}

/** Test hook: moves the cache clock forward (never exposed over HTTP or RPC). */
export function unsafeAdvanceAuthClock(ms: number): void {
  offsetMs += ms;
}

export class TtlCache<V> {
  readonly #entries = new Map<string, { value: V; at: number }>();

  constructor(
    readonly ttlMs: number,
    readonly maxEntries: number,
  ) {}

  /** The cached value, or `undefined` when absent or older than the TTL. */
  get(key: string): { value: V } | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    const age = authNow() - entry.at;
    if (age < 0 || age >= this.ttlMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return { value: entry.value };
  }

  set(key: string, value: V): void {
    this.#entries.delete(key);
    // Oldest first (Map keeps insertion order): a flood of unknown keys cannot grow it without bound.
    while (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, at: authNow() });
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}
