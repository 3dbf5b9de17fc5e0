/** @module createClient: start workflows and follow them over Sundial's HTTP API (API.md). */
import { type Duration, toMs } from "../common/duration";
import type { FailureInfo } from "../common/failures";
import type { RetryPolicy } from "../common/retry-policy";
import type {
  HistoryResponse,
  IdConflictPolicy,
  IdReusePolicy,
  ResultResponse,
  StartResponse,
  WireEvent,
  WorkflowDescription,
} from "../common/wire";
import type { WorkflowDefinition } from "../workflow/index";
import { WorkflowFailedError, WorkflowUpdateFailedError } from "./errors";
import { discard, type FetchLike, HttpTransport, sleep } from "./http";
import { readSse } from "./sse";

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
}

/** How long one result long-poll may wait on the server (API.md's maximum). */
const MAX_WAIT_MS = 60_000;

/**
 * Creates a client of the Sundial HTTP API. Uses only `fetch`: runs on Node 20+ and in Workers.
 * Idempotent requests (GETs, and starts, which always carry a `requestId`) are retried once after
 * a network error or a 503.
 * @example
 * import { createClient } from "sundial/client";
 * import type { loanApplication } from "./workflows";
 * const client = createClient({ baseUrl: "http://127.0.0.1:8787" });
 * const handle = await client.start<typeof loanApplication>("loanApplication", {
 *   workflowId: "loan-42",
 *   input: { applicant: "Ada", amount: 5000 },
 * });
 * const result = await handle.result(); // typed: LoanResult
 */
export function createClient(options: ClientOptions): SundialClient {
  const http = new HttpTransport({
    baseUrl: options.baseUrl,
    namespace: options.namespace,
    apiKey: options.apiKey,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
  });

  return {
    async start<W extends AnyWorkflowDefinition>(
      workflow: string | W,
      startOptions: StartWorkflowOptions<WorkflowInput<W>>,
    ): Promise<StartedWorkflowHandle<WorkflowOutput<W>>> {
      const { signalWithStart, requestId, ...rest } = startOptions;
      const body = {
        workflowType: typeof workflow === "string" ? workflow : workflow.name,
        ...rest,
        requestId: requestId ?? crypto.randomUUID(),
        ...(signalWithStart ? { signal: signalWithStart } : {}),
      };
      const res = await http.send<StartResponse>({
        method: "POST",
        path: "/workflows",
        body,
        idempotent: true,
      });
      const { workflowId, runId, started } = res.body;
      return new StartedHandle<WorkflowOutput<W>>(http, workflowId, runId, started);
    },

    getHandle<W extends AnyWorkflowDefinition>(workflowId: string, runId?: string) {
      return new Handle<WorkflowOutput<W>>(http, workflowId, runId);
    },

    async list(listOptions = {}) {
      const res = await http.send<ListWorkflowsResponse>({
        method: "GET",
        path: "/workflows",
        query: { ...listOptions },
        idempotent: true,
      });
      return res.body;
    },

    async count(query) {
      const res = await http.send<{ count: number }>({
        method: "GET",
        path: "/workflow-count",
        query: { query },
        idempotent: true,
      });
      return res.body.count;
    },
  };
}

class Handle<O> implements WorkflowHandle<O> {
  readonly #http: HttpTransport;

  constructor(
    http: HttpTransport,
    readonly workflowId: string,
    readonly runId: string | undefined,
  ) {
    this.#http = http;
  }

