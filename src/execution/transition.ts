/**
 * @module The one transition: append inputs, run workflow code (warm, or replayed when cold), turn
 * its commands into events and writes (command-handlers.ts), commit all in one transaction, then
 * the post-commit steps (the next run's first task, the alarm, the outbox, waking waiters).
 */
import {
  ApplicationFailure,
  type FailureInfo,
  toFailure,
  withoutStacks,
} from "../../sdk/common/failures";
import type { ExecutionStatus } from "../../sdk/common/wire";
import { type HistoryEvent, type NewEvent, newEvent } from "../history/events";
import { CLOSE_COMMANDS, type Command } from "../replay/commands";
import type { EagerClaim } from "./activity/dispatch";
import { applyCommand, type CommandContext } from "./command-handlers";
import { CrashPointError, crashPoint } from "./crash-points";
import {
  deliverInBackground,
  queueVisibility,
  sendMessage,
  sendTasksAfterAnswer,
  VISIBILITY_SETTLE_MS,
} from "./delivery";
import type { ExecCtx, Writes } from "./execution-context";
import { boundFailure } from "./failure-bounds";
import { assignIds } from "./history-store";
import { runLocalActivity } from "./local-activity";
import { assertQueuesBound } from "./outbox";
import { errorMessage } from "./replies";
import type { RunRow } from "./rows";
import { abandonPending, continuationOf, onClose, retryOf } from "./run-closer";
import type { RunStart } from "./run-start";
import { startRunInTransaction } from "./run-starter";
import { newRuntime, runtimeFor } from "./runtimes";
import { taskRetryDelayMs, timerKey } from "./timer-keys";
import { armAlarm } from "./timers";
import { type Marker, runWorkflowTask } from "./workflow-task";

export interface TransitionOptions {
  /** false: record the inputs without running workflow code (a start delay). */
  runWorkflow?: boolean;
  eager?: EagerClaim;
  /** Record the task as failed with this failure instead of running it (a refused commit). */
  failTask?: FailureInfo;
}

/**
 * One activation: append `inputs`, run workflow code (warm, or replayed when cold), turn its
 * commands into events and writes, and commit everything in one transaction. A failure of
 * workflow code (a bug, non-determinism) fails the workflow task, never the execution.
 */
