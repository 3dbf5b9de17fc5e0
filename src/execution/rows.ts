/**
 * @module The rows of the execution's tables as the engine reads them (types only; schema.ts owns
 * the DDL). Pure modules (projections, transitions) take these, so they need no SQL.
 */
import type { TimeoutType } from "../../sdk/common/failures";
import type { ExecutionStatus } from "../../sdk/common/wire";

export type RunRow = {
  run_id: string;
  run_no: number;
  workflow_type: string;
  task_queue: string;
  status: ExecutionStatus;
  start_ms: number;
  close_ms: number | null;
  result: string | null;
  failure: string | null;
  next_run_id: string | null;
  history_length: number;
  next_task_id: number;
  wft_attempt: number;
  wft_failure: string | null;
  attempt: number;
  memo: string | null;
  search_attributes: string | null;
  parent: string | null;
  cancel_requested: number;
  /** JSON CloseNotifyTarget (rpc.ts): who hears of the final close; null for most runs. */
  close_notify?: string | null;
};

export type ChildRow = {
  run_id: string;
  seq: number;
  workflow_id: string;
  workflow_type: string;
  child_run_id: string | null;
  state: "Initiated" | "Started" | "Closed";
  parent_close_policy: "Terminate" | "RequestCancel" | "Abandon";
};

/** An activity's lifecycle state: Scheduled (queued) → Started → (Backoff → Scheduled)* → row deleted. */
export type ActivityState = "Scheduled" | "Started" | "Backoff";

export type ActivityRow = {
  run_id: string;
  seq: number;
  activity_id: string;
  activity_type: string;
  input: string;
  options: string;
  attempt: number;
  state: ActivityState;
  first_scheduled_ms: number;
  scheduled_ms: number;
  started_ms: number | null;
  last_failure: string | null;
  heartbeat_details: string | null;
  last_heartbeat_ms: number | null;
  next_attempt_ms: number | null;
  last_attempt_ms: number | null;
  started_by: string | null;
  /**
   * The deadline of the current state (engine ms), kept on the row rather than as a `timers` row, so
   * a step writes no timer (the alarm reads the earliest of both): while Scheduled, the dispatch
   * lease (its `Redispatch`); while Started, the start-to-close timeout. Null otherwise, and absent
   * before schema 6 (such rows' timers are `timers` rows, which still fire).
   */
  deadline_ms?: number | null;
};

/** `user` is a workflow's own timer (ctx.sleep); the others are the engine's. */
export type TimerKind =
  | "timer"
  | "activity"
  | "wft"
  | "run-timeout"
  | "exec-timeout"
  /** A closed run's deletion (src/retention/retention.ts). */
  | "retention";

export type TimerRow = {
  key: string;
  run_id: string;
  kind: TimerKind;
  fire_at_ms: number;
  data: string | null;
};

/** What an activity timer is for: one of the four timeouts, the retry backoff, or the dispatch lease. */
export type ActivityTimerPurpose = TimeoutType | "Retry" | "Redispatch";

/** The `data` of an activity timer: which activity and attempt it fires for. */
export type ActivityTimerData = {
  seq: number;
  attempt: number;
  type: ActivityTimerPurpose;
};
