/** @module The workflow handles that createClient (client.ts) hands out: results, history, messages. */
import { toMs } from "../common/duration";
import type { FailureInfo } from "../common/failures";
import type {
  HistoryResponse,
  ResultResponse,
  WireEvent,
  WorkflowDescription,
} from "../common/wire";
import {
  CLOSING_EVENT_TYPES,
  type FollowHistoryOptions,
  type HistoryOptions,
  type PollResultOptions,
  type ResultOptions,
  type StartedWorkflowHandle,
  type WorkflowHandle,
} from "./client-types";
import { WorkflowFailedError, WorkflowUpdateFailedError } from "./errors";
import { discard, type HttpTransport, sleep } from "./http";
import { readSse } from "./sse";

/** How long one result long-poll may wait on the server (API.md's maximum). */
const MAX_WAIT_MS = 60_000;

export class Handle<O> implements WorkflowHandle<O> {
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

export class StartedHandle<O> extends Handle<O> implements StartedWorkflowHandle<O> {
  constructor(
    http: HttpTransport,
    workflowId: string,
    override readonly runId: string,
    readonly started: boolean,
  ) {
    super(http, workflowId, runId);
  }
}