export async function transition(
  x: ExecCtx,
  run: RunRow,
  inputs: NewEvent[],
  writes: Writes,
  options: TransitionOptions = {},
): Promise<void> {
  const now = x.now();
  const runWorkflow = options.runWorkflow !== false;
  const outcome = await runWorkflowTask(
    {
      runId: run.run_id,
      historyLength: run.history_length,
      wftAttempt: run.wft_attempt,
      searchAttributes: run.search_attributes,
      taskId: run.next_task_id,
      nowMs: now,
    },
    inputs,
    {
      limits: x.config.limits,
      runLocals: (commands) => runLocals(x, run, commands),
      check: (issued) => assertQueuesBound(x.env, issued),
      newRunId: () => crypto.randomUUID(),
    },
    {
      ...(runWorkflow
        ? {
            runtime: (events: readonly HistoryEvent[]) =>
              run.history_length === 0 ? newRuntime(x, run, events) : runtimeFor(x, run),
          }
        : {}),
      ...(options.failTask ? { failTask: options.failTask } : {}),
    },
  );
  const { events, commands, continueNow, taskFailure } = outcome;
  if (runWorkflow && !options.failTask) {
    x.cached =
      outcome.runtime && x.sticky
        ? {
            runId: run.run_id,
            runtime: outcome.runtime,
            applied: run.history_length + events.length,
          }
        : undefined;
  }
  const close = commands.find((c) => CLOSE_COMMANDS.has(c.type));
  let status: ExecutionStatus = "Running";
  let nextRun: RunStart | undefined;
  if (close?.type === "CompleteWorkflow") status = "Completed";
  if (close?.type === "CancelWorkflow") status = "Canceled";
  if (close?.type === "FailWorkflow") {
    status = "Failed";
    nextRun = retryOf(x, run, close.failure, now, events);
  }
  if (close?.type === "ContinueAsNew") {
    status = "ContinuedAsNew";
    nextRun = continuationOf(x, run, close, events);
  }
  const historyLength = run.history_length + events.length;
  const warnAt = x.config.limits.historyWarnEvents;
  if (run.history_length < warnAt && historyLength >= warnAt) {
    console.warn(
      `sundial: workflow "${x.identity?.workflowId}" run ${run.run_id} has ${historyLength} events, past the warning threshold of ${warnAt}; it fails at ${x.config.limits.historyMaxEvents}. Use continue-as-new to start a fresh history.`,
    );
  }
  x.activities.beginTransaction();
  x.runs.beginTransaction();
  const committed = tryTransaction(x, () => {
    writes.before?.();
    x.history.insert(run.run_id, events);
    for (const fn of writes.sql) fn();
    // A closing transition abandons what it schedules: nothing to hand out eagerly then.
    const eager = close ? undefined : options.eager;
    const context = commandContext(x);
    for (const cmd of commands) applyCommand(context, run, cmd, now, eager);
    if (taskFailure) {
      const attempt = run.wft_attempt + 1;
      x.timers.put(timerKey.wft(run.run_id), run.run_id, "wft", now + taskRetryDelayMs(attempt));
      x.runs.taskFailed(run.run_id, attempt, JSON.stringify(withoutStacks(taskFailure.failure)));
    } else if (options.runWorkflow !== false) {
      if (run.wft_attempt > 0) x.runs.taskSucceeded(run.run_id);
      // A run's first task inline in its start has no task timer to clear (only a start delay or a
      // next run recorded in a closing transaction writes one, and both append history first).
      if (run.history_length > 0) x.timers.deleteTaskTimer(run.run_id);
      if (continueNow) x.timers.put(timerKey.wft(run.run_id), run.run_id, "wft", now);
    }
    if (close) {
      const result = close.type === "CompleteWorkflow" ? close.result : null;
      const failure = close.type === "FailWorkflow" ? JSON.stringify(close.failure) : null;
      x.runs.close(run.run_id, status, now, result, failure, nextRun?.runId ?? null);
      abandonPending(x, run.run_id);
    }
    if (close) {
      onClose(x, run, status, nextRun === undefined, {
        ...(close.type === "CompleteWorkflow" ? { result: close.result } : {}),
        ...(close.type === "FailWorkflow" ? { failure: close.failure } : {}),
      });
      if (nextRun) startRunInTransaction(x, nextRun);
    } else if (commands.some((c) => c.type === "UpsertSearchAttributes")) {
      queueVisibility(x, x.runs.find(run.run_id)!, 0);
    }
    crashPoint(x.state, "beforeCommit", events);
  });
  if (!committed.ok) {
    // SQLite refused the commit (e.g. a value past its 2 MB limit). The same task would fail the
    // same way on every retry, so fail the workflow task instead, with the reason, keeping only
    // its inputs; if even that cannot commit, record the failure alone (a small transaction).
    // A start that cannot commit records nothing: its caller gets the error.
    x.cached = undefined;
    if (options.eager) options.eager.task = undefined;
    if (run.history_length === 0) throw committed.error;
    const failure = commitFailure(committed.error, x.config.limits.maxPayloadBytes);
    if (options.failTask || options.runWorkflow === false) {
      recordCommitFailure(x, run, failure, now);
      // The retry timer just written must wake the run (a request's path re-arms nothing else); a
      // failure to arm must not hide the commit's error.
      await armAlarm(x).catch(() => undefined);
      throw committed.error;
    }
    return transition(x, run, inputs, writes, { failTask: failure });
  }
  x.activities.committed();
  // A step's transition appends events and leaves the run row as it was (the counters derive from
  // the events): the next report takes it from here. A first task, a failed or retried task, a
  // close, anything that wrote the row: read again.
  if (!close && !taskFailure && run.wft_attempt === 0 && run.history_length > 0 && !writes.before) {
    x.runs.remember(run, events.length);
  }
  crashPoint(x.state, "afterCommit", events);
  // Committed: the run has no task timer now, unless this transition wrote one.
  if (runWorkflow && !options.failTask && !taskFailure && !continueNow && run.history_length > 0) {
    x.timers.noTaskTimer(run.run_id);
  }
  if (close) {
    x.cached = undefined;
    x.locals.stopRun(run.run_id);
    // The next run is recorded; run its first workflow task now (the alarm would otherwise).
    const next = nextRun && !nextRun.startDelayMs ? x.runs.find(nextRun.runId) : undefined;
    if (next) await transition(x, next, [], { sql: [] });
  }
  await armAlarm(x, close !== undefined); // exactly on close: nothing abandoned wakes it
  sendTasksAfterAnswer(x);
  if (close) x.waiters.notify("close");
  x.waiters.notify("change");
  // A new run still going: its listing settles first (a run closing soon writes one row, closed).
  deliverInBackground(x, false, run.history_length === 0 && !close ? VISIBILITY_SETTLE_MS : 0);
}

