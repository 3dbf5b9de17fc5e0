/**
 * @module What describe and the list index show of a schedule, pure: the stored definition echoed
 * as sent (with the defaults of policies and state), and its info (next action times, recent
 * actions, running workflows, counters).
 */
import type { ScheduleDescription } from "../../sdk/common/schedule";
import type { JsonValue } from "../../sdk/common/wire";
import type { ScheduleIndexRow } from "./index-store";
import { acts, nextActionTimes } from "./policy";
import { type CompiledSpec, describeSpec } from "./spec-api";
import type { RecentRow, RunningRow, ScheduleRow } from "./store";
import type { ScheduleDefinition } from "./types";

const iso = (ms: number) => new Date(ms).toISOString();

export function describeSchedule(input: {
  row: ScheduleRow;
  def: ScheduleDefinition;
  spec: CompiledSpec;
  running: RunningRow[];
  recent: RecentRow[];
  buffered: number;
}): ScheduleDescription {
  const { row, def, spec } = input;
  const paused = row.paused === 1;
  const next = acts({ paused, remainingActions: row.remaining_actions })
    ? nextActionTimes(spec, row.schedule_id, row.cursor_ms, 10)
    : [];
  return {
    scheduleId: row.schedule_id,
    spec: JSON.parse(def.specJson) as ScheduleDescription["spec"],
    specDescription: describeSpec(spec),
    action: JSON.parse(def.actionJson) as ScheduleDescription["action"],
    policies: {
      overlap: def.overlap,
      catchupWindow: def.catchupWindowText,
      pauseOnFailure: def.pauseOnFailure,
    },
    state: { paused, note: row.note, remainingActions: row.remaining_actions },
    memo: JSON.parse(def.memoJson) as Record<string, JsonValue>,
    searchAttributes: JSON.parse(def.searchAttributesJson) as Record<string, JsonValue>,
    info: {
      nextActionTimes: next.map((n) => iso(n.actionMs)),
      recentActions: input.recent.map((r) => ({
        scheduledTime: iso(r.nominal_ms),
        actualTime: iso(r.actual_ms),
        workflowId: r.workflow_id,
        runId: r.run_id,
        status: r.status,
      })),
      runningWorkflows: input.running.map((r) => ({ workflowId: r.workflow_id, runId: r.run_id })),
      actionCount: row.action_count,
      missedCatchupWindow: row.missed_catchup,
      overlapSkipped: row.overlap_skipped,
      bufferedActions: input.buffered,
      createTime: iso(row.create_ms),
      updateTime: iso(row.update_ms),
    },
  };
}

/** The schedule's row of the D1 list index. */
export function indexRow(
  row: ScheduleRow,
  def: ScheduleDefinition,
  spec: CompiledSpec,
  nextActionMs: number | null,
): ScheduleIndexRow {
  return {
    namespace: row.namespace,
    scheduleId: row.schedule_id,
    workflowType: def.template.workflowType,
    specDescription: describeSpec(spec).slice(0, 1000),
    paused: row.paused === 1,
    note: row.note,
    nextActionMs,
    createMs: row.create_ms,
    updateMs: row.update_ms,
    version: row.index_version,
  };
}
