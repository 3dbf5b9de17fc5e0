/**
 * @module One workflow id: all its runs, their histories, timers, pending activities and outbox live
 * in this Durable Object's SQLite. Every transition is one transaction; side effects leave from the
 * outbox. This class is the entry point only: each RPC delegates to its room (README, Layout) under
 * the object's lock, over one shared {@link ExecCtx}.
 */
import { DurableObject } from "cloudflare:workers";
import type {
  EagerOffer,
  EagerTask,
  HeartbeatResponse,
  StartedTask,
} from "../../sdk/activity/protocol";
import type { EngineEnv, ResolvedConfig } from "../config";
import * as activity from "./activity/handlers";
import type { TaskToken } from "./addressing";
import { alarm } from "./alarm";
import type { CrashArmOptions, CrashPoint } from "./crash-points";
import { ExecCtx } from "./execution-context";
import * as messages from "./messages";
import * as reads from "./reads";
import type {
  Ack,
  ChildReport,
  HistoryWatch,
  ParentRef,
  Reply,
  StartReply,
  StartRequest,
} from "./rpc";
import { startWorkflow } from "./run-starter";
import * as hooks from "./test-hooks";
import { activate } from "./timers";
import * as updates from "./updates";

/**
 * The Durable Object class. `createSundial()` subclasses it with the user's registry.
 * Public methods are RPCs (the contract in rpc.ts); the work is in the rooms.
 */
export class WorkflowExecutionBase extends DurableObject<EngineEnv> {
  readonly #x: ExecCtx;