/**
 * Last resort when a transition cannot commit even as a failed task (its inputs themselves do not
 * fit): records the workflow task's failure alone, in its own small transaction, with the retry
 * backoff of any failed task, so the failure is visible (history, describe) and the retries back off.
 */
function recordCommitFailure(x: ExecCtx, run: RunRow, failure: FailureInfo, now: number): void {
  const attempt = run.wft_attempt + 1;
  const backoff = taskRetryDelayMs(attempt);
  x.storage.transactionSync(() => {
    if (run.wft_attempt === 0) {
      const failed = assignIds(
        run,
        [newEvent("WorkflowTaskFailed", { cause: "WorkflowError", failure })],
        now,
      );
      x.history.insert(run.run_id, failed);
    }
    x.timers.put(timerKey.wft(run.run_id), run.run_id, "wft", now + backoff);
    x.runs.taskFailed(run.run_id, attempt, JSON.stringify(withoutStacks(failure)));
  });
}

/** Runs `fn` in a transaction; a throw (rolled back) is returned, not thrown. */
function tryTransaction(x: ExecCtx, fn: () => void): { ok: true } | { ok: false; error: unknown } {
  if (x.failCommits > 0) {
    x.failCommits -= 1;
    return { ok: false, error: new Error("string or blob too big: SQLITE_TOOBIG (injected)") };
  }
  try {
    x.transactionSync(fn);
    return { ok: true };
  } catch (error) {
    // A crash (injected by the crash-point tests) is not a refused commit: it propagates.
    if (error instanceof CrashPointError) throw error;
    return { ok: false, error };
  }
}

/** The failure recorded when a transition's transaction could not commit. */
function commitFailure(err: unknown, maxBytes: number): FailureInfo {
  return boundFailure(
    toFailure(
      ApplicationFailure.nonRetryable(
        `The workflow task's changes could not be stored (${errorMessage(err)}); it is retried with backoff`,
        "CommitFailed",
      ),
    ),
    maxBytes,
  );
}

/** Runs a task's local activities (joining those still under way); undefined when preempted. */
async function runLocals(
  x: ExecCtx,
  run: RunRow,
  commands: readonly Command[],
): Promise<Array<Marker | undefined> | undefined> {
  const locals = await x.locals.waitAll(
    commands.map((cmd) =>
      cmd.type === "RunLocalActivity"
        ? x.locals.join(run.run_id, cmd.seq, (stop) =>
            runLocalActivity(
              cmd,
              x.config.activities,
              x.identity!,
              run.run_id,
              x.config.limits,
              stop,
            ),
          )
        : undefined,
    ),
  );
  if (!locals) return undefined;
  for (const cmd of commands) {
    if (cmd.type === "RunLocalActivity") x.locals.forget(run.run_id, cmd.seq);
  }
  return locals;
}

/** What command handlers write through, inside a transition's transaction. */
function commandContext(x: ExecCtx): CommandContext {
  return {
    identity: x.identity!,
    runs: x.runs,
    activities: x.activities,
    children: x.children,
    updates: x.updates,
    send: (message) => sendMessage(x, message),
    putTimer: (key, runId, kind, at, data) => x.timers.put(key, runId, kind, at, data),
    deleteTimer: (key) => x.timers.delete(key),
  };
}
