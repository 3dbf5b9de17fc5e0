/** @module Commands: what workflow code asks for, in the imperative. Each becomes exactly one command event. */
import type { FailureInfo } from "../../sdk/common/failures";
import type { ResolvedRetryPolicy } from "../../sdk/common/retry-policy";
import {
  type ActivityOptionsMs,
  type EventAttributes,
  type EventType,
  type HistoryEvent,
  type NewEvent,
  newEvent,
  type Payload,
} from "../history/events";

export type Command =
  | {
      type: "ScheduleActivity";
      seq: number;
      activityId: string;
      activityType: string;
      input: Payload;
      options: ActivityOptionsMs;
    }
  | { type: "StartTimer"; seq: number; durationMs: number }
  | {
      type: "RunLocalActivity";
      seq: number;
      activityType: string;
      input: Payload;
      startToCloseTimeoutMs: number;
      /** Bound on all attempts together (absent: only the retry policy ends them). */
      scheduleToCloseTimeoutMs?: number;
      retry: ResolvedRetryPolicy;
    }
  | { type: "CompleteWorkflow"; result: Payload }
  | { type: "FailWorkflow"; failure: FailureInfo }
  | { type: "CancelTimer"; seq: number }
  | { type: "RequestCancelActivity"; seq: number }
  | { type: "CancelWorkflow" }
  | { type: "ContinueAsNew"; workflowType: string; input?: Payload; taskQueue: string }
  | { type: "CompleteUpdate"; updateId: string; result?: Payload; failure?: FailureInfo }
  | { type: "RecordPatch"; patchId: string; deprecated: boolean }
  | { type: "UpsertSearchAttributes"; searchAttributes: Payload }
  | ({ type: "StartChild" } & EventAttributes["StartChildWorkflowExecutionInitiated"])
  | { type: "SignalExternal"; seq: number; workflowId: string; signalName: string; input: Payload }
  | { type: "CancelExternal"; seq: number; workflowId: string };

/** Commands that end the run. */
export const CLOSE_COMMANDS: ReadonlySet<Command["type"]> = new Set([
  "CompleteWorkflow",
  "FailWorkflow",
  "CancelWorkflow",
  "ContinueAsNew",
]);

export const COMMAND_EVENT: Record<Command["type"], EventType> = {
  ScheduleActivity: "ActivityTaskScheduled",
  StartTimer: "TimerStarted",
  RunLocalActivity: "MarkerRecorded",
  CompleteWorkflow: "WorkflowExecutionCompleted",
  FailWorkflow: "WorkflowExecutionFailed",
  CancelTimer: "TimerCanceled",
  RequestCancelActivity: "ActivityTaskCancelRequested",
  CancelWorkflow: "WorkflowExecutionCanceled",
  ContinueAsNew: "WorkflowExecutionContinuedAsNew",
  CompleteUpdate: "WorkflowExecutionUpdateCompleted",
  RecordPatch: "MarkerRecorded",
  UpsertSearchAttributes: "UpsertWorkflowSearchAttributes",
  StartChild: "StartChildWorkflowExecutionInitiated",
  SignalExternal: "SignalExternalWorkflowExecutionInitiated",
  CancelExternal: "RequestCancelExternalWorkflowExecutionInitiated",
};

/** A short human description, for non-determinism messages. */
export function describeCommand(cmd: Command): string {
  switch (cmd.type) {
    case "ScheduleActivity":
    case "RunLocalActivity":
      return `${cmd.type}(seq ${cmd.seq}, ${cmd.activityType})`;
    case "StartChild":
      return `StartChild(seq ${cmd.seq}, ${cmd.workflowType})`;
    case "StartTimer":
    case "CancelTimer":
    case "RequestCancelActivity":
    case "SignalExternal":
    case "CancelExternal":
      return `${cmd.type}(seq ${cmd.seq})`;
    case "RecordPatch":
      return `RecordPatch(${cmd.patchId})`;
    case "CompleteUpdate":
      return `CompleteUpdate(${cmd.updateId})`;
    default:
      return cmd.type;
  }
}

export function describeEvent(ev: HistoryEvent): string {
  const a = ev.attributes as { seq?: number; activityType?: string; patchId?: string };
  const parts = [
    a.seq !== undefined ? `seq ${a.seq}` : "",
    a.activityType ?? "",
    a.patchId ? `patch ${a.patchId}` : "",
  ].filter(Boolean);
  return `#${ev.eventId} ${ev.eventType}${parts.length ? `(${parts.join(", ")})` : ""}`;
}

