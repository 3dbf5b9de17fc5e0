/** @module Commands: what workflow code asks for, in the imperative. Each becomes exactly one command event. */
import type { FailureInfo } from "../../sdk/common/failures";
import type { ResolvedRetryPolicy } from "../../sdk/common/retry-policy";
import type { ActivityOptionsMs, EventType, HistoryEvent, Payload } from "../history/events";

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
      retry: ResolvedRetryPolicy;
    }
  | { type: "CompleteWorkflow"; result: Payload }
  | { type: "FailWorkflow"; failure: FailureInfo };

export const COMMAND_EVENT: Record<Command["type"], EventType> = {
  ScheduleActivity: "ActivityTaskScheduled",
  StartTimer: "TimerStarted",
  RunLocalActivity: "MarkerRecorded",
  CompleteWorkflow: "WorkflowExecutionCompleted",
  FailWorkflow: "WorkflowExecutionFailed",
};

/** A short human description, for non-determinism messages. */
export function describeCommand(cmd: Command): string {
  switch (cmd.type) {
    case "ScheduleActivity":
      return `ScheduleActivity(seq ${cmd.seq}, ${cmd.activityType})`;
    case "RunLocalActivity":
      return `RunLocalActivity(seq ${cmd.seq}, ${cmd.activityType})`;
    case "StartTimer":
      return `StartTimer(seq ${cmd.seq})`;
    case "CompleteWorkflow":
    case "FailWorkflow":
      return cmd.type;
  }
}

export function describeEvent(ev: HistoryEvent): string {
  const a = ev.attributes as { seq?: number; activityType?: string };
  const parts = [a.seq !== undefined ? `seq ${a.seq}` : "", a.activityType ?? ""].filter(Boolean);
  return `#${ev.eventId} ${ev.eventType}${parts.length ? `(${parts.join(", ")})` : ""}`;
}

/** Whether a recorded command event is the one this command would produce. */
export function commandMatches(cmd: Command, ev: HistoryEvent): boolean {
  if (COMMAND_EVENT[cmd.type] !== ev.eventType) return false;
  switch (cmd.type) {
    case "ScheduleActivity":
    case "RunLocalActivity": {
      const a = ev.attributes as { seq: number; activityType: string };
      return a.seq === cmd.seq && a.activityType === cmd.activityType;
    }
    case "StartTimer":
      return (ev.attributes as { seq: number }).seq === cmd.seq;
    case "CompleteWorkflow":
    case "FailWorkflow":
      return true;
  }
}
