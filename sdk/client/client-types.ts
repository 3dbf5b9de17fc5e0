/** @module The client's option, response and handle types (see client.ts for createClient). */
import type { Duration } from "../common/duration";
import type { RetryPolicy } from "../common/retry-policy";
import type {
  HistoryResponse,
  IdConflictPolicy,
  IdReusePolicy,
  ResultResponse,
  WireEvent,
  WorkflowDescription,
} from "../common/wire";
import type { WorkflowDefinition } from "../workflow/index";
import type { FetchLike } from "./http";

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** Where the engine Worker answers, e.g. `"https://sundial.example.workers.dev"` or `"http://127.0.0.1:8787"`. */
  baseUrl: string;
  /** Namespace of every call (`/api/v1/namespaces/{namespace}/…`). @default the server's `default` */
  namespace?: string;
  /** Sent as `Authorization: Bearer <apiKey>` when the engine has API keys configured. */
  apiKey?: string;
  /**
   * The `fetch` to use: a service binding's (`(input, init) => env.SUNDIAL.fetch(input, init)`)
   * or `SELF.fetch` in tests. @default globalThis.fetch
   */
  fetch?: FetchLike;
}

/**
 * Bound of the type parameter of {@link SundialClient.start}: any `WorkflowDefinition<I, O>`.
 * Pass one with `typeof`, as a type only, so no workflow code lands in the client's bundle.
 */
export type AnyWorkflowDefinition = WorkflowDefinition<never, unknown>;

/** The input type `I` of a `WorkflowDefinition<I, O>`. */
export type WorkflowInput<W extends AnyWorkflowDefinition> = Parameters<W["run"]>[1];

/** The result type `O` of a `WorkflowDefinition<I, O>`. */
export type WorkflowOutput<W extends AnyWorkflowDefinition> = Awaited<ReturnType<W["run"]>>;

/** Options of a start that do not depend on the workflow's input type. See API.md, "Start". */
export interface StartWorkflowBaseOptions {
  /** The workflow id; at most one run per id is open at a time. @default a new UUID */
  workflowId?: string;
  /** Task queue its activities go to unless they name one. @default "default" */
  taskQueue?: string;
  /** What to do when a closed run with this id exists. @default "AllowDuplicate" */
  idReusePolicy?: IdReusePolicy;
  /** What to do when a run with this id is running. @default "Fail" (a `409 AlreadyStarted`) */
  idConflictPolicy?: IdConflictPolicy;
  /**
   * Deduplicates starts: a start repeating a `requestId` starts nothing new and answers the run
   * it started. @default a new UUID per `start()` call, which makes its one retry safe
   */
  requestId?: string;
  /** Delay before the first workflow task. */
  startDelay?: Duration;
  /** Deadline of the whole chain of runs (retries, continue-as-new). */
  executionTimeout?: Duration;
  /** Deadline of one run. */
  runTimeout?: Duration;
  /** Retries of the whole workflow when a run fails. @default no retries */
  retryPolicy?: RetryPolicy;
  /** Free-form JSON shown by describe; not indexed. */
  memo?: Record<string, unknown>;
  /** Indexed attributes for list queries, e.g. `{ CustomerId: "c-7" }`. */
  searchAttributes?: Record<string, unknown>;
  /** Signal-with-start: delivered atomically with the start (sent as the body's `signal`). */
  signalWithStart?: { name: string; input?: unknown };
}

/**
 * Options of {@link SundialClient.start}. `input` is typed by the workflow definition, and
 * required unless the workflow accepts `undefined`.
 */
export type StartWorkflowOptions<I = unknown> = StartWorkflowBaseOptions &
  (undefined extends I ? { input?: I } : { input: I });

