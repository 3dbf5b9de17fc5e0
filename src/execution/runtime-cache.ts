/**
 * @module A small LRU bounded by entry count and total weight. The execution keeps the runtimes it
 * rebuilt to answer queries on closed runs here, so repeated queries do not replay the whole history
 * again while holding the object. A closed run's history never changes, so an entry keyed by run id
 * (and history length, for safety) never goes stale; only memory bounds it.
 */

export interface LruBounds {
  /** Entries kept at most; 0 disables the cache. */
  maxEntries: number;
  /** Total weight kept at most; an entry heavier than this is not kept at all. */
  maxWeight: number;
}

export class BoundedLru<V> {
  /** Insertion order of a Map is its recency order: the first key is the least recently used. */
  readonly #entries = new Map<string, { value: V; weight: number }>();
  #weight = 0;

  constructor(private readonly bounds: LruBounds) {}

  get size(): number {
    return this.#entries.size;
  }

  get weight(): number {
    return this.#weight;
  }

  /** The value for `key`, marked most recently used. */
  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** Keeps `value` (replacing an older one), then drops the least recently used past the bounds. */
  set(key: string, value: V, weight: number): void {
    this.delete(key);
    const w = Math.max(0, weight);
    if (this.bounds.maxEntries <= 0 || w > this.bounds.maxWeight) return;
    this.#entries.set(key, { value, weight: w });
    this.#weight += w;
    for (const [k, e] of this.#entries) {
      if (this.#entries.size <= this.bounds.maxEntries && this.#weight <= this.bounds.maxWeight) {
        break;
      }
      this.#entries.delete(k);
      this.#weight -= e.weight;
    }
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#weight -= entry.weight;
  }

  clear(): void {
    this.#entries.clear();
    this.#weight = 0;
  }
}
