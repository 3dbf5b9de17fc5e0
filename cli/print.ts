/** @module The human-readable (non-`--json`) views of the workflow commands. */
import type {
  FailureInfo,
  ResultResponse,
  WireEvent,
  WorkflowDescription,
} from "../sdk/client/index";
import {
  type Cell,
  cell,
  compactJson,
  eventDetails,
  keyValues,
  prettyJson,
  table,
  time,
} from "./output";
import type { Run } from "./run";

export function printStarted(
  run: Run,
  workflowType: string,
  started: { workflowId: string; runId: string; started: boolean },
): void {
  run.out(
    started.started
      ? `Started workflow ${started.workflowId}`
      : `Workflow ${started.workflowId} was already started; nothing new started`,
  );
  run.out(
    keyValues([
      ["Workflow ID", started.workflowId],
      ["Run ID", started.runId],
      ["Type", workflowType],
    ]),
  );
}

export function printOutcome(run: Run, workflowId: string, outcome: ResultResponse): void {
  if (outcome.status === "Running") {
    run.out(
      keyValues([
        ["Workflow ID", workflowId],
        ["Status", "Running"],
      ]),
    );
    return;
  }
  const pairs: [string, Cell][] = [
    ["Workflow ID", workflowId],
    ["Run ID", outcome.runId],
    ["Status", outcome.status],
  ];
  if (outcome.status === "Completed") pairs.push(["Result", prettyJson(outcome.result)]);
  else pairs.push(["Failure", failureText(outcome.failure)]);
  run.out(keyValues(pairs));
}

/** A failure and its causes, one per line: `Type: message`. */
function failureText(failure: FailureInfo): string {
  const lines: string[] = [];
  let current: FailureInfo | undefined = failure;
  for (let depth = 0; current && depth < 10; depth++) {
    lines.push(`${depth === 0 ? "" : "caused by "}${current.type}: ${current.message}`);
    current = current.cause;
  }
  return lines.join("\n");
}

export function printDescription(run: Run, d: WorkflowDescription): void {
  const pairs: [string, Cell][] = [
    ["Workflow ID", d.workflowId],
    ["Run ID", d.runId],
    ["Type", d.workflowType],
    ["Status", d.status],
    ["Task queue", d.taskQueue],
    ["Start time", time(d.startTime)],
    ["Close time", time(d.closeTime)],
    ["History length", d.historyLength],
  ];
  if (d.attempt !== undefined && d.attempt > 1) pairs.push(["Attempt", d.attempt]);
  if (d.parent) pairs.push(["Parent", `${d.parent.workflowId} (run ${d.parent.runId})`]);
  if (!isEmpty(d.memo)) pairs.push(["Memo", compactJson(d.memo)]);
  if (!isEmpty(d.searchAttributes))
    pairs.push(["Search attributes", compactJson(d.searchAttributes)]);
  if (d.workflowTaskFailure) {
    const f = d.workflowTaskFailure;
    pairs.push(["Task failure", `${f.type}: ${f.message} (attempt ${f.attempt}, retrying)`]);
  }
  run.out(keyValues(pairs));
  const activities = d.pendingActivities ?? [];
  if (activities.length > 0) {
    run.out(`\nPending activities (${activities.length})`);
    run.out(
      table(
        ["ACTIVITY ID", "TYPE", "STATE", "ATTEMPT", "SCHEDULED", "LAST FAILURE", "LAST HEARTBEAT"],
        activities.map((a) => [
          a.activityId,
          a.activityType,
          a.state,
          a.attempt,
          a.scheduledTime,
          a.lastFailure ? compactJson(`${a.lastFailure.type}: ${a.lastFailure.message}`, 60) : null,
          a.lastHeartbeat
            ? `${a.lastHeartbeat.time} ${compactJson(a.lastHeartbeat.details, 40)}`
            : null,
        ]),
      ),
    );
  }
  const timers = d.pendingTimers ?? [];
  if (timers.length > 0) {
    run.out(`\nPending timers (${timers.length})`);
    run.out(
      table(
        ["TIMER ID", "FIRE TIME"],
        timers.map((t) => [t.timerId, time(t.fireTime)]),
      ),
    );
  }
  const children = (d.pendingChildren ?? []) as unknown[];
  if (children.length > 0) {
    run.out(`\nPending children (${children.length})`);
    run.out(children.map((c) => compactJson(c)).join("\n"));
  }
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === "object") return Object.keys(value).length === 0;
  return false;
}

export function eventCells(event: WireEvent): Cell[] {
  return [event.eventId, event.timestamp, event.eventType, eventDetails(event.attributes)];
}

/** A history line with fixed column widths, for output that cannot be aligned in advance. */
export function historyRow(cells: Cell[]): string {
  const [id, at, type, details] = cells.map(cell);
  return `${(id ?? "").padEnd(5)}  ${(at ?? "").padEnd(24)}  ${(type ?? "").padEnd(40)}  ${details ?? ""}`.trimEnd();
}
