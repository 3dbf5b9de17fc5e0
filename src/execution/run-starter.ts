/**
 * @module Starting runs (the wiring around run-start.ts's pure decision): a start request with its
 * request-id dedup, id reuse and conflict policy and signal-with-start; a new run's row, first
 * events and timers; and the next run recorded inside a closing transaction.
 */

import { type EventAttributes, type NewEvent, newEvent } from "../history/events";
import { retentionMeta } from "../retention/retention";
import { queueFor } from "./addressing";
import { queueVisibility } from "./delivery";
import type { ExecCtx, Writes } from "./execution-context";
import { assignIds } from "./history-store";
import { signalRun } from "./messages";
import { unboundTaskQueueMessage } from "./outbox-policy";
import { requestKey, startRequestKeys } from "./request-keys";
import type { RunRow } from "./rows";
import type { ParentRef, StartReply, StartRequest } from "./rpc";
import {
  afterCloseCommitted,
  type ClosedFromOutside,
  closeRunWrites,
  terminationEvents,
} from "./run-closer";
import { type RunStart, startDecision } from "./run-start";
import { hasSchema } from "./schema";
import { timerKey } from "./timer-keys";
import { transition } from "./transition";

const TOO_BIG =
  "the start could not be stored: a value is past SQLite's 2 MB limit (the input, memo, search attributes or signal input, or what the workflow's first task produced from them, e.g. an activity's input; values are stored as JSON text, where each quote or backslash takes two bytes); make them smaller, e.g. pass a reference to R2";

/** SQLite refused a value past its size limit (`SQLITE_TOOBIG`): the same start always would. */
function isTooBig(err: unknown): boolean {
  return err instanceof Error && err.message.includes("SQLITE_TOOBIG");
}

/** A start request (or a child's start, from its parent's outbox). */
export async function startWorkflow(
  x: ExecCtx,
  req: StartRequest,
  parent?: ParentRef,
): Promise<StartReply> {
  // A named task queue must be bound; "default" may stay unbound in a Worker that runs only
  // local activities (an activity call on it then fails its workflow task, naming the queue).
  if (req.taskQueue !== "default" && !queueFor(x.env, req.taskQueue)) {
    const message = `taskQueue "${req.taskQueue}" cannot be used: ${unboundTaskQueueMessage(req.taskQueue)}`;
    return { ok: false, error: { code: "InvalidArgument", message } };
  }
  // A brand-new object has no tables, so no runs and no request ids: nothing to read. Its tables
  // are created in the run's first transaction (one commit, not two; a failed start leaves none).
  const fresh = !x.ready;
  if (req.requestId && !fresh) {
    const prior = x.requests.runOf(startRequestKeys(req.requestId));
    if (prior) return { ok: true, runId: prior, started: false };
  }
  const current = fresh ? undefined : x.runs.current();
  const decision = startDecision(current, req);
  if (decision.kind === "reject") return { ok: false, error: decision.error };
  if (decision.kind === "existing") return { ok: true, runId: decision.runId, started: false };
  if (decision.kind === "signal" && current && req.signal) {
    // Signal-with-start on a running workflow: signal it.
    const ack = await signalRun(
      x,
      current,
      req.signal.name,
      req.signal.input,
      req.signal.requestId,
    );
    if (!ack.ok) return ack;
    return { ok: true, runId: current.run_id, started: false };
  }
  // TerminateIfRunning: the running run closes in the new run's transaction (one commit), so a
  // start refused after all (a value too big to store) leaves it running.
  const replaced = decision.kind === "start" && decision.terminate ? current : undefined;
  let terminated: ClosedFromOutside | undefined;
  // The identity (first start only) and the retention the start carries: one meta write, in the
  // run's first transaction (after the tables of a new object).
  const meta: Array<readonly [string, string]> = [];
  const newIdentity = !x.identity;
  if (newIdentity) {
    x.identity = { namespace: req.namespace, workflowId: req.workflowId };
    meta.push(["namespace", req.namespace], ["workflow_id", req.workflowId]);
  }
  const retention = retentionMeta(req.retentionMs);
  if (retention) meta.push(retention);
  const before = () => {
    if (fresh) x.ensureSchema();
    x.runs.saveMeta(meta);
    if (!replaced) return;
    const events = terminationEvents("Terminated by a start with idReusePolicy TerminateIfRunning");
    terminated = closeRunWrites(x, replaced, events, "Terminated");
  };
  const runId = crypto.randomUUID();
  try {
    await startRun(x, fresh, before, {
      runId,
      workflowType: req.workflowType,
      taskQueue: req.taskQueue,
      input: req.input,
      attempt: 1,
      firstExecutionRunId: runId,
      requestId: req.requestId,
      startDelayMs: req.startDelayMs,
      runTimeoutMs: req.runTimeoutMs,
      executionTimeoutMs: req.executionTimeoutMs,
      // Absolute, for the whole chain (retries, continue-as-new): the start delay is not counted
      // against it, so it shifts the deadline once, here.
      executionDeadlineMs: req.executionTimeoutMs
        ? x.now() + (req.startDelayMs ?? 0) + req.executionTimeoutMs
        : undefined,
      retryPolicy: req.retryPolicy,
      memo: req.memo,
      searchAttributes: req.searchAttributes,
      ...(parent ? { parent: JSON.stringify(parent) } : {}),
      ...(req.closeNotify ? { closeNotify: JSON.stringify(req.closeNotify) } : {}),
      ...(req.signal
        ? {
            extraInputs: [
              newEvent("WorkflowExecutionSignaled", {
                signalName: req.signal.name,
                input: req.signal.input,
                ...(req.signal.requestId ? { requestId: req.signal.requestId } : {}),
              }),
            ],
          }
        : {}),
    });
  } catch (err) {
    // From storage, what the failure left: a rollback nothing (a new object keeps no tables), a
    // crash after the commit (crash-point tests) everything.
    if (fresh) x.ready = hasSchema(x.storage.sql);
    if (newIdentity && !(x.ready && x.runs.readMeta().has("namespace"))) x.identity = undefined;
    // The request's limits cannot rule this out (a memo of quotes doubles once escaped in the
    // event): refused as the too-large request it is, not thrown (a 500 over HTTP, a child's or a
    // schedule's start retried forever). Its transaction rolled back: nothing was stored, and a
    // run it was to replace (TerminateIfRunning) is still running.
    if (isTooBig(err)) return { ok: false, error: { code: "PayloadTooLarge", message: TOO_BIG } };
    throw err;
  }
  if (terminated) await afterCloseCommitted(x, terminated);
  // Its first tasks leave after the answer (queued behind this operation): see delivery.ts.
  if (x.delivery.written.length > 0) x.delivery.startSent = true;
  return { ok: true, runId, started: true };
}

