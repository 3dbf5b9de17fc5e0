/**
 * @module One workflow id: all its runs, their histories, timers, pending activities and outbox live
 * in this Durable Object's SQLite. Every transition is one transaction; side effects leave from the outbox.
 */
import { DurableObject } from "cloudflare:workers";
import type {
  ActivityTaskMessage,
  EagerOffer,
  EagerTask,
  HeartbeatResponse,
  StartedTask,
} from "../../sdk/activity/protocol";
import {
  ApplicationFailure,
  type FailureInfo,
  type TimeoutType,
  toFailure,
  withoutStacks,
} from "../../sdk/common/failures";
import { handlerNameProblem } from "../../sdk/common/handler-name";
import type { ExecutionStatus, ResultResponse, WorkflowDescription } from "../../sdk/common/wire";
import type { EngineEnv, ResolvedConfig } from "../config";
import {
  type ActivityOptionsMs,
  type EventAttributes,
  type HistoryEvent,
  type NewEvent,
  newEvent,
} from "../history/events";
import { encodePageToken } from "../history/page-token";
import { wireEventJson } from "../history/wire";
import { CLOSE_COMMANDS, type Command } from "../replay/commands";
import {
  NonDeterminismError,
  UnknownHandlerError,
  UpdateRejectedError,
  WorkflowRuntime,
} from "../replay/runtime";
import { visibilityRow } from "../visibility/row";
import { upsertVisibility, type VisibilityRow } from "../visibility/store";
import { type EagerClaim, startedTask, taskMessage } from "./activity/dispatch";
import { attemptFailed, complete, parseOptions, start, timerFired } from "./activity/state";
import { ActivityStore } from "./activity/store";
import { executionName, executionStub, queueFor, type TaskToken } from "./addressing";
import { childClosedEvents, parentCloseMessages, parentReport, replyOutcome } from "./children";
import { closeNoticeMessage, deliverCloseNotice } from "./close-notify";
import { applyCommand, type CommandContext } from "./command-handlers";
import {
  armCrash,
  type CrashArmOptions,
  type CrashPoint,
  CrashPointError,
  crashesOf,
  crashPoint,
  messageKind,
} from "./crash-points";
import { description, resultBody } from "./describe";
import { boundFailure, failureFromReport } from "./failure-bounds";
import { HistoryTaskReader, REPLAY_PAGE_ROWS, readEventPage } from "./history-pages";
import { runLocalActivity } from "./local-activity";
import { LocalActivityRuns } from "./local-activity-runs";
import {
  assertQueuesBound,
  countRows,
  dropRunDeliveries,
  enqueue,
  errorText,
  isDue,
  outboxRows,
  outboxWakeAt,
  pendingDeliveries,
  recordFailure,
  sendActivityTasks,
} from "./outbox";
import { unboundTaskQueueMessage } from "./outbox-policy";
import { closedAck, errorMessage, errorReply, json, notFoundAck, notFoundReply } from "./replies";
import { payloadProblem } from "./report-validation";
import { requestKey, startRequestKeys } from "./request-keys";
import type { ActivityRow, ActivityTimerData, ChildRow, RunRow, TimerKind, TimerRow } from "./rows";
import type {
  Ack,
  ChildReport,
  HistoryWatch,
  OutboxMessage,
  ParentRef,
  Reply,
  StartReply,
  StartRequest,
} from "./rpc";
import { continuation, workflowRetry } from "./run-close";
import { type RunStart, startDecision } from "./run-start";
import { BoundedLru } from "./runtime-cache";
import { hasSchema, migrate } from "./schema";
import { mustRearm, nextAlarmAt, timerKey } from "./timer-keys";
import { WaiterGate } from "./waiter-gate";
import { type Marker, runWorkflowTask } from "./workflow-task";

/** Work of one transition that is not an event: rows to write in the same transaction. */
interface Effects {
  sql: Array<() => void>;
}

const MAX_RESULT_WAIT_MS = 60_000;
const MAX_HISTORY_WAIT_MS = 25_000;
const WFT_MAX_BACKOFF_MS = 10 * 60_000;
const ALARM_MAX_BACKOFF_MS = 5 * 60_000;

/**
 * The Durable Object class. `createSundial()` subclasses it with the user's registry.
 * Public methods are RPCs; everything else is `#private`.
 */
export class WorkflowExecutionBase extends DurableObject<EngineEnv> {
  readonly #config: ResolvedConfig;
  readonly #sql: SqlStorage;
  /** Serializes every state change: workflow code runs asynchronously between read and commit. */
  #lock: Promise<unknown> = Promise.resolve();
  /** The warm (sticky) runtime of the current run and how many events it has applied. */
  #cached: { runId: string; runtime: WorkflowRuntime; applied: number } | undefined;
  #identity: { namespace: string; workflowId: string } | undefined;
  /** Whether this object's tables exist (false until its first start). */
  #ready: boolean;
  #armedAtMs: number | null | undefined;
  #clockOffsetMs = 0;
  /** Alarms in a row whose handler threw (see #backOffAlarm). */
  #alarmFailures = 0;
  /** Test-only (unsafeFailCommits): transition commits still to fail. */
  #failCommits = 0;
  readonly #closeWaiters = new Set<() => void>();
  /** Woken after every committed transition (update callers re-check their update). */
  readonly #changeWaiters = new Set<() => void>();
  /** Live history readers (`watchHistory`), woken whenever events are appended to any run. */
  readonly #historyWaiters = new Set<() => void>();
  /** Alarm handlers that ran to the end in this instance (test hook `unsafeAlarmState`). */
  #alarmRuns = 0;
  #delivering = false;
  #deliverAgain = false;
  readonly #activities: ActivityStore;
  /** Bounds the waiters above (each request that waits holds one slot while it waits). */
  readonly #waiters: WaiterGate;
  /** Runtimes rebuilt to answer queries on closed runs (their history never changes), by run id. */
  readonly #queryRuntimes: BoundedLru<WorkflowRuntime>;
  /** Test-hook counters (`unsafeCounters`): replays done, largest page a replay read. */
  #replays = 0;
  #maxReplayPageRows = 0;
  /** Local activities under way, which a waiting transition leaves running when it yields. */
  readonly #locals = new LocalActivityRuns<EventAttributes["MarkerRecorded"]>();

