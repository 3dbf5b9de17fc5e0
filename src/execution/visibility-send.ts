/**
 * @module Delivering an execution's visibility rows through the visibility queue (binding
 * VISIBILITY_QUEUE): the due rows go out in one `sendBatch` (split at the Queue's limits), then
 * leave the outbox; the engine Worker's consumer writes them to D1 in batches
 * (visibility/consumer.ts). A crash between the send and the delete sends them again: harmless,
 * the D1 write is versioned (an older or repeated row changes nothing).
 *
 * The memo is encoded here, with the object's codec chain (AES-GCM when keys are configured), as
 * the direct write encodes it: the Queue never holds a plaintext memo.
 */
import { codecOf } from "../codec/payload-sql";
import { limitedLog } from "../common/log-limit";
import { utf8Bytes } from "../common/payload-size";
import { retentionTimerKey } from "../retention/retention";
import { VISIBILITY_MESSAGE_VERSION, type VisibilityMessage } from "../visibility/queue-message";
import { encodeVisibilityRow, type VisibilityRow } from "../visibility/store";
import { visibilityTuple, writeVisibilityTuples } from "../visibility/upsert";
import { crashPoint } from "./crash-points";
import type { ExecCtx } from "./execution-context";
import { deleteRows, errorText, type OutboxRow, recordFailure } from "./outbox";
import { chunkBatches } from "./outbox-policy";

/** Cloudflare Queues refuse a message over 128 KB (its ~100 bytes of metadata counted). */
export const VISIBILITY_MESSAGE_MAX_BYTES = 128 * 1000 - 1000;

/** When the run's retention deletes its D1 row (its retention timer), or null. */
function deleteAtMs(x: ExecCtx, row: VisibilityRow): number | null {
  if (row.status === "Running") return null;
  const timer = x.sql
    .exec<{ fire_at_ms: number }>(
      "SELECT fire_at_ms FROM timers WHERE key = ?",
      retentionTimerKey(row.runId),
    )
    .toArray()[0];
  return timer?.fire_at_ms ?? null;
}

interface Outgoing {
  row: OutboxRow;
  message: VisibilityMessage;
  bytes: number;
}

/**
 * Sends the given (due) visibility rows and deletes the sent ones from the outbox. A row the
 * Queue refuses, or that cannot be encoded, gets its backoff (the alarm retries it). A row too
 * big for a queue message (a very large memo) is written to D1 directly, as without the queue.
 * Resolves false when some row is left for a retry.
 */
export async function sendVisibilityRows(
  x: ExecCtx,
  queue: Queue<unknown>,
  rows: readonly OutboxRow[],
): Promise<boolean> {
  const codec = codecOf(x.sql);
  const outgoing: Outgoing[] = [];
  let allSent = true;
  const failed = (what: readonly OutboxRow[], err: unknown) => {
    allSent = false;
    recordFailure(x.sql, what, errorText(err), x.now());
    limitedLog(
      "error",
      "visibility send",
      `sundial: sending ${what.length} visibility rows failed; retrying from the alarm`,
      err,
    );
  };
  for (const row of rows) {
    try {
      const visibility = JSON.parse(row.body) as VisibilityRow;
      const message: VisibilityMessage = {
        v: VISIBILITY_MESSAGE_VERSION,
        row: encodeVisibilityRow(visibility, codec),
        deleteAtMs: deleteAtMs(x, visibility),
      };
      const bytes = utf8Bytes(JSON.stringify(message));
      if (bytes <= VISIBILITY_MESSAGE_MAX_BYTES) {
        outgoing.push({ row, message, bytes });
        continue;
      }
      // Already encoded above (the memo through the codec chain): written as it is.
      const db = x.env.VISIBILITY;
      if (db) await writeVisibilityTuples(db, [visibilityTuple(message.row)]);
      x.counters.visibilityWrites += 1;
      crashPoint(x.state, "afterDelivery", "visibility");
      deleteRows(x.sql, [row.id]);
    } catch (err) {
      failed([row], err);
    }
  }
  for (const [start, end] of chunkBatches(outgoing.map((o) => o.bytes))) {
    const part = outgoing.slice(start, end);
    try {
      if (part.length === 1) await queue.send(part[0]!.message);
      else await queue.sendBatch(part.map((o) => ({ body: o.message })));
      // Sent, not yet deleted: a crash here sends these rows again (the D1 write is versioned).
      crashPoint(x.state, "afterDelivery", "visibility");
    } catch (err) {
      failed(
        part.map((o) => o.row),
        err,
      );
      continue;
    }
    x.counters.visibilityWrites += part.length;
    deleteRows(
      x.sql,
      part.map((o) => o.row.id),
    );
  }
  return allSent;
}