/**
 * Starts a run: its row, its WorkflowExecutionStarted event and its first workflow task commit in
 * one transaction (a crash leaves either no run or a run with history).
 */
async function startRun(
  x: ExecCtx,
  fresh: boolean,
  before: () => void,
  s: RunStart,
): Promise<void> {
  // A new object's first run is run 1 (its runs table does not exist yet).
  const { run, inputs, writes } = prepareRun(x, s, fresh ? 1 : undefined);
  writes.before = before;
  await transition(x, run, inputs, writes, { runWorkflow: !s.startDelayMs });
}

/**
 * Inside a closing transaction (continue-as-new, workflow retry): records the next run's start
 * durably, with its first workflow task due on the alarm. The caller runs that task right after
 * the commit; if the object crashes first, the alarm does.
 */
export function startRunInTransaction(x: ExecCtx, s: RunStart): void {
  const { run, inputs, writes } = prepareRun(x, s);
  const events = assignIds(run, inputs, x.now());
  x.history.insert(run.run_id, events);
  for (const fn of writes.sql) fn();
  if (!s.startDelayMs) x.timers.put(timerKey.wft(run.run_id), run.run_id, "wft", x.now());
}

/**
 * The new run's row (inserted by the first write), its first events and writes. `runNo`: known
 * (a brand-new object's first run is 1), else read.
 */
function prepareRun(
  x: ExecCtx,
  s: RunStart,
  runNo = x.runs.nextRunNo(),
): { run: RunRow; inputs: NewEvent[]; writes: Writes } {
  const now = x.now();
  const run: RunRow = {
    run_id: s.runId,
    run_no: runNo,
    workflow_type: s.workflowType,
    task_queue: s.taskQueue,
    status: "Running",
    start_ms: now,
    close_ms: null,
    result: null,
    failure: null,
    next_run_id: null,
    history_length: 0,
    next_task_id: 0,
    wft_attempt: 0,
    wft_failure: null,
    attempt: s.attempt,
    memo: s.memo ?? null,
    search_attributes: s.searchAttributes ?? null,
    parent: s.parent ?? null,
    cancel_requested: 0,
    close_notify: s.closeNotify ?? null,
  };
  const attributes: EventAttributes["WorkflowExecutionStarted"] = {
    workflowType: s.workflowType,
    input: s.input,
    taskQueue: s.taskQueue,
    attempt: s.attempt,
    firstExecutionRunId: s.firstExecutionRunId,
    randomSeed: crypto.getRandomValues(new Uint32Array(1))[0]!,
    ...(s.continuedExecutionRunId ? { continuedExecutionRunId: s.continuedExecutionRunId } : {}),
    ...(s.startDelayMs ? { startDelayMs: s.startDelayMs } : {}),
    ...(s.runTimeoutMs ? { runTimeoutMs: s.runTimeoutMs } : {}),
    ...(s.executionTimeoutMs ? { executionTimeoutMs: s.executionTimeoutMs } : {}),
    ...(s.executionDeadlineMs ? { executionDeadlineMs: s.executionDeadlineMs } : {}),
    ...(s.retryPolicy ? { retryPolicy: s.retryPolicy } : {}),
    ...(s.memo ? { memo: s.memo } : {}),
    ...(s.searchAttributes ? { searchAttributes: s.searchAttributes } : {}),
    ...(s.requestId ? { requestId: s.requestId } : {}),
  };
  const writes: Writes = { sql: [() => x.runs.insert(run)] };
  const requestId = s.requestId;
  if (requestId)
    writes.sql.push(() => x.requests.remember(requestKey("start", requestId), s.runId));
  if (s.runTimeoutMs) {
    const at = now + (s.startDelayMs ?? 0) + s.runTimeoutMs;
    writes.sql.push(() => x.timers.put(timerKey.runTimeout(s.runId), s.runId, "run-timeout", at));
  }
  if (s.executionDeadlineMs) {
    // Already absolute (see startWorkflow): a later run's start delay (a retry's backoff) shifts nothing.
    const at = s.executionDeadlineMs;
    writes.sql.push(() => x.timers.put(timerKey.execTimeout(s.runId), s.runId, "exec-timeout", at));
  }
  const inputs = [newEvent("WorkflowExecutionStarted", attributes), ...(s.extraInputs ?? [])];
  // The row as just inserted (every field the index reads is in `run`): no read back.
  writes.sql.push(() => queueVisibility(x, run, inputs.length));
  if (s.startDelayMs) {
    // The first workflow task waits for the delay; the Started event is recorded now.
    const at = now + s.startDelayMs;
    writes.sql.push(() => x.timers.put(timerKey.wft(s.runId), s.runId, "wft", at));
  }
  return { run, inputs, writes };
}
