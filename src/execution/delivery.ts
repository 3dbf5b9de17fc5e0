/**
 * @module What leaves through the outbox, after the commit that wrote it: activity tasks to their
 * Queues, messages to other executions (RPC), visibility rows to D1 (directly, or through the
 * visibility queue when one is bound: visibility-send.ts); and what a delivered message's
 * reply means for the sender (routed back into a transition).
 */

import { codecOf } from "../codec/payload-sql";
import { limitedLog } from "../common/log-limit";
import { withRetention } from "../retention/retention";
import { visibilityRow } from "../visibility/row";
import { upsertVisibility, type VisibilityRow } from "../visibility/store";
import { executionName, executionStub } from "./addressing";
import { replyOutcome } from "./children";
import { deliverCloseNotice } from "./close-notify";
import { crashPoint, messageKind } from "./crash-points";
import type { ExecCtx } from "./execution-context";
import {
  countRows,
  deleteRows,
  enqueue,
  errorText,
  hasRow,
  isDue,
  outboxRows,
  recordFailure,
  sendActivityTasks as sendActivityRows,
  sendTaskRows,
} from "./outbox";
import { OUTBOX_INITIAL_BACKOFF_MS } from "./outbox-policy";
import type { RunRow } from "./rows";
import type { Ack, OutboxMessage, StartReply } from "./rpc";
import { armAlarm } from "./timers";
import { transition } from "./transition";
import { sendVisibilityRows } from "./visibility-send";

/** Queues a message to another execution (inside the caller's transaction). */
export function sendMessage(x: ExecCtx, message: OutboxMessage): void {
  const target = executionName(message.namespace, message.workflowId);
  enqueue(x.sql, "rpc", target, message.fromRunId, JSON.stringify(message));
  x.delivery.messagesWritten = true;
  x.delivery.rpcWritten = true;
  x.delivery.noMessages = false;
}

/**
 * How long a new run's visibility row waits before its delivery (in memory only: its outbox row is
 * due at once, so a crash leaves it to the alarm as any other). A run that closes sooner replaces it
 * with its closed row: one D1 write instead of two, and one delivery fewer (its commit, its alarm
 * write). The list shows a started run this much later; Temporal's visibility also lags.
 */
export const VISIBILITY_SETTLE_MS = 100;

const DROP_OLDER_VISIBILITY = "DELETE FROM outbox WHERE kind = 'visibility' AND run_id = ?";

/** Queues the run's visibility row (D1), versioned by history length so late writes lose. */
export function queueVisibility(x: ExecCtx, run: RunRow, appended: number): void {
  const identity = x.identity;
  // No D1 bound: delivery would drop the row unsent, so write none (no insert, delete, or loop).
  if (!identity || !x.env.VISIBILITY) return;
  const row = visibilityRow(identity, run, appended);
  // The row is the run's whole listing: an older one of the run still undelivered says nothing it
  // does not (a delivery already under way may still write it; its version loses to this one's).
  if (!x.delivery.noMessages) x.sql.exec(DROP_OLDER_VISIBILITY, run.run_id);
  enqueue(x.sql, "visibility", run.run_id, run.run_id, JSON.stringify(row));
  x.delivery.messagesWritten = true;
  x.delivery.noMessages = false;
}

/**
 * Sends the activity tasks the outbox holds (see outbox.ts). The alarm was armed for them before
 * (their commit's, or the alarm handler's), and a sent row only removes a wake-up: re-arm only for
 * rows whose send failed (their backoff).
 */
export async function sendActivityTasks(x: ExecCtx): Promise<void> {
  x.delivery.tasksWritten = false;
  x.delivery.written = []; // read back below with every other due row
  const { failed } = await sendActivityRows(x.sql, x.env, x.now(), () =>
    crashPoint(x.state, "afterDelivery", "activitySchedule"),
  );
  if (failed) await armAlarm(x);
}

/**
 * Sends the task rows this object wrote since the last send, from memory (see
 * `ExecCtx.delivery.written`): no read of the outbox, no parse of the bodies. Rows written
 * before (a failed send's backoff, a crash's leftovers) are the alarm's, as they were.
 */
async function sendWrittenTasks(x: ExecCtx): Promise<void> {
  const rows = x.delivery.written;
  const started = x.delivery.startSent;
  x.delivery.startSent = false;
  // Written but forgotten (a rollback, a close in between): whatever is due, from storage.
  if (rows.length === 0) return sendActivityTasks(x);
  x.delivery.tasksWritten = false;
  x.delivery.written = [];
  const { failed } = await sendTaskRows(x.sql, x.env, x.now(), rows, () =>
    crashPoint(x.state, "afterDelivery", "activitySchedule"),
  );
  if (failed) await armAlarm(x);
  else if (started) rearmIfStillEarly(x);
}