  get #path(): string {
    return `/workflows/${encodeURIComponent(this.workflowId)}`;
  }

  async result(options: ResultOptions = {}): Promise<O> {
    const waitMs = Math.min(toMs(options.wait ?? MAX_WAIT_MS), MAX_WAIT_MS);
    const follow = options.followRuns ?? true;
    let runId = this.runId;
    for (;;) {
      const closed = await this.#pollUntilClosed(runId, waitMs, options.signal);
      if (closed.status === "Completed") return closed.result as O;
      // Without a runId the server already followed the chain to its newest run.
      if (follow && runId !== undefined) {
        const next = await this.#nextRunId(closed.runId);
        if (next) {
          runId = next;
          continue;
        }
      }
      throw new WorkflowFailedError(this.workflowId, closed.runId, closed.status, closed.failure);
    }
  }

  async pollResult(options: PollResultOptions = {}): Promise<ResultResponse> {
    const waitMs = Math.min(toMs(options.wait ?? 0), MAX_WAIT_MS);
    const res = await this.#http.send<ResultResponse>({
      method: "GET",
      path: `${this.#path}/result`,
      query: { runId: this.runId, wait: `${waitMs}ms` },
      idempotent: true,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return res.body;
  }

  async #pollUntilClosed(
    runId: string | undefined,
    waitMs: number,
    signal: AbortSignal | undefined,
  ): Promise<Exclude<ResultResponse, { status: "Running" }>> {
    let quickPolls = 0;
    for (;;) {
      const sent = Date.now();
      const res = await this.#http.send<ResultResponse>({
        method: "GET",
        path: `${this.#path}/result`,
        query: { runId, wait: `${waitMs}ms` },
        idempotent: true,
        ...(signal ? { signal } : {}),
      });
      const body = res.body;
      if (body.status !== "Running") return body;
      // A server that answers "Running" early (wait=0, a restart) must not turn this into a busy loop.
      const quick = waitMs === 0 || Date.now() - sent < Math.min(waitMs, 1000);
      if (quick) {
        quickPolls += 1;
        await sleep(Math.min(1000, 50 * 2 ** quickPolls), signal);
      } else {
        quickPolls = 0;
      }
    }
  }

  /** The run that followed `runId` (retry or continue-as-new), from its closing event. */
  async #nextRunId(runId: string): Promise<string | undefined> {
    const description = await this.#describe(runId);
    const page = await this.#history(runId, { after: description.historyLength - 1, limit: 1 });
    const next = page.events.at(-1)?.attributes.newExecutionRunId;
    return typeof next === "string" && next !== runId ? next : undefined;
  }

  describe(): Promise<WorkflowDescription> {
    return this.#describe(this.runId);
  }

  async #describe(runId: string | undefined): Promise<WorkflowDescription> {
    const res = await this.#http.send<WorkflowDescription>({
      method: "GET",
      path: this.#path,
      query: { runId },
      idempotent: true,
    });
    return res.body;
  }

  history(options: HistoryOptions = {}): Promise<HistoryResponse> {
    return this.#history(this.runId, options);
  }

  async #history(
    runId: string | undefined,
    options: HistoryOptions,
    signal?: AbortSignal,
  ): Promise<HistoryResponse> {
    const res = await this.#http.send<HistoryResponse>({
      method: "GET",
      path: `${this.#path}/history`,
      query: {
        runId,
        after: options.after,
        limit: options.limit,
        nextPageToken: options.nextPageToken || undefined,
      },
      idempotent: true,
      ...(signal ? { signal } : {}),
    });
    return res.body;
  }

  async fetchAllHistory(): Promise<WireEvent[]> {
    // A page token names its run, so a run starting meanwhile does not mix into this history.
    const events: WireEvent[] = [];
    let token: string | null | undefined;
    do {
      const page = await this.history(token ? { nextPageToken: token } : {});
      events.push(...page.events);
      token = page.nextPageToken;
    } while (token);
    return events;
  }

  async *followHistory(options: FollowHistoryOptions = {}): AsyncGenerator<WireEvent> {
    const { signal } = options;
    let last = options.after ?? 0;
    let idleReconnects = 0;
    // Reconnects stay on the run the first stream followed (the server names it), so a
    // continue-as-new while disconnected does not switch to the new run's history mid-way.
    let runId = this.runId;
    for (;;) {
      const res = await this.#http.open(
        {
          method: "GET",
          path: `${this.#path}/history`,
          query: { runId, after: last > 0 ? last : undefined },
          idempotent: true,
          ...(signal ? { signal } : {}),
        },
        "text/event-stream",
        last > 0 ? { "last-event-id": String(last) } : {},
      );
      const type = res.headers.get("content-type") ?? "";
      if (!type.includes("text/event-stream") || !res.body) {
        // This server answers pages only: poll them.
        await discard(res);
        yield* this.#pollHistory(last, options);
        return;
      }
      runId ??= res.headers.get("x-sundial-run-id") ?? undefined;
      let progressed = false;
      for await (const message of readSse(res.body)) {
        const event = parseWireEvent(message.data);
        // Anything that is not an event (a keep-alive, an end marker) or repeats one is skipped.
        if (!event || event.eventId <= last) continue;
        last = event.eventId;
        progressed = true;
        yield event;
        if (CLOSING_EVENT_TYPES.has(event.eventType)) return;
      }
      // The stream ended before a closing event: the run may have closed before we connected (the
      // server then ends at once), or the connection dropped, in which case Last-Event-ID resumes.
      const description = await this.#describe(runId);
      if (description.status !== "Running" && description.historyLength <= last) return;
      idleReconnects = progressed ? 0 : idleReconnects + 1;
      if (idleReconnects > 1) await sleep(Math.min(5000, 250 * 2 ** idleReconnects), signal);
    }
  }

  async *#pollHistory(after: number, options: FollowHistoryOptions): AsyncGenerator<WireEvent> {
    const { signal } = options;
    const pollMs = toMs(options.pollInterval ?? 1000);
    // Pin the run, so that a run started meanwhile (continue-as-new) does not mix into this one.
    const runId = this.runId ?? (await this.#describe(undefined)).runId;
    let last = after;
    for (;;) {
      const page = await this.#history(runId, { after: last }, signal);
      for (const event of page.events) {
        last = event.eventId;
        yield event;
        if (CLOSING_EVENT_TYPES.has(event.eventType)) return;
      }
      if (!page.nextPageToken) await sleep(pollMs, signal);
    }
  }

  async signal(signalName: string, input?: unknown, options: { requestId?: string } = {}) {
    // A requestId makes the one retry safe: the server drops a repeated signal.
    const requestId = options.requestId ?? crypto.randomUUID();
    await this.#post(`/signals/${encodeURIComponent(signalName)}`, { input, requestId }, true);
  }

  async query<R = unknown>(queryName: string, input?: unknown): Promise<R> {
    const body = await this.#post<{ result: R }>(
      `/queries/${encodeURIComponent(queryName)}`,
      { input },
      false,
    );
    return body.result;
  }

  async update<R = unknown>(
    updateName: string,
    input?: unknown,
    options: { updateId?: string } = {},
  ): Promise<R> {
    const body = await this.#post<{ result: R; updateId: string; failure?: FailureInfo }>(
      `/updates/${encodeURIComponent(updateName)}`,
      { input, ...options },
      options.updateId !== undefined,
    );
    if (body.failure) {
      throw new WorkflowUpdateFailedError(this.workflowId, updateName, body.updateId, body.failure);
    }
    return body.result;
  }

  async cancel(reason?: string): Promise<void> {
    await this.#post("/cancel", { reason }, false);
  }

  async terminate(reason?: string): Promise<void> {
    await this.#post("/terminate", { reason }, false);
  }

  async #post<T>(suffix: string, body: object, idempotent: boolean): Promise<T> {
    const res = await this.#http.send<T>({
      method: "POST",
      path: this.#path + suffix,
      body,
      idempotent,
    });
    return res.body;
  }
}

function parseWireEvent(data: string): WireEvent | undefined {
  try {
    const value = JSON.parse(data) as Partial<WireEvent> | null;
    if (value && typeof value.eventId === "number" && typeof value.eventType === "string") {
      return value as WireEvent;
    }
  } catch {
    // Not JSON: not an event.
  }
  return undefined;
}

class StartedHandle<O> extends Handle<O> implements StartedWorkflowHandle<O> {
  constructor(
    http: HttpTransport,
    workflowId: string,
    override readonly runId: string,
    readonly started: boolean,
  ) {
    super(http, workflowId, runId);
  }
}
