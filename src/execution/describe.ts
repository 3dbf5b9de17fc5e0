/**
 * @module What `describe` and `result` answer, projected from stored rows: pure (the caller reads the
 * rows), so every field is unit-tested in Node.
 */
import { type FailureInfo, withoutStacks } from "../../sdk/common/failures";
import type {
  ExecutionStatus,
  PendingActivity,
  PendingDelivery,
  ResultResponse,
  WorkflowDescription,
} from "../../sdk/common/wire";
import { plainSearchAttributes, toSearchAttributes } from "../visibility/search-attributes";
import { rawJson } from "./raw-json";
import type { ActivityRow, ChildRow, RunRow, TimerRow } from "./rows";
import type { ParentRef } from "./rpc";

/** What a description is made of: the run and its pending work, as stored. */
export interface DescribeInput {
  workflowId: string;
  run: RunRow;
  activities: readonly ActivityRow[];
  /** The run's user timers (kind 'timer'), earliest first. */
  timers: readonly TimerRow[];
  /** Its children not yet closed, by seq. */
  children: readonly ChildRow[];
  pendingDeliveries: PendingDelivery[];
}

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export function pendingActivity(a: ActivityRow): PendingActivity {
  return {
    activityId: a.activity_id,
    activityType: a.activity_type,
    attempt: a.attempt,
    state: a.state,
    lastFailure: a.last_failure ? (JSON.parse(a.last_failure) as FailureInfo) : null,
    lastHeartbeat:
      a.last_heartbeat_ms !== null
        ? {
            time: iso(a.last_heartbeat_ms),
            details: a.heartbeat_details ? rawJson(a.heartbeat_details) : null,
          }
        : null,
    scheduledTime: iso(a.scheduled_ms),
    nextAttemptTime: isoOrNull(a.next_attempt_ms),
    lastAttemptCompleteTime: isoOrNull(a.last_attempt_ms),
  };
}

export function description(d: DescribeInput): WorkflowDescription {
  const { run } = d;
  const wftFailure = run.wft_failure ? (JSON.parse(run.wft_failure) as FailureInfo) : null;
  return {
    workflowId: d.workflowId,
    runId: run.run_id,
    workflowType: run.workflow_type,
    status: run.status,
    startTime: iso(run.start_ms),
    closeTime: isoOrNull(run.close_ms),
    taskQueue: run.task_queue,
    historyLength: run.history_length,
    memo: run.memo ? rawJson(run.memo) : {},
    searchAttributes: describedSearchAttributes(run.search_attributes),
    parent: parentOf(run),
    attempt: run.attempt,
    workflowTaskFailure: wftFailure
      ? { message: wftFailure.message, type: wftFailure.type, attempt: run.wft_attempt }
      : null,
    pendingActivities: d.activities.map(pendingActivity),
    pendingTimers: d.timers.map((t) => ({ timerId: String(t.data), fireTime: iso(t.fire_at_ms) })),
    pendingChildren: d.children.map((c) => ({
      workflowId: c.workflow_id,
      runId: c.child_run_id,
      workflowType: c.workflow_type,
      state: c.state,
      parentClosePolicy: c.parent_close_policy,
    })),
    pendingDeliveries: d.pendingDeliveries,
  };
}

/** The parent of a child workflow's run (workflow and run id), or null. */
export function parentOf(
  run: Pick<RunRow, "parent">,
): { workflowId: string; runId: string } | null {
  if (!run.parent) return null;
  const { workflowId, runId } = JSON.parse(run.parent) as ParentRef;
  return { workflowId, runId };
}

/**
 * The outcome of a closed run. `terminateReason` is the reason recorded with its
 * WorkflowExecutionTerminated event (the caller reads it only for a terminated run).
 */
export function resultBody(run: RunRow, terminateReason?: string): ResultResponse {
  if (run.status === "Completed") {
    // The stored result goes out as its own text (see rawJson): never parsed into a deep value.
    return { status: "Completed", result: rawJson(run.result ?? "null"), runId: run.run_id };
  }
  const status = run.status as Exclude<ExecutionStatus, "Running" | "Completed">;
  if (run.failure) {
    return {
      status,
      failure: withoutStacks(JSON.parse(run.failure) as FailureInfo),
      runId: run.run_id,
    };
  }
  const message =
    status === "TimedOut"
      ? "Workflow timed out"
      : status === "Terminated"
        ? "Workflow terminated"
        : `Workflow ${status}`;
  const failure: FailureInfo = {
    message,
    type:
      status === "TimedOut"
        ? "TimeoutFailure"
        : status === "Terminated"
          ? "TerminatedFailure"
          : status,
  };
  if (status === "Terminated" && terminateReason !== undefined) {
    failure.message = `Workflow terminated: ${terminateReason}`;
  }
  return { status, failure, runId: run.run_id };
}

/** A run's search attributes as list shows them: plain values, those removed (null) left out. */
export function describedSearchAttributes(
  stored: string | null,
): WorkflowDescription["searchAttributes"] {
  const raw = stored ? (JSON.parse(stored) as WorkflowDescription["searchAttributes"]) : {};
  try {
    return plainSearchAttributes(toSearchAttributes(raw));
  } catch {
    return raw; // stored before validation: as it was given
  }
}
