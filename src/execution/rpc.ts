/** @module The RPC surface of a WorkflowExecution object, as the Worker (API, reporter) calls it. */
import type { ResolvedRetryPolicy } from "../../sdk/common/retry-policy";
import type { ErrorCode, IdConflictPolicy, IdReusePolicy } from "../../sdk/common/wire";

/** A validated start request. Payloads are JSON text. */
export interface StartRequest {
  namespace: string;
  workflowId: string;
  workflowType: string;
  /** Absent: started without input (workflow code gets `undefined`), apart from an explicit `null`. */
  input?: string;
  taskQueue: string;
  idReusePolicy: IdReusePolicy;
  idConflictPolicy: IdConflictPolicy;
  requestId?: string;
  startDelayMs?: number;
  executionTimeoutMs?: number;
  runTimeoutMs?: number;
  retryPolicy?: ResolvedRetryPolicy;
  memo?: string;
  searchAttributes?: string;
  /** Signal-with-start: delivered to the new run with its first task, or to the running run. */
  signal?: { name: string; input?: string; requestId?: string };
  /**
   * How long each closed run is kept (the namespace's retention, set by the API); absent: the
   * execution's earlier value, else the engine's default (src/retention/retention.ts).
   */
  retentionMs?: number;
  /**
   * Who hears of the execution's final close (a schedule, for its overlap policy): kept across
   * continue-as-new and workflow retries; only the last run's close is reported.
   */
  closeNotify?: CloseNotifyTarget;
}

/** Where a run's final close is reported (see {@link StartRequest.closeNotify}). */
export interface CloseNotifyTarget {
  kind: "schedule";
  namespace: string;
  scheduleId: string;
}

/** What a closing execution tells its {@link CloseNotifyTarget}. */
export interface CloseNotice {
  workflowId: string;
  runId: string;
  status: "Completed" | "Failed" | "Canceled" | "Terminated" | "TimedOut";
  /** The failure's message (Failed), cut to 1,000 characters. */
  failureMessage?: string;
}

export interface RpcError {
  code: ErrorCode;
  message: string;
}

export type StartReply =
  | { ok: true; runId: string; started: boolean }
  | { ok: false; error: RpcError };

/**
 * A ready HTTP answer: `body` is the JSON text of the API.md response (or error). Read endpoints
 * answer this way so payloads stored as JSON text are spliced in, not parsed and re-serialized.
 */
export interface Reply {
  status: number;
  body: string;
  /** Extra response headers (e.g. `retry-after` on a 429). */
  headers?: Record<string, string>;
}

/**
 * One step of a live history (`watchHistory`): the run's events after the asked `eventId`, each as
 * the JSON text of its wire shape, and whether the stream is over (the run closed and nothing of it
 * is left to send). `runId` names the run, so the next step asks for the same one.
 */
export type HistoryWatch =
  | {
      ok: true;
      runId: string;
      events: { eventId: number; eventType: string; json: string }[];
      closed: boolean;
    }
  | { ok: false; reply: Reply };

/** The answer of a message RPC (signal, cancel, terminate, child report). */
export type Ack = { ok: true } | { ok: false; error: RpcError };

/** Where a child workflow reports: its parent's run and the command's sequence number. */
export interface ParentRef {
  namespace: string;
  workflowId: string;
  runId: string;
  seq: number;
}

/** A child's final outcome, sent to its parent. */
export interface ChildReport {
  parentRunId: string;
  seq: number;
  childRunId: string;
  status: "Completed" | "Failed" | "Canceled" | "Terminated" | "TimedOut";
  result?: string;
  failure?: import("../../sdk/common/failures").FailureInfo;
}

/**
 * A message to another execution, kept in the sender's outbox until delivered. Receivers dedupe
 * (by `requestId` or by the state of the child), so redelivery after a crash is harmless.
 * `fromRunId` + `seq` name the command whose outcome the reply records.
 */
export type OutboxMessage = { namespace: string; workflowId: string; fromRunId: string } & (
  | { op: "startChild"; seq: number; request: StartRequest; parent: ParentRef }
  | { op: "signal"; seq?: number; signalName: string; input: string; requestId: string }
  | { op: "cancel"; seq?: number; reason: string; requestId: string }
  | { op: "terminate"; reason: string }
  | { op: "childClosed"; report: ChildReport }
  /** A close notice: `namespace` and `workflowId` name the receiver (`workflowId` is its schedule id). */
  | { op: "closeNotice"; notify: CloseNotifyTarget; notice: CloseNotice }
);