/** Options of {@link WorkflowHandle.result}. */
export interface ResultOptions {
  /**
   * How long each long-poll waits on the server before asking again (at most 60s).
   * `result()` keeps polling until the workflow closes or `signal` aborts. @default "60s"
   */
  wait?: Duration;
  /**
   * Follow the chain of runs (workflow retries, continue-as-new) from this handle's run to the
   * last one, as Temporal does. When `false`, the outcome of the handle's own run is returned.
   * @default true
   */
  followRuns?: boolean;
  /** Stops waiting: `result()` rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Options of {@link WorkflowHandle.history}: one page of events. */
export interface HistoryOptions {
  /** Skip events up to and including this `eventId`. */
  after?: number;
  /** Max events in the page (1–1000). @default 1000 */
  limit?: number;
  /** `nextPageToken` of the previous page. */
  nextPageToken?: string;
}

/** Options of {@link WorkflowHandle.pollResult}. */
export interface PollResultOptions {
  /** How long the server may hold the request while the run is open (at most 60s). @default 0 */
  wait?: Duration;
  /** Abandons the request. */
  signal?: AbortSignal;
}

/** Options of {@link WorkflowHandle.followHistory}. */
export interface FollowHistoryOptions {
  /** Start after this `eventId` (as `Last-Event-ID` does). @default 0, the whole history */
  after?: number;
  /** Stops following: the iteration ends by rejecting with the signal's reason. */
  signal?: AbortSignal;
  /** Between two history reads when the server cannot stream (no SSE). @default "1s" */
  pollInterval?: Duration;
}

/** The event types that close a run: a followed history ends with one of them. */
export const CLOSING_EVENT_TYPES: ReadonlySet<string> = new Set([
  "WorkflowExecutionCompleted",
  "WorkflowExecutionFailed",
  "WorkflowExecutionTimedOut",
  "WorkflowExecutionCanceled",
  "WorkflowExecutionTerminated",
  "WorkflowExecutionContinuedAsNew",
]);

/** One entry of {@link SundialClient.list}: a description without the pending lists. */
export type WorkflowExecutionInfo = Omit<
  WorkflowDescription,
  "pendingActivities" | "pendingTimers" | "pendingChildren" | "pendingDeliveries"
>;

/** A page of {@link SundialClient.list}. */
export interface ListWorkflowsResponse {
  executions: WorkflowExecutionInfo[];
  nextPageToken: string | null;
}

/** Options of {@link SundialClient.list}. */
export interface ListWorkflowsOptions {
  /** A visibility query, e.g. `WorkflowType = 'loanApplication' AND ExecutionStatus = 'Running'`. */
  query?: string;
  /** Max executions in the page. */
  pageSize?: number;
  /** `nextPageToken` of the previous page. */
  nextPageToken?: string;
}

/**
 * A workflow execution, by id and optionally run. Typed by its workflow definition, so
 * {@link result} resolves with the workflow's result type `O`.
 */
export interface WorkflowHandle<O = unknown> {
  /** The workflow id. */
  readonly workflowId: string;
  /** The run this handle is pinned to; `undefined` means the latest run of the id. */
  readonly runId: string | undefined;
  /**
   * Waits for the workflow to close. Long-polls `GET …/result?wait=60s` again and again.
   * @returns the result when it completed.
   * @throws {@link WorkflowFailedError} when it failed, was canceled or terminated, or timed out.
   * @throws {@link SundialApiError} when the API refuses (e.g. `NotFound`).
   */
  result(options?: ResultOptions): Promise<O>;
  /** Describes the run: status, times, pending activities and timers. */
  describe(): Promise<WorkflowDescription>;
  /** One page of the run's history. Pass `nextPageToken` back for the next one. */
  history(options?: HistoryOptions): Promise<HistoryResponse>;
  /** The run's whole history, every page fetched in turn. */
  fetchAllHistory(): Promise<WireEvent[]>;
  /**
   * The run's history, live: every event after `options.after`, in order and once each, as it is
   * appended, ending after the event that closes the run. Streams `GET …/history` with
   * `Accept: text/event-stream` and reconnects with `Last-Event-ID` when the connection drops; a
   * server that does not stream is polled instead.
   * @example
   * for await (const event of handle.followHistory()) console.log(event.eventId, event.eventType);
   */
  followHistory(options?: FollowHistoryOptions): AsyncIterable<WireEvent>;
  /**
   * One look at the run's outcome, waiting up to `options.wait` for it to close: the raw answer of
   * `GET …/result`, `{status: "Running"}` when still open. Unlike {@link result} it does not throw
   * for a run that failed, and does not follow the chain of runs past a pinned `runId`.
   */
  pollResult(options?: PollResultOptions): Promise<ResultResponse>;
  /**
   * Sends a signal to the running workflow (latest run of the id). It carries a `requestId`
   * (a new UUID unless given), so a retried signal is delivered once.
   */
  signal(signalName: string, input?: unknown, options?: { requestId?: string }): Promise<void>;
  /** Runs a query handler; read-only, recorded nowhere. */
  query<R = unknown>(queryName: string, input?: unknown): Promise<R>;
  /**
   * Runs an update handler and resolves with its result once it finished.
   * @throws {@link WorkflowUpdateFailedError} when it was accepted but its handler threw.
   */
  update<R = unknown>(
    updateName: string,
    input?: unknown,
    options?: { updateId?: string },
  ): Promise<R>;
  /** Requests cancellation; the workflow decides how to wind down. */
  cancel(reason?: string): Promise<void>;
  /** Ends the run at once; no workflow code runs. */
  terminate(reason?: string): Promise<void>;
}

/** The handle {@link SundialClient.start} returns: pinned to the run it started or found. */
export interface StartedWorkflowHandle<O = unknown> extends WorkflowHandle<O> {
  /** The run started (or, with `started: false`, the run found). */
  readonly runId: string;
  /** `false` when nothing new was started: a repeated `requestId`, or `idConflictPolicy: "UseExisting"`. */
  readonly started: boolean;
}

/** A client of one Sundial engine (and one namespace). */
export interface SundialClient {
  /**
   * Starts a workflow by type name. Give the definition's type for a typed input and result:
   * `client.start<typeof loanApplication>("loanApplication", { workflowId, input })`.
   * @throws {@link SundialApiError} `InvalidArgument` for an unknown type or a bad option,
   * `AlreadyStarted` when the id policies forbid the start.
   */
  start<W extends AnyWorkflowDefinition = WorkflowDefinition<unknown, unknown>>(
    workflowType: string,
    options: StartWorkflowOptions<WorkflowInput<W>>,
  ): Promise<StartedWorkflowHandle<WorkflowOutput<W>>>;
  /**
   * Starts a workflow given its definition (its `name` is the type). This bundles the workflow's
   * code into the caller; prefer the type-name overload where the bundle size matters.
   */
  start<W extends AnyWorkflowDefinition>(
    workflow: W,
    options: StartWorkflowOptions<WorkflowInput<W>>,
  ): Promise<StartedWorkflowHandle<WorkflowOutput<W>>>;
  /**
   * A handle to an existing workflow; makes no request. Without `runId` it addresses the
   * latest run of the id.
   */
  getHandle<W extends AnyWorkflowDefinition = WorkflowDefinition<unknown, unknown>>(
    workflowId: string,
    runId?: string,
  ): WorkflowHandle<WorkflowOutput<W>>;
  /** Lists executions, newest first. */
  list(options?: ListWorkflowsOptions): Promise<ListWorkflowsResponse>;
  /** Counts executions matching a visibility query. */
  count(query?: string): Promise<number>;
  /** Schedules: create, list, and a handle to describe, pause, trigger, backfill, update, delete. */
  readonly schedule: import("./schedule-client").ScheduleClient;
}
