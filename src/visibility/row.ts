/**
 * @module The visibility row of a run (what list / count index), projected from its stored row:
 * pure. The version orders late writes: it grows with the history and, at equal length, a closed
 * row wins over a running one.
 */

import type { RunRow } from "../execution/rows";
import type { ParentRef } from "../execution/rpc";
import { toSearchAttributes } from "./search-attributes";
import type { VisibilityRow } from "./store";

/** `len * 4 + (closed ? 2 : 0)`: strictly increasing with every change of the row. */
export function visibilityVersion(historyLength: number, status: RunRow["status"]): number {
  return historyLength * 4 + (status === "Running" ? 0 : 2);
}

/** The row of `run` once `appended` more events are stored with it. */
export function visibilityRow(
  identity: { namespace: string; workflowId: string },
  run: RunRow,
  appended: number,
): VisibilityRow {
  let searchAttributes: VisibilityRow["searchAttributes"] = {};
  try {
    searchAttributes = toSearchAttributes(
      run.search_attributes ? JSON.parse(run.search_attributes) : {},
    );
  } catch {
    searchAttributes = {};
  }
  const parent = run.parent ? (JSON.parse(run.parent) as ParentRef) : null;
  const historyLength = run.history_length + appended;
  return {
    namespace: identity.namespace,
    workflowId: identity.workflowId,
    runId: run.run_id,
    workflowType: run.workflow_type,
    status: run.status,
    startTime: new Date(run.start_ms).toISOString(),
    closeTime: run.close_ms !== null ? new Date(run.close_ms).toISOString() : null,
    executionTime: null,
    taskQueue: run.task_queue,
    historyLength,
    memo: run.memo ? JSON.parse(run.memo) : null,
    searchAttributes,
    parent: parent ? { workflowId: parent.workflowId, runId: parent.runId } : null,
    version: visibilityVersion(historyLength, run.status),
  };
}
