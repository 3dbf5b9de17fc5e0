/** @module What the schedule object stores and is sent (types only). */
import type { ResolvedRetryPolicy } from "../../sdk/common/retry-policy";
import type { OverlapPolicy } from "../../sdk/common/schedule";
import type { IdConflictPolicy, IdReusePolicy } from "../../sdk/common/wire";

/** The start request of each action, without the fields the action sets (id, requestId, notify). */
export interface StartTemplate {
  workflowType: string;
  /** JSON text; absent: no input. */
  input?: string;
  taskQueue: string;
  idReusePolicy: IdReusePolicy;
  idConflictPolicy: IdConflictPolicy;
  startDelayMs?: number;
  executionTimeoutMs?: number;
  runTimeoutMs?: number;
  retryPolicy?: ResolvedRetryPolicy;
  /** JSON text. */
  memo?: string;
  /** The user's search attributes (validated); ScheduleId and ScheduledStartTime are added per action. */
  searchAttributes?: Record<string, unknown>;
}

/** A validated create or update body (definition.ts), as the object stores it. */
export interface ScheduleDefinition {
  scheduleId: string;
  /** The spec as sent (compiled again by the object; compileSpec is pure and fast). */
  specJson: string;
  /** The action as sent, echoed by describe. */
  actionJson: string;
  template: StartTemplate;
  workflowIdPrefix: string;
  overlap: OverlapPolicy;
  catchupWindowMs: number;
  /** The window as sent (or the default), echoed by describe. */
  catchupWindowText: string | number;
  pauseOnFailure: boolean;
  paused: boolean;
  note: string;
  remainingActions: number | null;
  memoJson: string;
  searchAttributesJson: string;
}
