/**
 * @module `ExecCtx`: the state one execution object shares between its rooms — its storage and the
 * stores over it, configuration, the engine clock, the serial lock, the warm runtime, and the
 * waiters. The Durable Object class creates one; every room takes it as its first argument.
 */

import type { ActivityTaskMessage } from "../../sdk/activity/protocol";
import { executionSql } from "../codec/payload-sql";
import type { EngineEnv, ResolvedConfig } from "../config";
import type { EventAttributes } from "../history/events";
import type { WorkflowRuntime } from "../replay/runtime";
import { type Identity, taskMessage } from "./activity/dispatch";
import { parseOptions } from "./activity/state";
import { ActivityStore } from "./activity/store";
import { ChildStore } from "./children-store";
import type { PageBounds } from "./history-pages";
import { HistoryStore } from "./history-store";
import { LocalActivityRuns } from "./local-activity-runs";
import { enqueueTask, type WrittenTask } from "./outbox";
import { notFoundReply } from "./replies";
import type { Reply } from "./rpc";
import { RequestStore, RunStore } from "./runs-store";
import { BoundedLru } from "./runtime-cache";
import { hasSchema, migrate } from "./schema";
import { countWrites, newStorageCounts, type StorageCounts } from "./sql-counter";
import { TimerStore } from "./timers";
import { UpdateStore } from "./update-store";
import { Waiters } from "./waiters";
import { trackWakeWrites, WakeFloor } from "./wake-floor";

/** Work of one transition that is not an event: rows to write in the same transaction. */
export interface Writes {
  sql: Array<() => void>;
  /** Runs first in the transaction, before the events: a new object's tables (run-starter.ts). */
  before?: () => void;
}

/** The warm (sticky) runtime of the current run and how many events it has applied. */
export interface WarmRuntime {
  runId: string;
  runtime: WorkflowRuntime;
  applied: number;
}

export class ExecCtx {
  readonly sql: SqlStorage;
  readonly storage: DurableObjectStorage;
  readonly runs: RunStore;
  readonly history: HistoryStore;
  readonly requests: RequestStore;
  readonly timers: TimerStore;
  readonly activities: ActivityStore;
  readonly children: ChildStore;
  readonly updates: UpdateStore;
  /** Result long-polls, update waits and history watches (bounded by `maxWaitersPerObject`). */
  readonly waiters: Waiters;
  /** Local activities under way, which a waiting transition leaves running when it yields. */
  readonly locals = new LocalActivityRuns<EventAttributes["MarkerRecorded"]>();
  /** Runtimes rebuilt to answer queries on closed runs (their history never changes), by run id. */
  readonly queryRuntimes: BoundedLru<WorkflowRuntime>;
  identity: Identity | undefined;
  /** Whether this object's tables exist (false until its first start). */
  ready: boolean;
  /** What was written since the alarm's wake-up times were last read (see wake-floor.ts). */
  readonly wake = new WakeFloor();
  /** The alarm this instance armed (null: none; undefined: not known, read it first). */
  armedAtMs: number | null | undefined;
  /** How far the engine clock runs ahead of real time (test hook `unsafeAdvanceClock`). */
  clockOffsetMs = 0;
  cached: WarmRuntime | undefined;
  /** Alarms in a row whose handler threw (see alarm.ts's back-off). */
  alarmFailures = 0;
  /** Test-only (unsafeFailCommits): transition commits still to fail. */
  failCommits = 0;
  /** Test-hook counters (`unsafeCounters`, `unsafeAlarmState`). */
  readonly counters = { replays: 0, maxReplayPageRows: 0, alarmRuns: 0, visibilityWrites: 0 };
  /** Test-only (`unsafeStorageCounts`): what this instance asked of its storage (sql-counter.ts). */
  readonly storageCounts: StorageCounts = newStorageCounts();
  /** Folds the last statement's rows into {@link storageCounts} (only under SUNDIAL_UNSAFE). */
  readonly settleCounts: () => void = () => {};
  /** The background delivery loop: running, and whether it should go round once more. */
  readonly delivery = {
    running: false,
    again: false,
    /** A send of activity tasks is queued behind the lock (see delivery.ts). */
    tasksQueued: false,
    /** Activity task rows were written since the last send. */
    tasksWritten: false,
    /**
     * The activity rows written since the last send, as written (committed, or in the open
     * transaction: a rollback truncates them). Anything that sends or drops rows from storage
     * empties it, so the after-answer send never sends a row twice or a row that is gone.
     */
    written: [] as WrittenTask[],
    /** The tasks written are a start's first: their send re-arms the alarm exactly (delivery.ts). */
    startSent: false,
    /** Message rows (rpc, visibility) were written since the last delivery began. */
    messagesWritten: false,
    /** Of them, messages to other executions (never held back to settle). */
    rpcWritten: false,
    /** A new run's listing waits to settle before its delivery (delivery.ts). */
    settling: undefined as ReturnType<typeof setTimeout> | undefined,
    /**
     * Known: the outbox holds no message row (a new object; or the last delivery pass sent every
     * row and nothing was written since). False means unknown: the alarm counts them.
     */
    noMessages: false,
  };
  /** Serializes every state change: workflow code runs asynchronously between read and commit. */
  #lock: Promise<unknown> = Promise.resolve();