  constructor(ctx: DurableObjectState, env: EngineEnv, config: ResolvedConfig) {
    super(ctx, env);
    this.#config = config;
    this.#sql = ctx.storage.sql;
    this.#waiters = new WaiterGate(config.limits.maxWaitersPerObject);
    this.#activities = new ActivityStore(this.#sql, (act) =>
      this.#enqueueTask(act, parseOptions(act)),
    );
    this.#queryRuntimes = new BoundedLru({
      maxEntries: config.limits.queryCacheRuns,
      maxWeight: config.limits.queryCacheBytes,
    });
    // An object never started keeps no storage at all: messages to an unknown id answer NotFound
    // without creating tables (so probing random ids leaves nothing behind).
    this.#ready = hasSchema(this.#sql);
    if (!this.#ready) return;
    migrate(this.#sql);
    const meta = this.#sql
      .exec<{ key: string; value: string }>(
        "SELECT key, value FROM meta WHERE key IN ('namespace','workflow_id','clock_offset_ms')",
      )
      .toArray();
    const get = (k: string) => meta.find((m) => m.key === k)?.value;
    const namespace = get("namespace");
    const workflowId = get("workflow_id");
    if (namespace !== undefined && workflowId !== undefined)
      this.#identity = { namespace, workflowId };
    if (this.#unsafe) this.#clockOffsetMs = Number(get("clock_offset_ms") ?? 0);
    this.#activated();
  }

  /**
   * A crash between a commit and its alarm write leaves timers or outbox rows with no alarm, and a
   * retried request that finds its work done (same requestId) would not arm it: arm on activation.
   * The next serialized operation waits for it.
   */
  #activated(): void {
    this.#lock = this.#lock.then(() => this.#armAlarm()).catch(() => undefined);
  }

  get #unsafe(): boolean {
    return this.env.SUNDIAL_UNSAFE === "1";
  }

  get #sticky(): boolean {
    return this.env.SUNDIAL_STICKY !== "false";
  }

  #now(): number {
    return Date.now() + this.#clockOffsetMs;
  }

  #serialized<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#lock.then(fn, fn);
    this.#lock = next.catch(() => undefined);
    return next;
  }

  /** Like #serialized, for a message that must not wait behind a local activity (see LocalActivityRuns). */
  #urgent<T>(fn: () => Promise<T>): Promise<T> {
    this.#locals.enter();
    return this.#serialized(() => this.#locals.runUrgent(fn));
  }

  // ---------------------------------------------------------------- RPC: client API

  async start(req: StartRequest): Promise<StartReply> {
    return this.#urgent(() => this.#start(req));
  }

  /** A child workflow's start, sent by its parent's outbox (deduplicated by its requestId). */
  async startChild(req: StartRequest, parent: ParentRef): Promise<StartReply> {
    return this.#urgent(() => this.#start(req, parent));
  }

  async #start(req: StartRequest, parent?: ParentRef): Promise<StartReply> {
    // A named task queue must be bound; "default" may stay unbound in a Worker that runs only
    // local activities (an activity call on it then fails its workflow task, naming the queue).
    if (req.taskQueue !== "default" && !queueFor(this.env, req.taskQueue)) {
      const message = `taskQueue "${req.taskQueue}" cannot be used: ${unboundTaskQueueMessage(req.taskQueue)}`;
      return { ok: false, error: { code: "InvalidArgument", message } };
    }
    this.#ensureSchema();
    {
      if (req.requestId) {
        const keys = startRequestKeys(req.requestId);
        const prior = this.#sql
          .exec<{ run_id: string }>(
            `SELECT run_id FROM requests WHERE request_id IN (${keys.map(() => "?").join(", ")})`,
            ...keys,
          )
          .toArray()[0];
        if (prior) return { ok: true, runId: prior.run_id, started: false };
      }
      const current = this.#currentRun();
      const decision = startDecision(current, req);
      if (decision.kind === "reject") return { ok: false, error: decision.error };
      if (decision.kind === "existing") return { ok: true, runId: decision.runId, started: false };
      if (decision.kind === "signal" && current && req.signal) {
        // Signal-with-start on a running workflow: signal it.
        const ack = await this.#signal(
          current,
          req.signal.name,
          req.signal.input,
          req.signal.requestId,
        );
        if (!ack.ok) return ack;
        return { ok: true, runId: current.run_id, started: false };
      }
      if (decision.kind === "start" && decision.terminate && current) {
        await this.#terminate(
          current,
          "Terminated by a start with idReusePolicy TerminateIfRunning",
        );
      }
      if (!this.#identity) {
        this.#identity = { namespace: req.namespace, workflowId: req.workflowId };
        this.#sql.exec(
          "INSERT OR REPLACE INTO meta (key, value) VALUES ('namespace', ?), ('workflow_id', ?)",
          req.namespace,
          req.workflowId,
        );
      }
      const runId = crypto.randomUUID();
      await this.#startRun({
        runId,
        workflowType: req.workflowType,
        taskQueue: req.taskQueue,
        input: req.input,
        attempt: 1,
        firstExecutionRunId: runId,
        requestId: req.requestId,
        startDelayMs: req.startDelayMs,
        runTimeoutMs: req.runTimeoutMs,
        executionTimeoutMs: req.executionTimeoutMs,
        // Absolute, for the whole chain (retries, continue-as-new): the start delay is not counted
        // against it, so it shifts the deadline once, here.
        executionDeadlineMs: req.executionTimeoutMs
          ? this.#now() + (req.startDelayMs ?? 0) + req.executionTimeoutMs
          : undefined,
        retryPolicy: req.retryPolicy,
        memo: req.memo,
        searchAttributes: req.searchAttributes,
        ...(parent ? { parent: JSON.stringify(parent) } : {}),
        ...(req.closeNotify ? { closeNotify: JSON.stringify(req.closeNotify) } : {}),
        ...(req.signal
          ? {
              extraInputs: [
                newEvent("WorkflowExecutionSignaled", {
                  signalName: req.signal.name,
                  input: req.signal.input,
                  ...(req.signal.requestId ? { requestId: req.signal.requestId } : {}),
                }),
              ],
            }
          : {}),
      });
      return { ok: true, runId, started: true };
    }
  }

  // ---------------------------------------------------------------- RPC: messages

  async signal(
    signalName: string,
    input: string | undefined,
    requestId?: string,
    runId?: string,
  ): Promise<Ack> {
    return this.#urgent(async () => {
      const run = this.#findRun(runId);
      if (!run) return notFoundAck(this.#workflowIdForMessages(), runId);
      return this.#signal(run, signalName, input, requestId);
    });
  }

  async #signal(
    run: RunRow,
    signalName: string,
    input: string | undefined,
    requestId?: string,
  ): Promise<Ack> {
    // The SDK's and the API's rule, checked again here for every caller of the object.
    const badName = handlerNameProblem(signalName);
    if (badName) {
      return { ok: false, error: { code: "InvalidArgument", message: `signal name ${badName}` } };
    }
    if (requestId && this.#seenRequest(requestKey("signal", requestId))) return { ok: true };
    if (run.status !== "Running") return closedAck(run);
    const effects: Effects = { sql: [] };
    if (requestId) {
      effects.sql.push(() => this.#rememberRequest(requestKey("signal", requestId), run.run_id));
    }
    await this.#transition(
      run,
      [
        newEvent("WorkflowExecutionSignaled", {
          signalName,
          input,
          ...(requestId ? { requestId } : {}),
        }),
      ],
      effects,
    );
    return { ok: true };
  }

  async cancel(reason?: string, requestId?: string, runId?: string): Promise<Ack> {
    return this.#urgent(async () => {
      const run = this.#findRun(runId);
      if (!run) return notFoundAck(this.#workflowIdForMessages(), runId);
      if (requestId && this.#seenRequest(requestKey("cancel", requestId))) return { ok: true };
      if (run.status !== "Running") return closedAck(run);
      if (run.cancel_requested) return { ok: true };
      const effects: Effects = {
        sql: [
          () => this.#sql.exec("UPDATE runs SET cancel_requested = 1 WHERE run_id = ?", run.run_id),
        ],
      };
      if (requestId)
        effects.sql.push(() => this.#rememberRequest(requestKey("cancel", requestId), run.run_id));
      await this.#transition(
        run,
        [newEvent("WorkflowExecutionCancelRequested", reason ? { reason } : {})],
        effects,
      );
      return { ok: true };
    });
  }

  async terminate(reason?: string, runId?: string): Promise<Ack> {
    return this.#urgent(async () => {
      const run = this.#findRun(runId);
      if (!run) return notFoundAck(this.#workflowIdForMessages(), runId);
      if (run.status !== "Running") return closedAck(run);
      await this.#terminate(run, reason ?? "Terminated by request");
      return { ok: true };
    });
  }

  /** A child's final outcome, from the child's outbox. Deduplicated by the child row's state. */
  async childClosed(report: ChildReport): Promise<Ack> {
    return this.#urgent(async () => {
      const child = this.#sql
        .exec<ChildRow>(
          "SELECT * FROM children WHERE run_id = ? AND seq = ?",
          report.parentRunId,
          report.seq,
        )
        .toArray()[0];
      if (!child || child.state === "Closed") return { ok: true };
      const closeChild = () =>
        this.#sql.exec(
          "UPDATE children SET state = 'Closed', child_run_id = coalesce(child_run_id, ?) WHERE run_id = ? AND seq = ?",
          report.childRunId,
          child.run_id,
          child.seq,
        );
      const run = this.#findRun(report.parentRunId);
      if (run?.status !== "Running") {
        this.#commitEffects({ sql: [closeChild] });
        return { ok: true };
      }
      const events = childClosedEvents(child, report);
      await this.#transition(run, events, { sql: [closeChild] });
      return { ok: true };
    });
  }

  /** Answers a query from the run's state (warm, or replayed). Records nothing. */
  async query(queryName: string, input: string | undefined, runId?: string): Promise<Reply> {
    const badName = handlerNameProblem(queryName);
    if (badName) return errorReply("InvalidArgument", `query name ${badName}`);
    return this.#urgent(async () => {
      const run = this.#findRun(runId);
      if (!run) return this.#notFound(runId);
      let runtime: WorkflowRuntime;
      try {
        runtime =
          run.status === "Running" ? await this.#runtimeFor(run) : await this.#closedRuntime(run);
      } catch (err) {
        return errorReply(
          "FailedPrecondition",
          `The workflow cannot answer queries: its task is failing (${errorMessage(err)})`,
        );
      }
      try {
        const result = runtime.query(
          queryName,
          input === undefined ? undefined : JSON.parse(input),
        );
        return { status: 200, body: `{"result":${JSON.stringify(result ?? null)}}` };
      } catch (err) {
        if (err instanceof UnknownHandlerError || err instanceof UpdateRejectedError) {
          return errorReply("InvalidArgument", err.message);
        }
        return errorReply("InvalidArgument", `Query "${queryName}" failed: ${errorMessage(err)}`);
      }
    });
  }

  /**
   * Validates an update against the current state; if accepted, records it and waits (up to
   * `waitMs`) for its handler to finish. A repeated `updateId` gets the first outcome.
   */
  async update(
    updateName: string,
    input: string | undefined,
    updateId: string,
    waitMs: number,
  ): Promise<Reply> {
    const badName = handlerNameProblem(updateName);
    if (badName) return errorReply("InvalidArgument", `update name ${badName}`);
    // A caller that would wait is refused before anything is recorded when no waiter slot is free.
    if (waitMs > 0 && this.#waiters.full) return this.#waiters.refusal(`send the update`);
    const accepted = await this.#urgent(async (): Promise<Reply | undefined> => {
      if (!this.#ready) return this.#notFound(undefined);
      const known = this.#sql
        .exec<{ update_id: string }>("SELECT update_id FROM updates WHERE update_id = ?", updateId)
        .toArray()[0];
      if (known) return undefined;
      const run = this.#currentRun();
      if (!run) return this.#notFound(undefined);
      if (run.status !== "Running") {
        return errorReply(
          "FailedPrecondition",
          `Workflow "${this.#identity?.workflowId}" is ${run.status}: it takes no updates`,
        );
      }
      let runtime: WorkflowRuntime;
      try {
        runtime = await this.#runtimeFor(run);
      } catch (err) {
        return errorReply(
          "FailedPrecondition",
          `The workflow cannot take updates: its task is failing (${errorMessage(err)})`,
        );
      }
      try {
        runtime.validateUpdate(updateName, input === undefined ? undefined : JSON.parse(input));
      } catch (err) {
        if (err instanceof UnknownHandlerError || err instanceof UpdateRejectedError) {
          return errorReply("InvalidArgument", err.message);
        }
        return errorReply(
          "InvalidArgument",
          `Update "${updateName}" was rejected: ${errorMessage(err)}`,
        );
      }
      await this.#transition(
        run,
        [newEvent("WorkflowExecutionUpdateAccepted", { updateId, updateName, input })],
        {
          sql: [
            () =>
              this.#sql.exec(
                "INSERT INTO updates (update_id, run_id, state) VALUES (?, ?, 'Accepted')",
                updateId,
                run.run_id,
              ),
          ],
        },
      );
      return undefined;
    });
    if (accepted) return accepted;
    const deadline = Date.now() + Math.min(Math.max(0, waitMs), MAX_RESULT_WAIT_MS);
    for (;;) {
      const row = this.#sql
        .exec<{ run_id: string; state: string; result: string | null; failure: string | null }>(
          "SELECT run_id, state, result, failure FROM updates WHERE update_id = ?",
          updateId,
        )
        .toArray()[0];
      if (!row) return errorReply("Internal", "update record lost");
      if (row.state === "Completed") {
        if (row.failure) {
          // Accepted and recorded, then its handler threw: an outcome, not a bad request (API.md).
          const failure = withoutStacks(JSON.parse(row.failure) as FailureInfo);
          return json(200, { updateId, failure });
        }
        return {
          status: 200,
          body: `{"result":${row.result ?? "null"},"updateId":${JSON.stringify(updateId)}}`,
        };
      }
      const run = this.#findRun(row.run_id);
      if (run?.status !== "Running") {
        return errorReply(
          "FailedPrecondition",
          `The workflow closed (${run?.status ?? "gone"}) before update "${updateName}" completed`,
        );
      }
      const remaining = deadline - Date.now();
      // Accepted but no slot to wait in (taken meanwhile): the caller polls with the same updateId.
      const woken =
        remaining > 0
          ? this.#park([this.#changeWaiters, this.#closeWaiters], remaining)
          : undefined;
      if (!woken) {
        return { status: 202, body: JSON.stringify({ updateId, status: "Accepted" }) };
      }
      await woken;
    }
  }

  /**
   * Waits up to `ms` until a waker in `sets` runs, holding one of the object's waiter slots;
   * `undefined` at once when every slot is taken.
   */
  #park(sets: Set<() => void>[], ms: number): Promise<void> | undefined {
    const slot = this.#waiters.tryAcquire();
    if (!slot) return undefined;
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        for (const set of sets) set.delete(done);
        slot.release();
        resolve();
      };
      const timer = setTimeout(done, ms);
      for (const set of sets) set.add(done);
    });
  }

  #seenRequest(key: string): boolean {
    return (
      this.#sql
        .exec<{ n: number }>("SELECT count(*) AS n FROM requests WHERE request_id = ?", key)
        .one().n > 0
    );
  }

  #rememberRequest(key: string, runId: string): void {
    this.#sql.exec(
      "INSERT OR REPLACE INTO requests (request_id, run_id) VALUES (?, ?)",
      key,
      runId,
    );
  }

  async describe(runId?: string): Promise<Reply> {
    const run = this.#findRun(runId);
    if (!run) return this.#notFound(runId);
    return json(200, this.#description(run));
  }

  async result(runId: string | undefined, waitMs: number): Promise<Reply> {
    const deadline = Date.now() + Math.min(Math.max(0, waitMs), MAX_RESULT_WAIT_MS);
    for (;;) {
      let run = this.#findRun(runId);
      if (!run) return this.#notFound(runId);
      // Follow continue-as-new and workflow retries to the newest run unless a run was named.
      while (!runId && run.next_run_id) {
        const next = this.#findRun(run.next_run_id);
        if (!next) break;
        run = next;
      }
      if (run.status !== "Running") return json(200, this.#resultBody(run));
      const remaining = deadline - Date.now();
      if (remaining <= 0) return json(202, { status: "Running" } satisfies ResultResponse);
      const woken = this.#park([this.#closeWaiters], remaining);
      if (!woken) return this.#waiters.refusal("poll the result");
      await woken;
    }
  }

  async history(query: { runId?: string; after?: number; limit: number }): Promise<Reply> {
    const run = this.#findRun(query.runId);
    if (!run) return this.#notFound(query.runId);
    const rows = readEventPage(
      this.#sql,
      run.run_id,
      query.after ?? 0,
      this.#pageBounds(query.limit),
    );
    const last = rows[rows.length - 1];
    const more = last !== undefined && last.event_id < run.history_length;
    // HistoryResponse, written as text: stored payloads are spliced in, never re-serialized.
    const events = rows.map((r) => wireEventJson(r.event_id, r.event_type, r.ts_ms, r.attributes));
    const token = more ? encodePageToken(run.run_id, last.event_id) : null;
    return {
      status: 200,
      body: `{"events":[${events.join(",")}],"nextPageToken":${JSON.stringify(token)}}`,
    };
  }

  /**
   * Live history: the run's events after `after`, waiting up to `waitMs` (at most 25 s) for the
   * first one. Answers at once when there are events, or when the run is closed (then `closed` is
   * true once its closing event has been handed out). Without `runId` it watches the latest run;
   * callers pass the answered `runId` back, so a stream stays on one run across continue-as-new.
   */
  async watchHistory(query: {
    runId?: string;
    after: number;
    limit: number;
    waitMs: number;
    /** The first step of a stream: refused (429) when no waiter slot is free, so it never starts. */
    admit?: boolean;
  }): Promise<HistoryWatch> {
    if (query.admit && this.#waiters.full) {
      return { ok: false, reply: this.#waiters.refusal("open the history stream") };
    }
    const deadline = Date.now() + Math.min(Math.max(0, query.waitMs), MAX_HISTORY_WAIT_MS);
    for (;;) {
      const run = this.#findRun(query.runId);
      if (!run) return { ok: false, reply: this.#notFound(query.runId) };
      const rows = readEventPage(this.#sql, run.run_id, query.after, this.#pageBounds(query.limit));
      const last = rows.at(-1)?.event_id ?? query.after;
      const closed = run.status !== "Running" && last >= run.history_length;
      if (rows.length > 0 || closed || Date.now() >= deadline) {
        return {
          ok: true,
          runId: run.run_id,
          events: rows.map((r) => ({
            eventId: r.event_id,
            eventType: r.event_type,
            json: wireEventJson(r.event_id, r.event_type, r.ts_ms, r.attributes),
          })),
          closed,
        };
      }
      // Registered in the same synchronous step as the read above: no append can slip between.
      const woken = this.#park([this.#historyWaiters], deadline - Date.now());
      if (!woken) return { ok: false, reply: this.#waiters.refusal("watch the history") };
      await woken;
    }
  }

  /** A history page: at most `limit` events and about `historyPageBytes` (at least one event). */
  #pageBounds(limit: number): { maxRows: number; maxBytes: number } {
    return { maxRows: limit, maxBytes: this.#config.limits.historyPageBytes };
  }

  // ---------------------------------------------------------------- RPC: activity workers

  /**
   * Marks an attempt started and hands out its input. `deliveryId` (the queue message id, stable
   * across the queue's redeliveries) lets the same delivery start it again: when the consumer
   * crashed or lost this answer after the start was recorded, the redelivered message runs the
   * attempt instead of being dropped (activities are at least once). Any other delivery of a
   * started attempt (a redispatched copy, a duplicate) gets `null` and is dropped unrun.
   */
  async activityStarted(token: TaskToken, deliveryId?: string): Promise<StartedTask | null> {
    return this.#urgent(async () => {
      const act = this.#liveActivity(token);
      if (!act) return null;
      const options = JSON.parse(act.options) as ActivityOptionsMs;
      if (act.state === "Started") {
        return deliveryId !== undefined && act.started_by === deliveryId
          ? startedTask(act, options)
          : null;
      }
      if (act.state !== "Scheduled") return null;
      crashPoint(this.ctx, "beforeCommit", "activityStart");
      this.#activities.apply(act, start(act, this.#now(), deliveryId ?? null).effects);
      crashPoint(this.ctx, "afterCommit", "activityStart");
      await this.#armAlarm();
      return startedTask(act, options);
    });
  }

  async activityHeartbeat(token: TaskToken, details?: string): Promise<HeartbeatResponse> {
    return this.#urgent(async () => {
      const act = this.#liveActivity(token);
      if (act?.state !== "Started") return { cancelRequested: true };
      if (details !== undefined) {
        const limit = this.#config.limits.maxPayloadBytes;
        const problem = payloadProblem(details, limit, "heartbeat details");
        if (problem) {
          // Refused: the attempt fails for good (the activity would send the same again) and its
          // abort signal fires; its later report is stale.
          const failure = toFailure(ApplicationFailure.nonRetryable(problem.message, problem.type));
          await this.#activityAttemptFailed(this.#currentRun()!, act, failure);
          return { cancelRequested: true, reason: problem.message };
        }
      }
      const now = this.#now();
      this.#sql.exec(
        "UPDATE activities SET heartbeat_details = coalesce(?, heartbeat_details), last_heartbeat_ms = ? WHERE run_id = ? AND seq = ?",
        details ?? null,
        now,
        act.run_id,
        act.seq,
      );
      const options = JSON.parse(act.options) as ActivityOptionsMs;
      if (options.heartbeatTimeoutMs) {
        this.#activities.putTimer(act, "Heartbeat", act.attempt, now + options.heartbeatTimeoutMs);
        await this.#armAlarm();
      }
      return { cancelRequested: false };
    });
  }

  /**
   * Records a result. With an `offer` (eager dispatch), the first activity this transition schedules
   * on the offer's task queue, of a type the offer lists, is not queued: it is recorded as started
   * by the offering consumer, in the same transaction, and handed back to run at once.
   */
  async activityCompleted(
    token: TaskToken,
    result: string,
    offer?: EagerOffer,
  ): Promise<EagerTask | null> {
    return this.#urgent(async () => {
      const act = this.#liveActivity(token);
      if (act?.state !== "Started") return null; // stale, duplicate, or never started: ignore
      const run = this.#currentRun()!;
      const eager: EagerClaim | undefined = offer ? { offer } : undefined;
      // Checked before anything is stored: every later replay reads what is stored here.
      const problem = payloadProblem(
        result,
        this.#config.limits.maxPayloadBytes,
        "activity result",
      );
      if (problem) {
        const failure = toFailure(ApplicationFailure.nonRetryable(problem.message, problem.type));
        await this.#activityAttemptFailed(run, act, failure, undefined, eager);
        return eager?.task ?? null;
      }
      const done = complete(act, result);
      const effects: Effects = { sql: [() => this.#activities.apply(act, done.effects)] };
      await this.#transition(run, done.events, effects, eager ? { eager } : {});
      return eager?.task ?? null;
    });
  }

  /** Records a failed attempt; `offer` as for {@link activityCompleted}. */
  async activityFailed(
    token: TaskToken,
    failureJson: string,
    offer?: EagerOffer,
  ): Promise<EagerTask | null> {
    return this.#urgent(async () => {
      const act = this.#liveActivity(token);
      if (act?.state !== "Started") return null;
      const run = this.#currentRun()!;
      const failure = failureFromReport(failureJson, this.#config.limits.maxPayloadBytes);
      const eager: EagerClaim | undefined = offer ? { offer } : undefined;
      await this.#activityAttemptFailed(run, act, failure, undefined, eager);
      return eager?.task ?? null;
    });
  }

  // ---------------------------------------------------------------- alarm

  override async alarm(): Promise<void> {
    if (!this.#ready) return;
    let failed: unknown;
    await this.#serialized(async () => {
      this.#armedAtMs = undefined;
      await this.#flushOutbox();
      const now = this.#now();
      const due = this.#sql
        .exec<TimerRow>("SELECT * FROM timers WHERE fire_at_ms <= ? ORDER BY fire_at_ms, key", now)
        .toArray();
      const run = this.#currentRun();
      const inputs: NewEvent[] = [];
      const effects: Effects = { sql: [] };
      let runWorkflowTask = false;
      const finished = new Set<number>(); // activities closed by an earlier timer of this same alarm
      for (const timer of due) {
        effects.sql.push(() => this.#deleteTimer(timer.key));
        if (!run || timer.run_id !== run.run_id || run.status !== "Running") continue;
        switch (timer.kind) {
          case "timer": {
            const seq = Number(timer.data);
            inputs.push(newEvent("TimerFired", { seq, timerId: String(seq) }));
            break;
          }
          case "wft":
            runWorkflowTask = true;
            break;
          case "activity": {
            const data = JSON.parse(timer.data ?? "{}") as ActivityTimerData;
            if (finished.has(data.seq)) break;
            const event = this.#activityTimerFired(run, data, now, effects);
            if (event) {
              finished.add(data.seq);
              inputs.push(...event);
            }
            break;
          }
          case "run-timeout":
          case "exec-timeout":
            // Timing out closes the run without running workflow code.
            this.#sql.exec("DELETE FROM timers WHERE key = ?", timer.key);
            await this.#closeRun(
              run,
              [
                newEvent("WorkflowExecutionTimedOut", {
                  timeoutType: timer.kind === "run-timeout" ? "Run" : "Execution",
                }),
              ],
              "TimedOut",
            );
            return;
        }
      }
      if (run && run.status === "Running" && (inputs.length > 0 || runWorkflowTask)) {
        await this.#transition(run, inputs, effects);
      } else {
        this.#commitEffects(effects);
        await this.#flushOutbox();
      }
    }).then(
      () => {
        this.#alarmFailures = 0;
      },
      (err: unknown) => {
        failed = err;
      },
    );
    // An alarm is spent once its handler returns: arm the next one now (a timer, or a retry of
    // undelivered outbox rows), so a crash during the background delivery below loses nothing.
    await this.#serialized(() => this.#armAlarm(true));
    crashPoint(this.ctx, "alarmAfterRearm");
    this.#alarmRuns += 1;
    // A throwing handler would be retried a few times by the runtime and then dropped, and every
    // timer with it: never throw, re-arm with backoff instead (the due timers are still there).
    if (failed !== undefined) await this.#serialized(() => this.#backOffAlarm(failed));
    this.#kick();
  }

  /** After an alarm whose handler threw: the next try in 1 s, 2 s, … up to 5 min. */
  async #backOffAlarm(err: unknown): Promise<void> {
    this.#alarmFailures += 1;
    console.error(
      `sundial: alarm of workflow "${this.#identity?.workflowId}" failed (${errorMessage(err)}); retrying`,
    );
    const at = Date.now() + Math.min(1000 * 2 ** (this.#alarmFailures - 1), ALARM_MAX_BACKOFF_MS);
    if (this.#armedAtMs === null || this.#armedAtMs === undefined || this.#armedAtMs < at) {
      await this.ctx.storage.setAlarm(at);
      this.#armedAtMs = at;
    }
  }

  // ---------------------------------------------------------------- RPC: test-only hooks

  /**
   * Test-only: the next `n` transition commits fail as SQLite fails a value past its size limit
   * (which validation makes unreachable by normal input), to prove the fallback.
   */
  async unsafeFailCommits(n: number): Promise<void> {
    this.#assertUnsafe();
    this.#failCommits = n;
  }

  /** Test-only: moves this object's clock forward (Temporal's time skipping). Needs SUNDIAL_UNSAFE=1. */
  async unsafeAdvanceClock(ms: number): Promise<number> {
    this.#assertUnsafe();
    return this.#serialized(async () => {
      this.#clockOffsetMs += ms;
      this.#sql.exec(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('clock_offset_ms', ?)",
        String(this.#clockOffsetMs),
      );
      await this.#armAlarm(true);
      return this.#now();
    });
  }

  /** Test-only: how many alarm handlers ran to the end in this instance, and the armed alarm time. */
  async unsafeAlarmState(): Promise<{ runs: number; armedAtMs: number | null }> {
    this.#assertUnsafe();
    return { runs: this.#alarmRuns, armedAtMs: await this.ctx.storage.getAlarm() };
  }

  /** Test-only: the timer rows, for asserting what is scheduled. */
  async unsafeTimers(): Promise<Array<{ key: string; kind: string; fireAtMs: number }>> {
    this.#assertUnsafe();
    return this.#sql
      .exec<TimerRow>("SELECT * FROM timers ORDER BY fire_at_ms")
      .toArray()
      .map((t) => ({ key: t.key, kind: t.kind, fireAtMs: t.fire_at_ms }));
  }

  /** Test/bench-only: drops the warm runtime and replays the current run from SQLite; returns the time it took. */
  async unsafeReplay(): Promise<{ replayMs: number; historyLength: number }> {
    this.#assertUnsafe();
    return this.#serialized(async () => {
      const run = this.#currentRun();
      if (!run) return { replayMs: 0, historyLength: 0 };
      this.#cached = undefined;
      const t0 = performance.now();
      await this.#replay(run);
      const replayMs = performance.now() - t0;
      this.#cached = undefined;
      return { replayMs, historyLength: run.history_length };
    });
  }

  /** Test-only: replays done, the largest page a replay read, waiter slots taken, query-cache entries. */
  async unsafeCounters(): Promise<{
    replays: number;
    maxReplayPageRows: number;
    waiters: number;
    queryCacheEntries: number;
  }> {
    this.#assertUnsafe();
    return {
      replays: this.#replays,
      maxReplayPageRows: this.#maxReplayPageRows,
      waiters: this.#waiters.count,
      queryCacheEntries: this.#queryRuntimes.size,
    };
  }

  /**
   * Test-only: delivers now what the outbox holds for other executions and the visibility index
   * (normally sent in the background and retried from the alarm); returns how many such rows are
   * still undelivered.
   */
  async unsafeDeliverOutbox(): Promise<number> {
    this.#assertUnsafe();
    await this.#deliverMessages(true);
    return countRows(this.#sql, "messages");
  }

  /**
   * Test-only: the object crashes (throws and is reset) at `point` of its next transition of
   * `options.kind` (see crash-points.ts), `options.times` times (default 1).
   */
  async unsafeCrashAt(point: CrashPoint, options: CrashArmOptions = {}): Promise<void> {
    this.#assertUnsafe();
    armCrash(this.ctx.id.toString(), point, options, () => {
      // What a fresh instance has: no warm runtime, no known alarm, and the activation re-arm.
      this.#cached = undefined;
      this.#armedAtMs = undefined;
      this.#activated();
    });
  }

  /**
   * Test-only, read-only (unlike the hooks above, it never re-arms): the pending alarm and the
   * outbox size; `setAt` first sets the alarm (a spurious wake-up).
   */
  async unsafeAlarm(setAt?: number): Promise<{ alarm: number | null; outbox: number }> {
    this.#assertUnsafe();
    if (setAt !== undefined) await this.ctx.storage.setAlarm(setAt);
    const outbox = this.#sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n;
    return { alarm: await this.ctx.storage.getAlarm(), outbox };
  }

  /** Test-only: the crash points that fired in this object so far, and how many arms are left. */
  async unsafeCrashes(): Promise<{ fired: string[]; armed: number }> {
    this.#assertUnsafe();
    return crashesOf(this.ctx.id.toString());
  }

  #assertUnsafe(): void {
    if (!this.#unsafe) throw new Error("unsafe* methods need SUNDIAL_UNSAFE=1");
    this.#ensureSchema();
  }

  // ---------------------------------------------------------------- runs

  /** Creates the tables on the first start (and for test hooks). */
  #ensureSchema(): void {
    if (this.#ready) return;
    migrate(this.#sql);
    this.#ready = true;
  }

  #currentRun(): RunRow | undefined {
    if (!this.#ready) return undefined;
    return this.#sql.exec<RunRow>("SELECT * FROM runs ORDER BY run_no DESC LIMIT 1").toArray()[0];
  }

  #findRun(runId: string | undefined): RunRow | undefined {
    if (!runId) return this.#currentRun();
    if (!this.#ready) return undefined;
    return this.#sql.exec<RunRow>("SELECT * FROM runs WHERE run_id = ?", runId).toArray()[0];
  }

  /** The workflow id, also before the first start (from the object's name, `namespace/workflowId`). */
  #workflowIdForMessages(): string {
    if (this.#identity) return this.#identity.workflowId;
    const name = this.ctx.id.name;
    return name ? name.slice(name.indexOf("/") + 1) : "(unknown)";
  }

  #notFound(runId: string | undefined): Reply {
    return notFoundReply(this.#workflowIdForMessages(), runId);
  }

  /**
   * Starts a run: its row, its WorkflowExecutionStarted event and its first workflow task commit in
   * one transaction (a crash leaves either no run or a run with history).
   */
  async #startRun(s: RunStart): Promise<void> {
    const { run, inputs, effects } = this.#prepareRun(s);
    await this.#transition(run, inputs, effects, { runWorkflow: !s.startDelayMs });
  }

  /**
   * Inside a closing transaction (continue-as-new, workflow retry): records the next run's start
   * durably, with its first workflow task due on the alarm. The caller runs that task right after
   * the commit; if the object crashes first, the alarm does.
   */
  #startRunInTransaction(s: RunStart): void {
    const { run, inputs, effects } = this.#prepareRun(s);
    const events = this.#assignIds(run, inputs, this.#now());
    this.#insertEvents(run.run_id, events);
    for (const fn of effects.sql) fn();
    if (!s.startDelayMs) this.#putTimer(timerKey.wft(run.run_id), run.run_id, "wft", this.#now());
    this.#sql.exec(
      "UPDATE runs SET history_length = ?, next_task_id = next_task_id + 1 WHERE run_id = ?",
      events.length,
      run.run_id,
    );
  }

  /** The new run's row (inserted by the first effect), its first events and effects. */
  #prepareRun(s: RunStart): { run: RunRow; inputs: NewEvent[]; effects: Effects } {
    const now = this.#now();
    const runNo =
      (this.#sql.exec<{ n: number | null }>("SELECT max(run_no) AS n FROM runs").one().n ?? 0) + 1;
    const run: RunRow = {
      run_id: s.runId,
      run_no: runNo,
      workflow_type: s.workflowType,
      task_queue: s.taskQueue,
      status: "Running",
      start_ms: now,
      close_ms: null,
      result: null,
      failure: null,
      next_run_id: null,
      history_length: 0,
      next_task_id: 0,
      wft_attempt: 0,
      wft_failure: null,
      attempt: s.attempt,
      memo: s.memo ?? null,
      search_attributes: s.searchAttributes ?? null,
      parent: s.parent ?? null,
      cancel_requested: 0,
      close_notify: s.closeNotify ?? null,
    };
    const insertRun = () =>
      this.#sql.exec(
        `INSERT INTO runs (run_id, run_no, workflow_type, task_queue, status, start_ms, attempt, memo, search_attributes, parent, close_notify)
         VALUES (?, ?, ?, ?, 'Running', ?, ?, ?, ?, ?, ?)`,
        run.run_id,
        run.run_no,
        run.workflow_type,
        run.task_queue,
        now,
        run.attempt,
        run.memo,
        run.search_attributes,
        run.parent,
        run.close_notify,
      );
    const attributes: EventAttributes["WorkflowExecutionStarted"] = {
      workflowType: s.workflowType,
      input: s.input,
      taskQueue: s.taskQueue,
      attempt: s.attempt,
      firstExecutionRunId: s.firstExecutionRunId,
      randomSeed: crypto.getRandomValues(new Uint32Array(1))[0]!,
      ...(s.continuedExecutionRunId ? { continuedExecutionRunId: s.continuedExecutionRunId } : {}),
      ...(s.startDelayMs ? { startDelayMs: s.startDelayMs } : {}),
      ...(s.runTimeoutMs ? { runTimeoutMs: s.runTimeoutMs } : {}),
      ...(s.executionTimeoutMs ? { executionTimeoutMs: s.executionTimeoutMs } : {}),
      ...(s.executionDeadlineMs ? { executionDeadlineMs: s.executionDeadlineMs } : {}),
      ...(s.retryPolicy ? { retryPolicy: s.retryPolicy } : {}),
      ...(s.memo ? { memo: s.memo } : {}),
      ...(s.searchAttributes ? { searchAttributes: s.searchAttributes } : {}),
      ...(s.requestId ? { requestId: s.requestId } : {}),
    };
    const effects: Effects = { sql: [insertRun] };
    if (s.requestId) {
      const key = requestKey("start", s.requestId);
      effects.sql.push(() =>
        this.#sql.exec(
          "INSERT OR REPLACE INTO requests (request_id, run_id) VALUES (?, ?)",
          key,
          s.runId,
        ),
      );
    }
    if (s.runTimeoutMs) {
      const at = now + (s.startDelayMs ?? 0) + s.runTimeoutMs;
      effects.sql.push(() =>
        this.#putTimer(timerKey.runTimeout(s.runId), s.runId, "run-timeout", at),
      );
    }
    if (s.executionDeadlineMs) {
      // Already absolute (see #start): a later run's start delay (a retry's backoff) shifts nothing.
      const at = s.executionDeadlineMs;
      effects.sql.push(() =>
        this.#putTimer(timerKey.execTimeout(s.runId), s.runId, "exec-timeout", at),
      );
    }
    const inputs = [newEvent("WorkflowExecutionStarted", attributes), ...(s.extraInputs ?? [])];
    effects.sql.push(() => this.#visibility(this.#findRun(s.runId)!, inputs.length));
    if (s.startDelayMs) {
      // The first workflow task waits for the delay; the Started event is recorded now.
      const at = now + s.startDelayMs;
      effects.sql.push(() => this.#putTimer(timerKey.wft(s.runId), s.runId, "wft", at));
    }
    return { run, inputs, effects };
  }

  async #terminate(run: RunRow, reason: string): Promise<void> {
    await this.#closeRun(run, [newEvent("WorkflowExecutionTerminated", { reason })], "Terminated");
  }

  /** Closes a run from outside workflow code (timeout, termination): one transaction. */
  async #closeRun(run: RunRow, events: NewEvent[], status: ExecutionStatus): Promise<void> {
    const now = this.#now();
    const stored = this.#assignIds(run, events, now);
    this.ctx.storage.transactionSync(() => {
      this.#insertEvents(run.run_id, stored);
      this.#sql.exec(
        "UPDATE runs SET status = ?, close_ms = ?, history_length = ?, next_task_id = next_task_id + 1 WHERE run_id = ?",
        status,
        now,
        run.history_length + stored.length,
        run.run_id,
      );
      this.#abandonPending(run.run_id);
      this.#onClose(run, status, true);
      crashPoint(this.ctx, "beforeCommit", stored);
    });
    crashPoint(this.ctx, "afterCommit", stored);
    this.#cached = undefined;
    this.#locals.stopRun(run.run_id);
    await this.#armAlarm(true); // exactly: a closed run must not be woken for what it abandoned
    this.#notifyClosed();
    this.#kick();
  }

  /**
   * Inside a closing transaction: children per their parent close policy, the final outcome to a
   * parent, and the visibility row. All leave through the outbox.
   */
  #onClose(
    run: RunRow,
    status: ExecutionStatus,
    final: boolean,
    outcome: { result?: string; failure?: FailureInfo } = {},
  ): void {
    const closed = this.#findRun(run.run_id)!;
    this.#visibility(closed, 0);
    const children = this.#sql
      .exec<ChildRow>("SELECT * FROM children WHERE run_id = ? AND state != 'Closed'", run.run_id)
      .toArray();
    for (const message of parentCloseMessages(this.#identity!, run.run_id, status, children)) {
      this.#send(message);
    }
    const report = parentReport(run, status, final, outcome);
    if (report) this.#send(report);
    const notice = closeNoticeMessage(
      this.#identity!,
      run,
      status,
      final,
      outcome.failure?.message,
    );
    if (notice) this.#send(notice);
  }

  #send(message: OutboxMessage): void {
    const target = executionName(message.namespace, message.workflowId);
    enqueue(this.#sql, "rpc", target, message.fromRunId, JSON.stringify(message));
  }

  /** Queues the run's visibility row (D1), versioned by history length so late writes lose. */
  #visibility(run: RunRow, appended: number): void {
    const identity = this.#identity;
    if (!identity) return;
    const row = visibilityRow(identity, run, appended);
    enqueue(this.#sql, "visibility", run.run_id, run.run_id, JSON.stringify(row));
  }

  #abandonPending(runId: string): void {
    dropRunDeliveries(this.#sql, runId);
    this.#sql.exec("DELETE FROM timers WHERE run_id = ?", runId);
    this.#sql.exec("DELETE FROM activities WHERE run_id = ?", runId);
  }

  #notifyClosed(): void {
    for (const waiter of [...this.#closeWaiters]) waiter();
  }

  // ---------------------------------------------------------------- the transition

  #assignIds(
    run: RunRow,
    events: NewEvent[],
    nowMs: number,
    firstId = run.history_length + 1,
  ): HistoryEvent[] {
    return events.map(
      (e, i) =>
        ({
          ...e,
          eventId: firstId + i,
          taskId: run.next_task_id,
          timestampMs: nowMs,
        }) as HistoryEvent,
    );
  }

  /**
   * One activation: append `inputs`, run workflow code (warm, or replayed when cold), turn its
   * commands into events and effects, and commit everything in one transaction. A failure of
   * workflow code (a bug, non-determinism) fails the workflow task, never the execution.
   */
  async #transition(
    run: RunRow,
    inputs: NewEvent[],
    effects: Effects,
    options: { runWorkflow?: boolean; eager?: EagerClaim; failTask?: FailureInfo } = {},
  ): Promise<void> {
    const now = this.#now();
    const runWorkflow = options.runWorkflow !== false;
    const outcome = await runWorkflowTask(
      {
        runId: run.run_id,
        historyLength: run.history_length,
        wftAttempt: run.wft_attempt,
        searchAttributes: run.search_attributes,
        taskId: run.next_task_id,
        nowMs: now,
      },
      inputs,
      {
        limits: this.#config.limits,
        runLocals: (commands) => this.#runLocals(run, commands),
        check: (issued) => assertQueuesBound(this.env, issued),
        newRunId: () => crypto.randomUUID(),
      },
      {
        ...(runWorkflow
          ? {
              runtime: (events: readonly HistoryEvent[]) =>
                run.history_length === 0 ? this.#newRuntime(run, events) : this.#runtimeFor(run),
            }
          : {}),
        ...(options.failTask ? { failTask: options.failTask } : {}),
      },
    );
    const { events, commands, continueNow, taskFailure } = outcome;
    if (runWorkflow && !options.failTask) {
      this.#cached =
        outcome.runtime && this.#sticky
          ? {
              runId: run.run_id,
              runtime: outcome.runtime,
              applied: run.history_length + events.length,
            }
          : undefined;
    }
    const close = commands.find((c) => CLOSE_COMMANDS.has(c.type));
    let status: ExecutionStatus = "Running";
    let nextRun: RunStart | undefined;
    if (close?.type === "CompleteWorkflow") status = "Completed";
    if (close?.type === "CancelWorkflow") status = "Canceled";
    if (close?.type === "FailWorkflow") {
      status = "Failed";
      nextRun = this.#workflowRetry(run, close.failure, now, events);
    }
    if (close?.type === "ContinueAsNew") {
      status = "ContinuedAsNew";
      nextRun = this.#continuation(run, close, events);
    }
    const historyLength = run.history_length + events.length;
    const warnAt = this.#config.limits.historyWarnEvents;
    if (run.history_length < warnAt && historyLength >= warnAt) {
      console.warn(
        `sundial: workflow "${this.#identity?.workflowId}" run ${run.run_id} has ${historyLength} events, past the warning threshold of ${warnAt}; it fails at ${this.#config.limits.historyMaxEvents}. Use continue-as-new to start a fresh history.`,
      );
    }
    const committed = this.#tryTransaction(() => {
      this.#insertEvents(run.run_id, events);
      for (const fn of effects.sql) fn();
      // A closing transition abandons what it schedules: nothing to hand out eagerly then.
      const eager = close ? undefined : options.eager;
      const commandContext = this.#commandContext();
      for (const cmd of commands) applyCommand(commandContext, run, cmd, now, eager);
      if (taskFailure) {
        const attempt = run.wft_attempt + 1;
        const backoff = Math.min(1000 * 2 ** (attempt - 1), WFT_MAX_BACKOFF_MS);
        this.#putTimer(timerKey.wft(run.run_id), run.run_id, "wft", now + backoff);
        this.#sql.exec(
          "UPDATE runs SET wft_attempt = ?, wft_failure = ? WHERE run_id = ?",
          attempt,
          JSON.stringify(withoutStacks(taskFailure.failure)),
          run.run_id,
        );
      } else if (options.runWorkflow !== false) {
        if (run.wft_attempt > 0) {
          this.#sql.exec(
            "UPDATE runs SET wft_attempt = 0, wft_failure = NULL WHERE run_id = ?",
            run.run_id,
          );
        }
        this.#deleteTimer(timerKey.wft(run.run_id));
        if (continueNow) this.#putTimer(timerKey.wft(run.run_id), run.run_id, "wft", now);
      }
      if (close) {
        const result = close.type === "CompleteWorkflow" ? close.result : null;
        const failure = close.type === "FailWorkflow" ? JSON.stringify(close.failure) : null;
        this.#sql.exec(
          "UPDATE runs SET status = ?, close_ms = ?, result = ?, failure = ?, next_run_id = ? WHERE run_id = ?",
          status,
          now,
          result,
          failure,
          nextRun?.runId ?? null,
          run.run_id,
        );
        this.#abandonPending(run.run_id);
      }
      this.#sql.exec(
        "UPDATE runs SET history_length = ?, next_task_id = next_task_id + 1 WHERE run_id = ?",
        historyLength,
        run.run_id,
      );
      if (close) {
        this.#onClose(run, status, nextRun === undefined, {
          ...(close.type === "CompleteWorkflow" ? { result: close.result } : {}),
          ...(close.type === "FailWorkflow" ? { failure: close.failure } : {}),
        });
        if (nextRun) this.#startRunInTransaction(nextRun);
      } else if (commands.some((c) => c.type === "UpsertSearchAttributes")) {
        this.#visibility(this.#findRun(run.run_id)!, 0);
      }
      crashPoint(this.ctx, "beforeCommit", events);
    });
    if (!committed.ok) {
      // SQLite refused the commit (e.g. a value past its 2 MB limit). The same task would fail the
      // same way on every retry, so fail the workflow task instead, with the reason, keeping only
      // its inputs; if even that cannot commit, record the failure alone (a small transaction).
      // A start that cannot commit records nothing: its caller gets the error.
      this.#cached = undefined;
      if (options.eager) options.eager.task = undefined;
      if (run.history_length === 0) throw committed.error;
      const failure = commitFailure(committed.error, this.#config.limits.maxPayloadBytes);
      if (options.failTask || options.runWorkflow === false) {
        this.#recordCommitFailure(run, failure, now);
        throw committed.error;
      }
      return this.#transition(run, inputs, effects, { failTask: failure });
    }
    crashPoint(this.ctx, "afterCommit", events);
    if (close) {
      this.#cached = undefined;
      this.#locals.stopRun(run.run_id);
      // The next run is recorded; run its first workflow task now (the alarm would otherwise).
      const next = nextRun && !nextRun.startDelayMs ? this.#findRun(nextRun.runId) : undefined;
      if (next) await this.#transition(next, [], { sql: [] });
    }
    await this.#armAlarm(close !== undefined); // exactly on close: nothing abandoned wakes it
    await this.#flushOutbox();
    if (close) this.#notifyClosed();
    for (const waiter of [...this.#changeWaiters]) waiter();
    this.#kick();
  }

  /**
   * Last resort when a transition cannot commit even as a failed task (its inputs themselves do not
   * fit): records the workflow task's failure alone, in its own small transaction, with the retry
   * backoff of any failed task, so the failure is visible (history, describe) and the retries back off.
   */
  #recordCommitFailure(run: RunRow, failure: FailureInfo, now: number): void {
    const attempt = run.wft_attempt + 1;
    const backoff = Math.min(1000 * 2 ** (attempt - 1), WFT_MAX_BACKOFF_MS);
    this.ctx.storage.transactionSync(() => {
      if (run.wft_attempt === 0) {
        const failed = this.#assignIds(
          run,
          [newEvent("WorkflowTaskFailed", { cause: "WorkflowError", failure })],
          now,
        );
        this.#insertEvents(run.run_id, failed);
        this.#sql.exec(
          "UPDATE runs SET history_length = ?, next_task_id = next_task_id + 1 WHERE run_id = ?",
          run.history_length + failed.length,
          run.run_id,
        );
      }
      this.#putTimer(timerKey.wft(run.run_id), run.run_id, "wft", now + backoff);
      this.#sql.exec(
        "UPDATE runs SET wft_attempt = ?, wft_failure = ? WHERE run_id = ?",
        attempt,
        JSON.stringify(withoutStacks(failure)),
        run.run_id,
      );
    });
  }

  /** Runs `fn` in a transaction; a throw (rolled back) is returned, not thrown. */
  #tryTransaction(fn: () => void): { ok: true } | { ok: false; error: unknown } {
    if (this.#failCommits > 0) {
      this.#failCommits -= 1;
      return { ok: false, error: new Error("string or blob too big: SQLITE_TOOBIG (injected)") };
    }
    try {
      this.ctx.storage.transactionSync(fn);
      return { ok: true };
    } catch (error) {
      // A crash (injected by the crash-point tests) is not a refused commit: it propagates.
      if (error instanceof CrashPointError) throw error;
      return { ok: false, error };
    }
  }

  /** The run a ContinueAsNew command starts: fresh history, same execution deadline and parent. */
  #continuation(
    run: RunRow,
    cmd: Extract<Command, { type: "ContinueAsNew" }>,
    events: HistoryEvent[],
  ): RunStart {
    const recorded = events.find((e) => e.eventType === "WorkflowExecutionContinuedAsNew");
    const runId =
      recorded?.eventType === "WorkflowExecutionContinuedAsNew"
        ? recorded.attributes.newExecutionRunId
        : crypto.randomUUID();
    return continuation(run, cmd, this.#startedAttributes(run.run_id, events), runId);
  }

  /** Workflow retry policy: records the retry state (and next run) on the run's WorkflowExecutionFailed. */
  #workflowRetry(
    run: RunRow,
    failure: FailureInfo,
    now: number,
    events: HistoryEvent[],
  ): RunStart | undefined {
    const first = events[0];
    const started =
      first?.eventType === "WorkflowExecutionStarted"
        ? first.attributes
        : this.#startedAttributes(run.run_id);
    const { retryState, next } = workflowRetry(run, failure, now, started, crypto.randomUUID());
    const failedEvent = events.find((e) => e.eventType === "WorkflowExecutionFailed");
    if (failedEvent && failedEvent.eventType === "WorkflowExecutionFailed") {
      failedEvent.attributes = {
        ...failedEvent.attributes,
        retryState,
        ...(next ? { newExecutionRunId: next.runId } : {}),
      };
    }
    return next;
  }

  #startedAttributes(
    runId: string,
    events: readonly HistoryEvent[] = [],
  ): EventAttributes["WorkflowExecutionStarted"] {
    const first = events.find((e) => e.eventType === "WorkflowExecutionStarted");
    if (first?.eventType === "WorkflowExecutionStarted") return first.attributes;
    const row = this.#sql
      .exec<{ attributes: string }>(
        "SELECT attributes FROM events WHERE run_id = ? AND event_id = 1",
        runId,
      )
      .one();
    return JSON.parse(row.attributes) as EventAttributes["WorkflowExecutionStarted"];
  }

  async #runtimeFor(run: RunRow): Promise<WorkflowRuntime> {
    const cached = this.#cached;
    if (cached && cached.runId === run.run_id && cached.applied === run.history_length) {
      return cached.runtime;
    }
    this.#cached = undefined;
    const runtime = await this.#replay(run);
    // Keep what was rebuilt (e.g. for a query or an update's validator) as the warm runtime, so the
    // next call does not replay again; a transition replaces or drops it as before.
    if (this.#sticky) this.#cached = { runId: run.run_id, runtime, applied: run.history_length };
    return runtime;
  }

  /**
   * The runtime of a closed run, for a query: the warm one if it is still current, else from the
   * bounded query cache, else replayed once and cached (a closed run's history never changes).
   */
  async #closedRuntime(run: RunRow): Promise<WorkflowRuntime> {
    const warm = this.#cached;
    if (warm?.runId === run.run_id && warm.applied === run.history_length) return warm.runtime;
    const key = `${run.run_id}@${run.history_length}`;
    const hit = this.#queryRuntimes.get(key);
    if (hit) return hit;
    const read = { bytes: 0 };
    const runtime = await this.#replay(run, read);
    this.#queryRuntimes.set(key, runtime, read.bytes);
    return runtime;
  }

  /** A runtime for `run`, before any event is applied; `events` starts with WorkflowExecutionStarted. */
  #newRuntime(run: RunRow, events: readonly HistoryEvent[]): WorkflowRuntime {
    const definition = this.#config.workflows.get(run.workflow_type);
    if (!definition) {
      throw new NonDeterminismError(
        `Workflow type "${run.workflow_type}" is not registered in this deployment; deploy code that registers it`,
      );
    }
    const first = events[0];
    if (first?.eventType !== "WorkflowExecutionStarted") {
      throw new Error(`run ${run.run_id} has no WorkflowExecutionStarted event`);
    }
    const identity = this.#identity!;
    return new WorkflowRuntime(definition, {
      namespace: identity.namespace,
      workflowId: identity.workflowId,
      runId: run.run_id,
      startTimeMs: first.timestampMs,
      started: first.attributes,
      maxPayloadBytes: this.#config.limits.maxPayloadBytes,
      // Code resumed astray (after awaiting a promise the runtime did not create): run a workflow
      // task now so its failure is recorded, instead of waiting for an unrelated event.
      onStrayResume: (runtime) => {
        void this.#serialized(async () => {
          const current = this.#findRun(run.run_id);
          if (current?.status !== "Running") return;
          // Keep the runtime holding the failure (e.g. one a query replayed) for that task.
          if (runtime.appliedEvents === current.history_length) {
            this.#cached = { runId: run.run_id, runtime, applied: current.history_length };
          }
          this.#putTimer(timerKey.wft(run.run_id), run.run_id, "wft", this.#now());
          await this.#armAlarm(true);
        }).catch(() => undefined);
      },
    });
  }

  /**
   * Cold path: a fresh runtime fed the run's whole history, one recorded task at a time, read in
   * bounded pages (only one page and the task being applied are in memory). `read.bytes` is set to
   * the history bytes read.
   */
  async #replay(run: RunRow, read?: { bytes: number }): Promise<WorkflowRuntime> {
    this.#replays += 1;
    const bounds = this.#pageBounds(REPLAY_PAGE_ROWS);
    const reader = new HistoryTaskReader(
      (after) => readEventPage(this.#sql, run.run_id, after, bounds),
      run.history_length,
    );
    let runtime: WorkflowRuntime | undefined;
    for (const task of reader.tasks()) {
      runtime ??= this.#newRuntime(run, task);
      await runtime.applyTask(task, true);
    }
    this.#maxReplayPageRows = Math.max(this.#maxReplayPageRows, reader.maxPageRows);
    if (read) read.bytes = reader.bytes;
    return runtime ?? this.#newRuntime(run, []);
  }

  /** Runs a task's local activities (joining those still under way); undefined when preempted. */
  async #runLocals(
    run: RunRow,
    commands: readonly Command[],
  ): Promise<Array<Marker | undefined> | undefined> {
    const locals = await this.#locals.waitAll(
      commands.map((cmd) =>
        cmd.type === "RunLocalActivity"
          ? this.#locals.join(run.run_id, cmd.seq, (stop) =>
              runLocalActivity(
                cmd,
                this.#config.activities,
                this.#identity!,
                run.run_id,
                this.#config.limits,
                stop,
              ),
            )
          : undefined,
      ),
    );
    if (!locals) return undefined;
    for (const cmd of commands) {
      if (cmd.type === "RunLocalActivity") this.#locals.forget(run.run_id, cmd.seq);
    }
    return locals;
  }

  /** What command handlers write through, inside a transition's transaction. */
  #commandContext(): CommandContext {
    return {
      sql: this.#sql,
      identity: this.#identity!,
      activities: this.#activities,
      send: (message) => this.#send(message),
      putTimer: (key, runId, kind, at, data) => this.#putTimer(key, runId, kind, at, data),
      deleteTimer: (key) => this.#deleteTimer(key),
    };
  }

  #enqueueTask(act: ActivityRow, options: ActivityOptionsMs): void {
    const message: ActivityTaskMessage = taskMessage(this.#identity!, act, options);
    enqueue(this.#sql, "activity", options.taskQueue, act.run_id, JSON.stringify(message));
  }

  // ---------------------------------------------------------------- activities

  #liveActivity(token: TaskToken): ActivityRow | undefined {
    if (!this.#ready) return undefined;
    const act = this.#activities.get(token.runId, token.seq);
    if (!act || act.attempt !== token.attempt) return undefined;
    const run = this.#currentRun();
    if (!run || run.run_id !== token.runId || run.status !== "Running") return undefined;
    return act;
  }

  /** An attempt failed (reported failure or a start-to-close/heartbeat timeout): retry or fail for good. */
  async #activityAttemptFailed(
    run: RunRow,
    act: ActivityRow,
    failure: FailureInfo,
    timeoutType?: TimeoutType,
    eager?: EagerClaim,
  ): Promise<void> {
    const t = attemptFailed(act, failure, this.#now(), timeoutType);
    const effects: Effects = { sql: [() => this.#activities.apply(act, t.effects)] };
    if (t.events.length > 0) await this.#transition(run, t.events, effects, eager ? { eager } : {});
    else {
      // A retry scheduled: the attempt's failure appends no event (Temporal records only the last).
      effects.sql.push(() => crashPoint(this.ctx, "beforeCommit", "activityFail"));
      this.#commitEffects(effects);
      crashPoint(this.ctx, "afterCommit", "activityFail");
      await this.#armAlarm();
    }
  }

  /** Commits state changes that append no event (retry scheduling, timer cleanup) in one transaction. */
  #commitEffects(effects: Effects): void {
    this.ctx.storage.transactionSync(() => {
      for (const fn of effects.sql) fn();
    });
  }

  /**
   * A timer of an activity fired: the transition (if the timer is still current) is queued into
   * `effects`; returns the events when the activity closed.
   */
  #activityTimerFired(
    run: RunRow,
    data: ActivityTimerData,
    now: number,
    effects: Effects,
  ): NewEvent[] | undefined {
    const act = this.#activities.get(run.run_id, data.seq);
    if (!act) return undefined;
    const t = timerFired(act, data, now);
    if (!t) return undefined;
    effects.sql.push(() => this.#activities.apply(act, t.effects));
    return t.to === "Closed" ? t.events : undefined;
  }

  // ---------------------------------------------------------------- timers and the one alarm

  #putTimer(key: string, runId: string, kind: TimerKind, fireAtMs: number, data?: string): void {
    this.#sql.exec(
      "INSERT OR REPLACE INTO timers (key, run_id, kind, fire_at_ms, data) VALUES (?, ?, ?, ?, ?)",
      key,
      runId,
      kind,
      fireAtMs,
      data ?? null,
    );
  }

  #deleteTimer(key: string): void {
    this.#sql.exec("DELETE FROM timers WHERE key = ?", key);
  }

  /**
   * Keeps the one alarm at or before the earliest timer (or outbox retry), recomputed from storage.
   * An alarm already armed earlier stays put unless `force`: firing early is harmless (the handler
   * fires nothing and re-arms exactly), and moving the alarm later on every change costs an alarm
   * write per step (a queue activity moved it three times). `force` sets it exactly.
   */
  async #armAlarm(force = false): Promise<void> {
    const next = this.#sql
      .exec<{ at: number | null }>("SELECT min(fire_at_ms) AS at FROM timers")
      .one().at;
    const retryAt = outboxWakeAt(this.#sql, this.#now());
    const at = nextAlarmAt(next, retryAt, this.#clockOffsetMs);
    if (this.#armedAtMs === undefined) this.#armedAtMs = await this.ctx.storage.getAlarm();
    if (!mustRearm(at, this.#armedAtMs, force)) return;
    if (at === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.max(at, Date.now()));
    this.#armedAtMs = at === null ? null : Math.max(at, Date.now());
  }

  /** Sends the activity tasks the outbox holds (see {@link sendActivityTasks}), then re-arms. */
  async #flushOutbox(): Promise<void> {
    await sendActivityTasks(this.#sql, this.env, this.#now(), () =>
      crashPoint(this.ctx, "afterDelivery", "activitySchedule"),
    );
    await this.#armAlarm();
  }

  /**
   * Delivers messages to other executions and the visibility index, outside the lock: a receiver
   * may message this object back while we wait for it. One delivery loop at a time.
   */
  #kick(): void {
    if (this.#delivering) {
      this.#deliverAgain = true;
      return;
    }
    if (countRows(this.#sql, "messages") === 0) return;
    this.#delivering = true;
    const loop = async () => {
      try {
        do {
          this.#deliverAgain = false;
          await this.#deliverMessages();
        } while (this.#deliverAgain);
      } finally {
        this.#delivering = false;
      }
    };
    this.ctx.waitUntil(loop().catch((err) => console.error("sundial: delivery failed", err)));
  }

  /** Delivers the due message rows; `force` (test hook) ignores their backoff. */
  async #deliverMessages(force = false): Promise<void> {
    const rows = outboxRows(this.#sql, "messages");
    const failedTargets = new Set<string>();
    for (const row of rows) {
      // Keep per-target order: after a failure, later messages to that target wait for the retry.
      if (failedTargets.has(row.target)) continue;
      if (!force && !isDue(row, this.#now())) {
        failedTargets.add(row.target);
        continue;
      }
      try {
        if (row.kind === "visibility") {
          const db = this.env.VISIBILITY;
          if (db) await upsertVisibility(db, JSON.parse(row.body) as VisibilityRow);
          crashPoint(this.ctx, "afterDelivery", "visibility");
          this.#sql.exec("DELETE FROM outbox WHERE id = ?", row.id);
          continue;
        }
        const message = JSON.parse(row.body) as OutboxMessage;
        const reply = await this.#rpc(message);
        crashPoint(this.ctx, "afterDelivery", messageKind(row.kind, message.op));
        await this.#serialized(() => this.#delivered(row.id, message, reply));
      } catch (err) {
        failedTargets.add(row.target);
        recordFailure(this.#sql, [row], errorText(err), this.#now());
        console.error(
          `sundial: delivering a ${row.kind} message to ${row.target} failed; retrying from the alarm`,
          err,
        );
      }
    }
    // Re-arm exactly: to the next timer once the outbox is empty, or for a retry of what failed.
    await this.#armAlarm(true);
  }

  async #rpc(message: OutboxMessage): Promise<Ack | StartReply> {
    const target = executionStub(this.env, message.namespace, message.workflowId);
    switch (message.op) {
      case "startChild":
        return (await target.startChild(message.request, message.parent)) as StartReply;
      case "signal":
        return (await target.signal(message.signalName, message.input, message.requestId)) as Ack;
      case "cancel":
        return (await target.cancel(message.reason, message.requestId)) as Ack;
      case "terminate":
        return (await target.terminate(message.reason)) as Ack;
      case "childClosed":
        return (await target.childClosed(message.report)) as Ack;
      case "closeNotice":
        return deliverCloseNotice(this.env, message);
    }
  }

  /** Records what a delivered message's reply means for the sender, and drops it from the outbox, in one transaction. */
  async #delivered(id: number, message: OutboxMessage, reply: Ack | StartReply): Promise<void> {
    const exists =
      this.#sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox WHERE id = ?", id).one().n >
      0;
    if (!exists) return;
    const drop = () => this.#sql.exec("DELETE FROM outbox WHERE id = ?", id);
    const run = this.#findRun(message.fromRunId);
    const sql: Array<() => void> = [drop];
    const child =
      message.op === "startChild"
        ? this.#sql
            .exec<ChildRow>(
              "SELECT * FROM children WHERE run_id = ? AND seq = ?",
              message.fromRunId,
              message.seq,
            )
            .toArray()[0]
        : undefined;
    const { events, child: next } = replyOutcome(message, reply, child);
    if (next && message.op === "startChild") {
      sql.push(() =>
        this.#sql.exec(
          "UPDATE children SET state = ?, child_run_id = coalesce(?, child_run_id) WHERE run_id = ? AND seq = ?",
          next.state,
          next.state === "Started" ? next.runId : null,
          message.fromRunId,
          message.seq,
        ),
      );
    }
    if (run && run.status === "Running" && events.length > 0) {
      await this.#transition(run, events, { sql });
    } else {
      this.#commitEffects({ sql });
      await this.#armAlarm();
    }
  }

  // ---------------------------------------------------------------- reads

  #insertEvents(runId: string, events: readonly HistoryEvent[]): void {
    for (const e of events) {
      this.#sql.exec(
        "INSERT INTO events (run_id, event_id, task_id, event_type, ts_ms, attributes) VALUES (?, ?, ?, ?, ?, ?)",
        runId,
        e.eventId,
        e.taskId,
        e.eventType,
        e.timestampMs,
        JSON.stringify(e.attributes),
      );
    }
    // Inside the appending transaction: a woken reader re-reads only after it committed (or rolled back).
    for (const waiter of [...this.#historyWaiters]) waiter();
  }

  #description(run: RunRow): WorkflowDescription {
    return description({
      workflowId: this.#identity!.workflowId,
      run,
      activities: this.#sql
        .exec<ActivityRow>("SELECT * FROM activities WHERE run_id = ? ORDER BY seq", run.run_id)
        .toArray(),
      timers: this.#sql
        .exec<TimerRow>(
          "SELECT * FROM timers WHERE run_id = ? AND kind = 'timer' ORDER BY fire_at_ms",
          run.run_id,
        )
        .toArray(),
      children: this.#sql
        .exec<ChildRow>(
          "SELECT * FROM children WHERE run_id = ? AND state != 'Closed' ORDER BY seq",
          run.run_id,
        )
        .toArray(),
      pendingDeliveries: pendingDeliveries(this.#sql, run.run_id),
    });
  }

  #resultBody(run: RunRow): ResultResponse {
    if (run.status !== "Terminated" || run.failure) return resultBody(run);
    const ev = this.#sql
      .exec<{ attributes: string }>(
        "SELECT attributes FROM events WHERE run_id = ? AND event_type = 'WorkflowExecutionTerminated'",
        run.run_id,
      )
      .toArray()[0];
    return resultBody(
      run,
      ev ? (JSON.parse(ev.attributes) as { reason: string }).reason : undefined,
    );
  }
}

/** The failure recorded when a transition's transaction could not commit. */
function commitFailure(err: unknown, maxBytes: number): FailureInfo {
  return boundFailure(
    toFailure(
      ApplicationFailure.nonRetryable(
        `The workflow task's changes could not be stored (${errorMessage(err)}); it is retried with backoff`,
        "CommitFailed",
      ),
    ),
    maxBytes,
  );
}
