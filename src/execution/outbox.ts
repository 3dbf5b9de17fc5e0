/**
 * @module The outbox table: side effects recorded in a transition's transaction and delivered after
 * it commits. Each row keeps its attempt count, last error and next attempt time (exponential
 * backoff, capped), so an undeliverable row neither spins the object nor hides why it waits.
 */
import type { PendingDelivery } from "../../sdk/common/wire";
import { limitedLog } from "../common/log-limit";
import { utf8Bytes } from "../common/payload-size";
import type { EngineEnv } from "../config";
import type { Command } from "../replay/commands";
import { signTaskToken, TokenSecretMissingError } from "../security/task-token-mac";
import { queueFor } from "./addressing";
import { chunkBatches, outboxBackoffMs, unboundTaskQueueMessage } from "./outbox-policy";

export type OutboxKind = "activity" | "rpc" | "visibility";

export type OutboxRow = {
  id: number;
  kind: OutboxKind;
  /** Task queue (activity), execution name (rpc) or run id (visibility). */
  target: string;
  body: string;
  /** The run whose transition wrote it. */
  run_id: string | null;
  attempts: number;
  last_error: string | null;
  /** Engine time (ms) before which the row is not tried again; null: never failed. */
  next_attempt_ms: number | null;
};

/** What signing adds to a task message's token: `~` and a 43-character MAC. */
const SIGNATURE_BYTES = 44;

async function signedTask(env: EngineEnv, body: string | TaskBody): Promise<unknown> {
  const message = typeof body === "string" ? (JSON.parse(body) as TaskBody) : body;
  return { ...message, token: await signTaskToken(env, message.token) };
}

/** An activity task's message, its token not yet signed. */
export type TaskBody = { readonly token: string };

/**
 * An activity row as the transaction that wrote it knows it: the after-answer send takes these
 * from memory (no read of the outbox, no parse of a body it just serialised). `attempts` is 0.
 */
export interface WrittenTask {
  readonly id: number;
  readonly target: string;
  readonly runId: string;
  readonly message: TaskBody;
  /** UTF-8 length of the stored body (the Queue's batch limits count it). */
  readonly bytes: number;
  readonly attempts: 0;
}

/** Writes an activity task's row (inside the caller's transaction) and returns it as written. */
export function enqueueTask(
  sql: SqlStorage,
  target: string,
  runId: string,
  message: TaskBody,
): WrittenTask {
  const body = JSON.stringify(message);
  const { id } = sql
    .exec<{ id: number }>(
      "INSERT INTO outbox (kind, target, body, run_id) VALUES (?, ?, ?, ?) RETURNING id",
      "activity",
      target,
      body,
      runId,
    )
    .one();
  return { id, target, runId, message, bytes: utf8Bytes(body), attempts: 0 };
}

/** Durable Object SQLite binds at most 100 parameters per statement. */
const MAX_BOUND = 90;

export function enqueue(
  sql: SqlStorage,
  kind: OutboxKind,
  target: string,
  runId: string,
  body: string,
): void {
  sql.exec(
    "INSERT INTO outbox (kind, target, body, run_id) VALUES (?, ?, ?, ?)",
    kind,
    target,
    body,
    runId,
  );
}

/** Activity rows, or the message rows (rpc and visibility), in the order they were written. */
export function outboxRows(sql: SqlStorage, which: "activity" | "messages"): OutboxRow[] {
  return sql
    .exec<OutboxRow>(
      which === "activity"
        ? "SELECT * FROM outbox WHERE kind = 'activity' ORDER BY id"
        : "SELECT * FROM outbox WHERE kind != 'activity' ORDER BY id",
    )
    .toArray();
}

export function isDue(row: OutboxRow, now: number): boolean {
  return row.next_attempt_ms === null || row.next_attempt_ms <= now;
}

export function countRows(sql: SqlStorage, which: "activity" | "messages" | "all"): number {
  const where =
    which === "all"
      ? ""
      : which === "activity"
        ? "WHERE kind = 'activity'"
        : "WHERE kind != 'activity'";
  return sql.exec<{ n: number }>(`SELECT count(*) AS n FROM outbox ${where}`).one().n;
}

/** Whether the row is still there (a concurrent delivery may have dropped it). */
export function hasRow(sql: SqlStorage, id: number): boolean {
  return sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox WHERE id = ?", id).one().n > 0;
}

export function deleteRows(sql: SqlStorage, ids: readonly number[]): void {
  for (let i = 0; i < ids.length; i += MAX_BOUND) {
    const part = ids.slice(i, i + MAX_BOUND);
    sql.exec(`DELETE FROM outbox WHERE id IN (${part.map(() => "?").join(",")})`, ...part);
  }
}

/** Counts a failed attempt on each row and schedules its next one (exponential backoff, capped). */
export function recordFailure(
  sql: SqlStorage,
  rows: readonly Pick<OutboxRow, "id" | "attempts">[],
  error: string,
  now: number,
): void {
  const message = error.length > 1000 ? `${error.slice(0, 1000)}…` : error;
  for (const row of rows) {
    const attempts = row.attempts + 1;
    sql.exec(
      "UPDATE outbox SET attempts = ?, last_error = ?, next_attempt_ms = ? WHERE id = ?",
      attempts,
      message,
      now + outboxBackoffMs(attempts),
      row.id,
    );
  }
}