  constructor(ctx: DurableObjectState, env: EngineEnv, config: ResolvedConfig) {
    super(ctx, env);
    this.#x = new ExecCtx(ctx, env, config);
    if (this.#x.ready) activate(this.#x);
  }

  // ---------------------------------------------------------------- RPC: client API

  async start(req: StartRequest): Promise<StartReply> {
    return this.#x.urgent(() => startWorkflow(this.#x, req));
  }

  /** A child workflow's start, sent by its parent's outbox (deduplicated by its requestId). */
  async startChild(req: StartRequest, parent: ParentRef): Promise<StartReply> {
    return this.#x.urgent(() => startWorkflow(this.#x, req, parent));
  }

  async signal(
    signalName: string,
    input: string | undefined,
    requestId?: string,
    runId?: string,
  ): Promise<Ack> {
    return this.#x.urgent(() => messages.signal(this.#x, signalName, input, requestId, runId));
  }

  async cancel(reason?: string, requestId?: string, runId?: string): Promise<Ack> {
    return this.#x.urgent(() => messages.cancel(this.#x, reason, requestId, runId));
  }

  async terminate(reason?: string, runId?: string): Promise<Ack> {
    return this.#x.urgent(() => messages.terminate(this.#x, reason, runId));
  }

  /** A child's final outcome, from the child's outbox. Deduplicated by the child row's state. */
  async childClosed(report: ChildReport): Promise<Ack> {
    return this.#x.urgent(() => messages.childClosed(this.#x, report));
  }

  /** Answers a query from the run's state (warm, or replayed). Records nothing. */
  async query(queryName: string, input: string | undefined, runId?: string): Promise<Reply> {
    return updates.query(this.#x, queryName, input, runId);
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
    return updates.update(this.#x, updateName, input, updateId, waitMs);
  }

  async describe(runId?: string): Promise<Reply> {
    return reads.describe(this.#x, runId);
  }

  async result(runId: string | undefined, waitMs: number): Promise<Reply> {
    return reads.result(this.#x, runId, waitMs);
  }

  async history(query: { runId?: string; after?: number; limit: number }): Promise<Reply> {
    return reads.history(this.#x, query);
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
    return reads.watchHistory(this.#x, query);
  }

  // ---------------------------------------------------------------- RPC: activity workers

  /** Marks an attempt started and hands out its input (see activity/handlers.ts). */
  async activityStarted(token: TaskToken, deliveryId?: string): Promise<StartedTask | null> {
    return this.#x.urgent(() => activity.activityStarted(this.#x, token, deliveryId));
  }

  async activityHeartbeat(token: TaskToken, details?: string): Promise<HeartbeatResponse> {
    return this.#x.urgent(() => activity.activityHeartbeat(this.#x, token, details));
  }

  /** Records a result; with an `offer`, may hand back the next task eagerly. */
  async activityCompleted(
    token: TaskToken,
    result: string,
    offer?: EagerOffer,
  ): Promise<EagerTask | null> {
    return this.#x.urgent(() => activity.activityCompleted(this.#x, token, result, offer));
  }

  /** Records a failed attempt; `offer` as for {@link activityCompleted}. */
  async activityFailed(
    token: TaskToken,
    failureJson: string,
    offer?: EagerOffer,
  ): Promise<EagerTask | null> {
    return this.#x.urgent(() => activity.activityFailed(this.#x, token, failureJson, offer));
  }

  override async alarm(): Promise<void> {
    await alarm(this.#x);
  }

  // ---------------------------------------------------------------- RPC: test-only hooks (test-hooks.ts)

  /** Test-only: the next `n` transition commits fail as SQLite fails a value past its size limit. */
  async unsafeFailCommits(n: number): Promise<void> {
    hooks.failCommits(this.#x, n);
  }

  /** Test-only: moves this object's clock forward (Temporal's time skipping). */
  async unsafeAdvanceClock(ms: number): Promise<number> {
    return hooks.advanceClock(this.#x, ms);
  }

  /** Test-only: how many alarm handlers ran to the end in this instance, and the armed alarm time. */
  async unsafeAlarmState(): Promise<{ runs: number; armedAtMs: number | null }> {
    return hooks.alarmState(this.#x);
  }

  /** Test-only: the timer rows, for asserting what is scheduled. */
  async unsafeTimers(): Promise<Array<{ key: string; kind: string; fireAtMs: number }>> {
    return hooks.timers(this.#x);
  }

  /** Test/bench-only: drops the warm runtime and replays the current run; returns the time it took. */
  async unsafeReplay(): Promise<{ replayMs: number; historyLength: number }> {
    return hooks.replayNow(this.#x);
  }

  /** Test-only: replays done, the largest page a replay read, waiter slots taken, query-cache entries. */
  async unsafeCounters(): Promise<ReturnType<typeof hooks.counters>> {
    return hooks.counters(this.#x);
  }

  /** Test/bench-only: rows written, statements and alarm writes of this instance (sql-counter.ts). */
  async unsafeStorageCounts(): Promise<ReturnType<typeof hooks.storageCounts>> {
    return hooks.storageCounts(this.#x);
  }

  /** Test-only: delivers the outbox's messages now; returns how many are still undelivered. */
  async unsafeDeliverOutbox(): Promise<number> {
    return hooks.deliverOutbox(this.#x);
  }

  /** Test-only: crash at `point` of the next transition of `options.kind` (crash-points.ts). */
  async unsafeCrashAt(point: CrashPoint, options: CrashArmOptions = {}): Promise<void> {
    hooks.crashAt(this.#x, point, options);
  }

  /** Test-only, read-only: the pending alarm and the outbox size; `setAt` first sets the alarm. */
  async unsafeAlarm(setAt?: number): Promise<{ alarm: number | null; outbox: number }> {
    return hooks.alarmAndOutbox(this.#x, setAt);
  }

  /** Test-only: this object's encryption keys from now on. */
  async unsafePayloadKeys(keys: string | null | undefined): Promise<void> {
    hooks.payloadKeys(this.#x, keys);
  }

  /** Test-only: the crash points that fired in this object so far, and how many arms are left. */
  async unsafeCrashes(): Promise<{ fired: string[]; armed: number }> {
    return hooks.crashes(this.#x);
  }
}