/** Half the first retry's wait: see {@link rearmIfStillEarly}. */
export const START_REARM_DELAY_MS = OUTBOX_INITIAL_BACKOFF_MS / 2;

/**
 * A start's first tasks went out: the alarm its commit armed for their retry (now + 1 s) would
 * wake the object for nothing a second after every start whose run is still going then (its first
 * activity takes longer, or it waits). Half-way there, if nothing re-armed it meanwhile (a close
 * sets it exactly, a delivery of D1 rows too), set it to the next real time (the dispatch lease,
 * a timer) while the outbox is empty: one alarm write instead of a wake, and none for a run that
 * closes sooner. A step's send does not (an alarm write per step; the alarm stays early instead).
 */
function rearmIfStillEarly(x: ExecCtx): void {
  const early = x.armedAtMs;
  if (early === null || early === undefined) return;
  setTimeout(() => {
    if (x.armedAtMs !== early) return;
    x.queue(async () => {
      if (x.armedAtMs === early) await armAlarm(x, true, { onlyIfOutboxEmpty: true });
    });
  }, START_REARM_DELAY_MS);
}

/**
 * Sends the activity tasks a transition wrote once the caller has its answer: queued behind the
 * lock (still one operation at a time), so a start or a report is answered after its commit and
 * alarm write, without waiting for the Queue. Durable all the same: the rows are committed and the
 * alarm (armed before the answer) sends whatever a crash leaves behind. One macrotask later, not at
 * once: the caller's Worker, and the runtime's path back to the client, run on this same thread, and
 * a send begun at once (the Queue call, the task token's signature) sat in front of the answer
 * (start p50 −0.3 to −0.6 ms, bench/ab-start.mjs both orders).
 */
export function sendTasksAfterAnswer(x: ExecCtx): void {
  // Only what this object wrote since the last send: older rows wait for their backoff (the alarm).
  if (x.delivery.tasksQueued || !x.delivery.tasksWritten) return;
  x.delivery.tasksQueued = true;
  const send = async () => {
    x.delivery.tasksQueued = false;
    try {
      await sendWrittenTasks(x);
    } catch (err) {
      // A crash point (tests), or the alarm write failing: the alarm, or the next activation, retries.
      limitedLog(
        "error",
        "task send",
        "sundial: sending activity tasks failed; the alarm retries",
        err,
      );
    }
  };
  x.state.waitUntil(
    new Promise<void>((resolve) => setTimeout(() => x.queue(() => send().finally(resolve)), 0)),
  );
}

/**
 * Delivers messages to other executions and the visibility index, outside the lock: a receiver
 * may message this object back while we wait for it. One delivery loop at a time. After a
 * transition (`all` false) only when it wrote messages: older rows wait for their backoff, which
 * the alarm (`all`) honours.
 */
export function deliverInBackground(x: ExecCtx, all = false, settleMs = 0): void {
  // A new run's listing only (no message to another execution): let it settle (see
  // VISIBILITY_SETTLE_MS). Whatever delivers first takes the row with it.
  // While it settles, later listings of the run (a step's, the close's) replace it and go with it.
  if (!all && !x.delivery.rpcWritten && x.delivery.messagesWritten) {
    if (x.delivery.settling !== undefined) return;
    if (settleMs > 0) {
      x.delivery.settling = setTimeout(() => {
        x.delivery.settling = undefined;
        deliverInBackground(x);
      }, settleMs);
      return;
    }
  }
  if (x.delivery.running) {
    x.delivery.again = true;
    return;
  }
  // The alarm's pass (`all`) counts the rows unless none are known to exist (an alarm that finds
  // nothing due, the common case, would otherwise pay a count on every wake).
  const none = all
    ? x.delivery.noMessages || countRows(x.sql, "messages") === 0
    : !x.delivery.messagesWritten;
  if (none) return;
  x.delivery.running = true;
  const loop = async () => {
    try {
      do {
        x.delivery.again = false;
        await deliverMessages(x);
      } while (x.delivery.again);
    } finally {
      x.delivery.running = false;
    }
  };
  x.state.waitUntil(
    loop().catch((err) => limitedLog("error", "delivery loop", "sundial: delivery failed", err)),
  );
}

