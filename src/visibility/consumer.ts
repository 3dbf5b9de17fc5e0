/**
 * @module The visibility queue's consumer (the engine Worker's `queue` handler routes the batches
 * of its visibility queue here): the rows executions sent (see execution/visibility-send.ts)
 * written to D1 in batches, one D1 call per batch, instead of one per execution status change.
 *
 * A malformed message is acked and logged (it can never succeed: retrying it would only block or
 * repeat). A batch D1 refuses is retried whole, with a growing delay (the write is all or nothing
 * and versioned, so a retry repeats nothing that matters). After the queue's last retry
 * (wrangler.toml `max_retries`) a message is dropped, or moved to its dead letter queue if one is
 * configured: the run's row is then behind until the run's next change is listed.
 */
import { limitedLog } from "../common/log-limit";
import { parseVisibilityMessage } from "./queue-message";
import { type VisibilityTuple, writeVisibilityTuples } from "./upsert";

/** The queue's name when `SUNDIAL_VISIBILITY_QUEUE` does not name another one (wrangler.toml). */
export const VISIBILITY_QUEUE_NAME = "sundial-visibility";

/**
 * A message whose run's retention deletes its row this soon (or already did) is dropped: a write
 * landing after the deletion would list a deleted run again. The margin bounds the race between
 * the check here and the write, and the clocks' skew (a D1 call of more than this long could still
 * land after). A retention shorter than twice the margin gets half of it as its margin, so a short
 * retention's close is still listed.
 */
export const RETENTION_MARGIN_MS = 60_000;

/** Whether a row closed at `closeMs` and deleted at `deleteAtMs` is too late to write at `now`. */
export function pastRetention(deleteAtMs: number | null, closeMs: number | null, now: number) {
  if (deleteAtMs === null) return false;
  const retention = Math.max(0, deleteAtMs - (closeMs ?? deleteAtMs));
  return deleteAtMs - Math.min(RETENTION_MARGIN_MS, retention / 2) <= now;
}

/** First retry of a failed batch waits this long; each further attempt doubles it, up to the cap. */
export const VISIBILITY_RETRY_FIRST_S = 5;
export const VISIBILITY_RETRY_MAX_S = 300;

/** Delay before the next attempt of a message delivered `attempts` times (1, 2, …). */
export function visibilityRetryDelaySeconds(attempts: number): number {
  const exponent = Math.min(Math.max(attempts, 1) - 1, 20);
  return Math.min(VISIBILITY_RETRY_FIRST_S * 2 ** exponent, VISIBILITY_RETRY_MAX_S);
}

/** What the isolate's consumer did (tests read it: rows per D1 call). */
export const visibilityConsumerStats = { batches: 0, d1Calls: 0, rows: 0, dropped: 0, expired: 0 };

/** The queue whose batches are visibility rows: `SUNDIAL_VISIBILITY_QUEUE`, else the default name. */
export function isVisibilityQueue(
  queue: string,
  env: { SUNDIAL_VISIBILITY_QUEUE?: string | undefined },
): boolean {
  return queue === (env.SUNDIAL_VISIBILITY_QUEUE || VISIBILITY_QUEUE_NAME);
}

/** Writes a batch of visibility messages to D1 (one call), acking or retrying each message. */
export async function consumeVisibilityBatch(
  batch: MessageBatch<unknown>,
  db: D1Database | undefined,
  now = Date.now(),
): Promise<void> {
  visibilityConsumerStats.batches += 1;
  if (!db) {
    limitedLog(
      "error",
      "visibility consumer",
      `sundial: visibility queue "${batch.queue}" is consumed but no D1 database is bound as VISIBILITY: its ${batch.messages.length} rows are dropped`,
    );
    batch.ackAll();
    return;
  }
  const rows: Array<{ message: Message<unknown>; tuple: VisibilityTuple }> = [];
  for (const message of batch.messages) {
    let parsed: ReturnType<typeof parseVisibilityMessage>;
    try {
      parsed = parseVisibilityMessage(message.body);
    } catch (err) {
      visibilityConsumerStats.dropped += 1;
      limitedLog(
        "warn",
        "visibility message",
        `sundial: dropped a malformed message ${message.id} of visibility queue "${batch.queue}": ${err instanceof Error ? err.message : String(err)}`,
      );
      message.ack();
      continue;
    }
    if (pastRetention(parsed.deleteAtMs, parsed.tuple[6], now)) {
      visibilityConsumerStats.expired += 1;
      message.ack();
      continue;
    }
    rows.push({ message, tuple: parsed.tuple });
  }
  if (rows.length === 0) return;
  try {
    visibilityConsumerStats.d1Calls += 1;
    await writeVisibilityTuples(
      db,
      rows.map((r) => r.tuple),
    );
    visibilityConsumerStats.rows += rows.length;
    for (const r of rows) r.message.ack();
  } catch (err) {
    limitedLog(
      "error",
      "visibility write",
      `sundial: writing ${rows.length} visibility rows to D1 failed; the queue retries them`,
      err,
    );
    for (const r of rows) {
      r.message.retry({ delaySeconds: visibilityRetryDelaySeconds(r.message.attempts) });
    }
  }
}
