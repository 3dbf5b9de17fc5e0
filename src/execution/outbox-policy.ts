/**
 * @module Pure rules of the outbox: retry backoff per row, and splitting queue sends into batches
 * that Cloudflare Queues accept. No SQL, no bindings: unit-tested in Node.
 */

/** First retry of a failed delivery waits this long; each further failure doubles it. */
export const OUTBOX_INITIAL_BACKOFF_MS = 1000;
/** No failed delivery waits longer than this between attempts (nor wakes the object more often). */
export const OUTBOX_MAX_BACKOFF_MS = 5 * 60_000;

/** Delay before the next attempt of a row that has now failed `attempts` times (1, 2, …). */
export function outboxBackoffMs(attempts: number): number {
  const exponent = Math.min(Math.max(attempts, 1) - 1, 30); // 2^30 s is far past the cap
  return Math.min(OUTBOX_INITIAL_BACKOFF_MS * 2 ** exponent, OUTBOX_MAX_BACKOFF_MS);
}

/**
 * Cloudflare Queues refuse a `sendBatch` of more than 100 messages or 256 KB in all, and a message
 * over 128 KB (each counting ~100 bytes of metadata). Miniflare enforces 100 messages and 288 KB.
 */
export const QUEUE_BATCH_MAX_MESSAGES = 100;
export const QUEUE_BATCH_MAX_BYTES = 256 * 1000;
/** Metadata a queue adds to each message, counted against the batch (Cloudflare documents ~100 bytes). */
export const QUEUE_MESSAGE_OVERHEAD_BYTES = 128;

export interface BatchLimits {
  maxMessages: number;
  maxBytes: number;
  overheadBytes: number;
}

export const QUEUE_BATCH_LIMITS: BatchLimits = {
  maxMessages: QUEUE_BATCH_MAX_MESSAGES,
  maxBytes: QUEUE_BATCH_MAX_BYTES,
  overheadBytes: QUEUE_MESSAGE_OVERHEAD_BYTES,
};

/**
 * Splits messages (their sizes in bytes, in order) into consecutive batches of at most
 * `maxMessages` messages and `maxBytes` bytes (each message counted with `overheadBytes`), keeping
 * the order. A message too big for any batch gets a batch of its own (the queue then refuses that
 * one alone, and it alone is retried). Returns the batches as [start, end) index ranges.
 */
export function chunkBatches(
  sizes: readonly number[],
  limits: BatchLimits = QUEUE_BATCH_LIMITS,
): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < sizes.length; i++) {
    const size = sizes[i]! + limits.overheadBytes;
    const count = i - start;
    if (count > 0 && (count >= limits.maxMessages || bytes + size > limits.maxBytes)) {
      out.push([start, i]);
      start = i;
      bytes = 0;
    }
    bytes += size;
  }
  if (start < sizes.length) out.push([start, sizes.length]);
  return out;
}

/** What an unbound task queue is told, at start and from workflow code. */
export function unboundTaskQueueMessage(taskQueue: string): string {
  return `no Queue is bound for task queue "${taskQueue}": add a [[queues.producers]] binding to wrangler.toml and map the task queue to it in SUNDIAL_TASK_QUEUES (e.g. {"${taskQueue}":"MY_QUEUE"}), or use a task queue that is bound`;
}
