/**
 * @module Workflow runtimes for a run: the warm (sticky) one kept between tasks, a replay from
 * SQLite when it is cold, the bounded cache of closed runs' runtimes for queries, and a fresh one
 * for a run's first task.
 */

import type { HistoryEvent } from "../history/events";
import { NonDeterminismError, WorkflowRuntime } from "../replay/runtime";
import type { ExecCtx } from "./execution-context";
import { HistoryTaskReader, REPLAY_PAGE_ROWS } from "./history-pages";
import type { BatchRest } from "./replay-decode";
import type { RunRow } from "./rows";
import { timerKey } from "./timer-keys";
import { armAlarm } from "./timers";

/** The run's runtime, up to date with its history: the warm one, or replayed (and kept warm). */
export async function runtimeFor(x: ExecCtx, run: RunRow): Promise<WorkflowRuntime> {
  const cached = x.cached;
  if (cached && cached.runId === run.run_id && cached.applied === run.history_length) {
    return cached.runtime;
  }
  x.cached = undefined;
  const runtime = await replay(x, run);
  // Keep what was rebuilt (e.g. for a query or an update's validator) as the warm runtime, so the
  // next call does not replay again; a transition replaces or drops it as before.
  if (x.sticky) x.cached = { runId: run.run_id, runtime, applied: run.history_length };
  return runtime;
}

/**
 * The runtime of a closed run, for a query: the warm one if it is still current, else from the
 * bounded query cache, else replayed once and cached (a closed run's history never changes).
 */
export async function closedRuntime(x: ExecCtx, run: RunRow): Promise<WorkflowRuntime> {
  const warm = x.cached;
  if (warm?.runId === run.run_id && warm.applied === run.history_length) return warm.runtime;
  const key = `${run.run_id}@${run.history_length}`;
  const hit = x.queryRuntimes.get(key);
  if (hit) return hit;
  const read = { bytes: 0 };
  const runtime = await replay(x, run, read);
  x.queryRuntimes.set(key, runtime, read.bytes);
  return runtime;
}

/** A runtime for `run`, before any event is applied; `events` starts with WorkflowExecutionStarted. */
export function newRuntime(
  x: ExecCtx,
  run: RunRow,
  events: readonly HistoryEvent[],
): WorkflowRuntime {
  const definition = x.config.workflows.get(run.workflow_type);
  if (!definition) {
    throw new NonDeterminismError(
      `Workflow type "${run.workflow_type}" is not registered in this deployment; deploy code that registers it`,
    );
  }
  const first = events[0];
  if (first?.eventType !== "WorkflowExecutionStarted") {
    throw new Error(`run ${run.run_id} has no WorkflowExecutionStarted event`);
  }
  const identity = x.identity!;
  return new WorkflowRuntime(definition, {
    namespace: identity.namespace,
    workflowId: identity.workflowId,
    runId: run.run_id,
    startTimeMs: first.timestampMs,
    started: first.attributes,
    maxPayloadBytes: x.config.limits.maxPayloadBytes,
    // Code resumed astray (after awaiting a promise the runtime did not create): run a workflow
    // task now so its failure is recorded, instead of waiting for an unrelated event.
    onStrayResume: (runtime) => {
      void x
        .serialized(async () => {
          const current = x.runs.find(run.run_id);
          if (current?.status !== "Running") return;
          // Keep the runtime holding the failure (e.g. one a query replayed) for that task.
          if (runtime.appliedEvents === current.history_length) {
            x.cached = { runId: run.run_id, runtime, applied: current.history_length };
          }
          x.timers.put(timerKey.wft(run.run_id), run.run_id, "wft", x.now());
          await armAlarm(x, true);
        })
        .catch(() => undefined);
    },
  });
}

/**
 * Cold path: a fresh runtime fed the run's whole history, one recorded task at a time, read in
 * bounded pages (only one page and the task being applied are in memory). `read.bytes` is set to
 * the history bytes read.
 */
export async function replay(
  x: ExecCtx,
  run: RunRow,
  read?: { bytes: number },
): Promise<WorkflowRuntime> {
  x.counters.replays += 1;
  const bounds = x.pageBounds(REPLAY_PAGE_ROWS);
  // A page that ended inside a batch row: the next one begins there (replay-decode.ts).
  let rest: BatchRest | undefined;
  const reader = new HistoryTaskReader((after) => {
    const page = x.history.replayPage(run.run_id, after, run.history_length, bounds, rest);
    rest = page.rest;
    return page;
  }, run.history_length);
  let runtime: WorkflowRuntime | undefined;
  for (const task of reader.tasks()) {
    runtime ??= newRuntime(x, run, task);
    await runtime.applyTask(task, true);
  }
  x.counters.maxReplayPageRows = Math.max(x.counters.maxReplayPageRows, reader.maxPageRows);
  if (read) read.bytes = reader.bytes;
  return runtime ?? newRuntime(x, run, []);
}