/** Whether a recorded command event is the one this command would produce. */
export function commandMatches(cmd: Command, ev: HistoryEvent): boolean {
  if (COMMAND_EVENT[cmd.type] !== ev.eventType) return false;
  const a = ev.attributes as {
    seq?: number;
    activityType?: string;
    markerName?: string;
    patchId?: string;
    updateId?: string;
    workflowType?: string;
  };
  switch (cmd.type) {
    case "ScheduleActivity":
      return a.seq === cmd.seq && a.activityType === cmd.activityType;
    case "RunLocalActivity":
      return (
        a.markerName === "LocalActivity" && a.seq === cmd.seq && a.activityType === cmd.activityType
      );
    case "RecordPatch":
      return a.markerName === "Patch" && a.patchId === cmd.patchId;
    case "StartChild":
      return a.seq === cmd.seq && a.workflowType === cmd.workflowType;
    case "StartTimer":
    case "CancelTimer":
    case "RequestCancelActivity":
    case "SignalExternal":
    case "CancelExternal":
      return a.seq === cmd.seq;
    case "CompleteUpdate":
      return a.updateId === cmd.updateId;
    default:
      return true;
  }
}

/**
 * The event a command records. Local activities (whose marker carries the activity's outcome) are
 * the caller's; `newRunId` names the run a ContinueAsNew starts.
 */
export function commandEvent(
  cmd: Exclude<Command, { type: "RunLocalActivity" }>,
  nowMs: number,
  newRunId = "",
): NewEvent {
  switch (cmd.type) {
    case "ScheduleActivity":
      return newEvent("ActivityTaskScheduled", {
        seq: cmd.seq,
        activityId: cmd.activityId,
        activityType: cmd.activityType,
        input: cmd.input,
        ...cmd.options,
      });
    case "StartTimer":
      return newEvent("TimerStarted", {
        seq: cmd.seq,
        timerId: String(cmd.seq),
        durationMs: cmd.durationMs,
        fireAtMs: nowMs + cmd.durationMs,
      });
    case "CompleteWorkflow":
      return newEvent("WorkflowExecutionCompleted", { result: cmd.result });
    case "FailWorkflow":
      return newEvent("WorkflowExecutionFailed", {
        failure: cmd.failure,
        retryState: "RetryPolicyNotSet",
      });
    case "CancelTimer":
      return newEvent("TimerCanceled", { seq: cmd.seq, timerId: String(cmd.seq) });
    case "RequestCancelActivity":
      return newEvent("ActivityTaskCancelRequested", { seq: cmd.seq });
    case "CancelWorkflow":
      return newEvent("WorkflowExecutionCanceled", {});
    case "ContinueAsNew":
      return newEvent("WorkflowExecutionContinuedAsNew", {
        newExecutionRunId: newRunId,
        workflowType: cmd.workflowType,
        input: cmd.input,
        taskQueue: cmd.taskQueue,
      });
    case "CompleteUpdate":
      return newEvent("WorkflowExecutionUpdateCompleted", {
        updateId: cmd.updateId,
        ...(cmd.result !== undefined ? { result: cmd.result } : {}),
        ...(cmd.failure ? { failure: cmd.failure } : {}),
      });
    case "RecordPatch":
      return newEvent("MarkerRecorded", {
        markerName: "Patch",
        patchId: cmd.patchId,
        deprecated: cmd.deprecated,
      });
    case "UpsertSearchAttributes":
      return newEvent("UpsertWorkflowSearchAttributes", {
        searchAttributes: cmd.searchAttributes,
      });
    case "StartChild": {
      const { type: _type, ...attributes } = cmd;
      return newEvent("StartChildWorkflowExecutionInitiated", attributes);
    }
    case "SignalExternal":
      return newEvent("SignalExternalWorkflowExecutionInitiated", {
        seq: cmd.seq,
        workflowId: cmd.workflowId,
        signalName: cmd.signalName,
        input: cmd.input,
      });
    case "CancelExternal":
      return newEvent("RequestCancelExternalWorkflowExecutionInitiated", {
        seq: cmd.seq,
        workflowId: cmd.workflowId,
      });
  }
}
