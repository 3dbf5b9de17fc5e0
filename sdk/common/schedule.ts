/**
 * @module Wire types of API.md's Schedules section, shared by the engine's API and the typed
 * client. Pure types and one const list (the overlap policies).
 */
import type { Duration } from "./duration";
import type { JsonValue } from "./wire";

/** What an action does while an earlier action of the schedule is still running (Temporal's names). */
export const OVERLAP_POLICIES = [
  "Skip",
  "BufferOne",
  "BufferAll",
  "CancelOther",
  "TerminateOther",
  "AllowAll",
] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/**
 * A calendar spec: each field a range or list (`"9"`, `"1-5"`, `"MON-FRI"`, `"0,30"`, `"*"`), as
 * text or a number; an absent field means every value (`second`/`minute`/`hour`: 0).
 */
export interface CalendarSpec {
  second?: string | number;
  minute?: string | number;
  hour?: string | number;
  dayOfMonth?: string | number;
  month?: string | number;
  dayOfWeek?: string | number;
  year?: string | number;
  comment?: string;
}

/** When a schedule acts: the union of its cron strings, calendars and intervals, minus `skip`. */
export interface ScheduleSpec {
  cron?: string[];
  intervals?: { every: Duration; offset?: Duration }[];
  calendars?: CalendarSpec[];
  /** IANA time zone of cron and calendars; default UTC. */
  timezone?: string;
  startAt?: string | null;
  endAt?: string | null;
  /** A random delay in [0, jitter) per action, fixed for a given nominal time. */
  jitter?: Duration;
  skip?: CalendarSpec[];
}

/** The start body of API.md without `workflowId` and `requestId` (the schedule chooses both). */
export interface ScheduleStartWorkflow {
  workflowType: string;
  /** The started workflow's id is `<workflowIdPrefix or scheduleId>-<nominal time, ISO>`. */
  workflowIdPrefix?: string;
  input?: JsonValue;
  taskQueue?: string;
  idReusePolicy?:
    | "AllowDuplicate"
    | "AllowDuplicateFailedOnly"
    | "RejectDuplicate"
    | "TerminateIfRunning";
  idConflictPolicy?: "Fail" | "UseExisting";
  startDelay?: Duration;
  executionTimeout?: Duration;
  runTimeout?: Duration;
  retryPolicy?: {
    initialInterval?: Duration;
    backoffCoefficient?: number;
    maximumInterval?: Duration;
    maximumAttempts?: number;
    nonRetryableErrorTypes?: string[];
  };
  memo?: Record<string, JsonValue>;
  searchAttributes?: Record<string, JsonValue>;
}

export interface SchedulePolicies {
  /** Default `Skip`. */
  overlap?: OverlapPolicy;
  /** After downtime, missed actions older than this are counted, not run. Default 365 days. */
  catchupWindow?: Duration;
  /** A failed or timed-out action pauses the schedule with a note. Default false. */
  pauseOnFailure?: boolean;
}

export interface ScheduleState {
  paused?: boolean;
  note?: string;
  /** A number limits the scheduled actions still to take; null: no limit. */
  remainingActions?: number | null;
}

/** The body of a create (`POST /schedules`); an update (`PUT`) is the same without `scheduleId`. */
export interface ScheduleBody {
  scheduleId: string;
  spec: ScheduleSpec;
  action: { startWorkflow: ScheduleStartWorkflow };
  policies?: SchedulePolicies;
  state?: ScheduleState;
  memo?: Record<string, JsonValue>;
  searchAttributes?: Record<string, JsonValue>;
}

/** The outcome of one action, as `recentActions` shows it. */
export type ScheduleActionStatus =
  | "Running"
  | "Completed"
  | "Failed"
  | "Canceled"
  | "Terminated"
  | "TimedOut"
  | "StartFailed";

export interface ScheduleActionResult {
  scheduledTime: string;
  actualTime: string;
  workflowId: string;
  runId: string | null;
  status: ScheduleActionStatus;
}

export interface ScheduleInfo {
  /** The next 10 action times (nominal time plus jitter); empty while paused or used up. */
  nextActionTimes: string[];
  recentActions: ScheduleActionResult[];
  runningWorkflows: { workflowId: string; runId: string | null }[];
  actionCount: number;
  missedCatchupWindow: number;
  overlapSkipped: number;
  /** Actions waiting for the running ones to close (BufferOne, BufferAll, CancelOther, TerminateOther). */
  bufferedActions: number;
  createTime: string;
  updateTime: string;
}

/** `GET /schedules/{id}`: the schedule as stored (policies and state with their defaults), and info. */
export interface ScheduleDescription {
  scheduleId: string;
  spec: ScheduleSpec;
  /** The spec in words. */
  specDescription: string;
  action: { startWorkflow: ScheduleStartWorkflow };
  policies: Required<Pick<SchedulePolicies, "overlap" | "pauseOnFailure">> & {
    catchupWindow: Duration;
  };
  state: { paused: boolean; note: string; remainingActions: number | null };
  memo: Record<string, JsonValue>;
  searchAttributes: Record<string, JsonValue>;
  info: ScheduleInfo;
}

/** One schedule of `GET /schedules`. */
export interface ScheduleListEntry {
  scheduleId: string;
  workflowType: string;
  specDescription: string;
  paused: boolean;
  note: string;
  nextActionTime: string | null;
  createTime: string;
  updateTime: string;
}

export interface ListSchedulesResponse {
  schedules: ScheduleListEntry[];
  nextPageToken: string | null;
}