/**
 * Inside a closing transaction, before the close writes its own rows: what the run still had to
 * deliver goes (activity tasks, child starts, signals and cancels to other executions, as Temporal
 * drops the transfer tasks of a closed workflow). Visibility rows stay: the index must see the close.
 */
export function dropRunDeliveries(sql: SqlStorage, runId: string): void {
  sql.exec("DELETE FROM outbox WHERE run_id = ? AND kind != 'visibility'", runId);
}

/** Deliveries of a run that failed at least once and are being retried (for describe), the first 100. */
export function pendingDeliveries(sql: SqlStorage, runId: string): PendingDelivery[] {
  return sql
    .exec<OutboxRow>(
      "SELECT * FROM outbox WHERE run_id = ? AND attempts > 0 ORDER BY id LIMIT 100",
      runId,
    )
    .toArray()
    .map((r) => ({
      kind: r.kind,
      target: r.target,
      attempts: r.attempts,
      lastError: r.last_error,
      nextAttemptTime:
        r.next_attempt_ms !== null ? new Date(r.next_attempt_ms).toISOString() : null,
    }));
}

/** Workflow code scheduled an activity on a task queue no Queue is bound for: its task fails. */
export class UnboundTaskQueueError extends Error {
  override name = "UnboundTaskQueue";
}

/**
 * Throws when a command schedules an activity on an unbound task queue: the workflow task fails
 * (visible, retried with backoff) instead of an outbox row that could never be sent.
 */
export function assertQueuesBound(env: EngineEnv, commands: readonly Command[]): void {
  for (const cmd of commands) {
    if (cmd.type === "ScheduleActivity" && !queueFor(env, cmd.options.taskQueue)) {
      throw new UnboundTaskQueueError(
        `Activity "${cmd.activityType}" is scheduled on task queue "${cmd.options.taskQueue}", but ${unboundTaskQueueMessage(cmd.options.taskQueue)}`,
      );
    }
  }
}

export function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * Sends the due activity rows, grouped by task queue, in batches the Queue accepts (count and
 * bytes); a row goes only once its batch was accepted. A refused batch, or a task queue with no
 * Queue bound, counts a failed attempt on its rows, which the alarm retries after their backoff.
 */
export async function sendActivityTasks(
  sql: SqlStorage,
  env: EngineEnv,
  now: number,
  /** Test hook (crash points): runs after a batch was accepted, before its rows are deleted. */
  afterSend?: () => void,
): Promise<{ failed: boolean }> {
  const rows = outboxRows(sql, "activity").filter((r) => isDue(r, now));
  return sendTaskRows(
    sql,
    env,
    now,
    rows.map((r) => ({ ...r, message: r.body, bytes: utf8Bytes(r.body) })),
    afterSend,
  );
}

type SendableRow = Pick<OutboxRow, "id" | "target" | "attempts"> & {
  message: string | TaskBody;
  bytes: number;
};

/**
 * Sends `rows` (due activity rows: read back, or {@link WrittenTask}s from memory) as
 * {@link sendActivityTasks} does.
 */
export async function sendTaskRows(
  sql: SqlStorage,
  env: EngineEnv,
  now: number,
  rows: readonly SendableRow[],
  afterSend?: () => void,
): Promise<{ failed: boolean }> {
  let failed = false;
  if (rows.length === 0) return { failed };
  const byTarget = new Map<string, SendableRow[]>();
  for (const row of rows) {
    const list = byTarget.get(row.target) ?? [];
    list.push(row);
    byTarget.set(row.target, list);
  }
  for (const [target, list] of byTarget) {
    const queue = queueFor(env, target);
    if (!queue) {
      // Only rows written before starts and workflow tasks checked the binding (or a binding
      // removed by a later deploy) get here.
      if (list.some((r) => r.attempts === 0)) {
        limitedLog(
          "error",
          "unbound task queue",
          `sundial: ${unboundTaskQueueMessage(target)}; retrying with backoff`,
        );
      }
      recordFailure(sql, list, unboundTaskQueueMessage(target), now);
      failed = true;
      continue;
    }
    for (const [from, to] of chunkBatches(list.map((r) => r.bytes + SIGNATURE_BYTES))) {
      const batch = list.slice(from, to);
      try {
        // Tokens are stored unsigned (minted inside a synchronous transaction) and signed as they
        // leave: a deployed engine without SUNDIAL_TOKEN_SECRET sends nothing and says why.
        const bodies = await Promise.all(batch.map((r) => signedTask(env, r.message)));
        await queue.sendBatch(bodies.map((body) => ({ body })));
      } catch (err) {
        if (err instanceof TokenSecretMissingError) {
          limitedLog(
            "error",
            "token secret",
            `sundial: ${err.message}; activity tasks wait until it is set`,
          );
          recordFailure(sql, batch, errorText(err), now);
          failed = true;
          continue;
        }
        limitedLog(
          "error",
          "task send",
          `sundial: sending ${batch.length} task(s) to task queue "${target}" failed; retrying with backoff`,
          err,
        );
        recordFailure(sql, batch, errorText(err), now);
        failed = true;
        continue;
      }
      afterSend?.();
      deleteRows(
        sql,
        batch.map((r) => r.id),
      );
    }
  }
  return { failed };
}