/**
 * Delivers the due message rows; `force` (test hook) ignores their backoff and writes visibility
 * rows to D1 itself, so they are listed when it returns (not through the visibility queue).
 */
export async function deliverMessages(x: ExecCtx, force = false): Promise<void> {
  x.delivery.messagesWritten = false;
  x.delivery.rpcWritten = false;
  const rows = outboxRows(x.sql, "messages");
  const failedTargets = new Set<string>();
  // With a visibility queue, the due visibility rows go out together, in one send (their targets,
  // run ids, are never an rpc row's; a row not due, or not sent, keeps the outbox counted).
  const queue = force ? undefined : x.env.VISIBILITY_QUEUE;
  let visibilityLeft = false;
  if (queue) {
    const due = rows.filter((r) => r.kind === "visibility" && isDue(r, x.now()));
    const waiting = due.length < rows.filter((r) => r.kind === "visibility").length;
    const sent = due.length === 0 || (await sendVisibilityRows(x, queue, due));
    visibilityLeft = waiting || !sent;
  }
  for (const row of rows) {
    if (queue && row.kind === "visibility") continue;
    // Keep per-target order: after a failure, later messages to that target wait for the retry.
    if (failedTargets.has(row.target)) continue;
    if (!force && !isDue(row, x.now())) {
      failedTargets.add(row.target);
      continue;
    }
    try {
      if (row.kind === "visibility") {
        const db = x.env.VISIBILITY;
        if (db) {
          await upsertVisibility(db, JSON.parse(row.body) as VisibilityRow, codecOf(x.sql));
          x.counters.visibilityWrites += 1;
        }
        crashPoint(x.state, "afterDelivery", "visibility");
        deleteRows(x.sql, [row.id]);
        continue;
      }
      const message = JSON.parse(row.body) as OutboxMessage;
      const reply = await rpc(x, message);
      crashPoint(x.state, "afterDelivery", messageKind(row.kind, message.op));
      await x.serialized(() => delivered(x, row.id, message, reply));
    } catch (err) {
      failedTargets.add(row.target);
      recordFailure(x.sql, [row], errorText(err), x.now());
      limitedLog(
        "error",
        "message delivery",
        `sundial: delivering a ${row.kind} message to ${row.target} failed; retrying from the alarm`,
        err,
      );
    }
  }
  // Every row delivered and none written meanwhile: the alarm need not count them next time.
  // (A rollback after a write only leaves this false: it is never true with a row left.)
  if (failedTargets.size === 0 && !visibilityLeft && !x.delivery.messagesWritten) {
    x.delivery.noMessages = true;
  }
  // Re-arm exactly: to the next timer once the outbox is empty, or for a retry of what failed.
  await armAlarm(x, true);
}

async function rpc(x: ExecCtx, message: OutboxMessage): Promise<Ack | StartReply> {
  const target = executionStub(x.env, message.namespace, message.workflowId);
  switch (message.op) {
    case "startChild":
      return (await target.startChild(
        withRetention(x.sql, message.request),
        message.parent,
      )) as StartReply;
    case "signal":
      return (await target.signal(message.signalName, message.input, message.requestId)) as Ack;
    case "cancel":
      return (await target.cancel(message.reason, message.requestId)) as Ack;
    case "terminate":
      return (await target.terminate(message.reason)) as Ack;
    case "childClosed":
      return (await target.childClosed(message.report)) as Ack;
    case "closeNotice":
      return deliverCloseNotice(x.env, message);
  }
}

/** Records what a delivered message's reply means for the sender, and drops it from the outbox, in one transaction. */
async function delivered(
  x: ExecCtx,
  id: number,
  message: OutboxMessage,
  reply: Ack | StartReply,
): Promise<void> {
  if (!hasRow(x.sql, id)) return;
  const drop = () => deleteRows(x.sql, [id]);
  const run = x.runs.find(message.fromRunId);
  const sql: Array<() => void> = [drop];
  const child =
    message.op === "startChild" ? x.children.get(message.fromRunId, message.seq) : undefined;
  const { events, child: next } = replyOutcome(message, reply, child);
  if (next && message.op === "startChild") {
    const childRunId = next.state === "Started" ? next.runId : null;
    sql.push(() => x.children.started(message.fromRunId, message.seq, next.state, childRunId));
  }
  if (run && run.status === "Running" && events.length > 0) {
    await transition(x, run, events, { sql });
  } else {
    x.commitWrites({ sql });
    await armAlarm(x);
  }
}