  constructor(
    readonly state: DurableObjectState,
    readonly env: EngineEnv,
    readonly config: ResolvedConfig,
  ) {
    this.storage = state.storage;
    // An object never started keeps no storage at all: messages to an unknown id answer NotFound
    // without creating tables (so probing random ids leaves nothing behind). Read once, here.
    this.ready = hasSchema(state.storage.sql);
    // Every payload column is encoded on write and decoded on read (src/codec/payload-sql.ts).
    this.sql = executionSql(state.storage.sql, env, config.codecs, this.ready);
    trackWakeWrites(this.sql, this.wake, { written: (run) => this.runs.written(run) });
    // Counting costs a wrapper call per statement: test and bench engines only.
    if (this.unsafe) this.settleCounts = countWrites(this.sql, this.storageCounts).settle;
    this.waiters = new Waiters(config.limits.maxWaitersPerObject);
    this.runs = new RunStore(this.sql, () => this.ready);
    this.history = new HistoryStore(this.sql, () => this.waiters.notify("history"));
    this.requests = new RequestStore(this.sql);
    this.timers = new TimerStore(this.sql, this.wake);
    this.activities = new ActivityStore(
      this.sql,
      (act) => {
        const options = parseOptions(act);
        const message: ActivityTaskMessage = taskMessage(this.identity!, act, options);
        this.delivery.written.push(enqueueTask(this.sql, options.taskQueue, act.run_id, message));
        this.delivery.tasksWritten = true;
      },
      this.wake,
    );
    this.children = new ChildStore(this.sql);
    this.updates = new UpdateStore(this.sql);
    this.queryRuntimes = new BoundedLru({
      maxEntries: config.limits.queryCacheRuns,
      maxWeight: config.limits.queryCacheBytes,
    });
    if (!this.ready) {
      // No tables: never started (or deleted by retention, which deletes the alarm too), so no
      // alarm either; knowing it spares the first start a storage read (an alarm there anyway
      // would only be overwritten, or fire early, which is harmless: see armAlarm).
      this.armedAtMs = null;
      this.delivery.noMessages = true;
      return;
    }
    migrate(this.sql, true);
    const meta = this.runs.readMeta();
    const namespace = meta.get("namespace");
    const workflowId = meta.get("workflow_id");
    if (namespace !== undefined && workflowId !== undefined) {
      this.identity = { namespace, workflowId };
    }
    if (this.unsafe) this.clockOffsetMs = Number(meta.get("clock_offset_ms") ?? 0);
  }

  get unsafe(): boolean {
    return this.env.SUNDIAL_UNSAFE === "1";
  }

  get sticky(): boolean {
    return this.env.SUNDIAL_STICKY !== "false";
  }

  /** Engine time: real time plus the test clock offset. */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  serialized<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#lock.then(fn, fn);
    this.#lock = next.catch(() => undefined);
    return next;
  }

  /** Like {@link serialized}, for a message that must not wait behind a local activity (see LocalActivityRuns). */
  urgent<T>(fn: () => Promise<T>): Promise<T> {
    this.locals.enter();
    return this.serialized(() => this.locals.runUrgent(fn));
  }

  /** Queues `fn` behind the lock's current holder; its failure is dropped (the activation re-arm). */
  queue(fn: () => Promise<void>): void {
    this.#lock = this.#lock.then(fn).catch(() => undefined);
  }

  /** Creates the tables if this object has none (test hooks; a start creates them in its transaction). */
  ensureSchema(): void {
    if (this.ready) return;
    migrate(this.sql, false); // the constructor found no tables
    this.ready = true;
  }

  /** The workflow id, also before the first start (from the object's name, `namespace/workflowId`). */
  workflowIdForMessages(): string {
    if (this.identity) return this.identity.workflowId;
    const name = this.state.id.name;
    return name ? name.slice(name.indexOf("/") + 1) : "(unknown)";
  }

  notFound(runId: string | undefined): Reply {
    return notFoundReply(this.workflowIdForMessages(), runId);
  }

  /** A history page: at most `limit` events and about `historyPageBytes` (at least one event). */
  pageBounds(limit: number): PageBounds {
    return { maxRows: limit, maxBytes: this.config.limits.historyPageBytes };
  }

  /** Commits writes that append no event (retry scheduling, timer cleanup) in one transaction. */
  commitWrites(writes: Writes): void {
    this.transactionSync(() => {
      for (const fn of writes.sql) fn();
    });
  }

  /** `storage.transactionSync`, forgetting the task rows it wrote when it rolls back. */
  transactionSync(fn: () => void): void {
    const written = this.delivery.written.length;
    try {
      this.storage.transactionSync(fn);
    } catch (err) {
      this.delivery.written.length = Math.min(written, this.delivery.written.length);
      throw err;
    }
  }
}
