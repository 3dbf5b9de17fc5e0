/**
 * @module The deterministic workflow runtime: history in, commands out. Pure: no `cloudflare:*`
 * imports, so it is unit-tested in Node. The same code path serves the warm path (the engine feeds
 * only new events to a cached runtime) and the cold path (a fresh runtime is fed the whole history).
 * See ARCHITECTURE.md in this folder for the algorithm.
 */
import { type Duration, toMs } from "../../sdk/common/duration";
import {
  ActivityFailure,
  DurableFailure,
  type FailureInfo,
  fromFailure,
  toFailure,
} from "../../sdk/common/failures";
import { resolveRetryPolicy } from "../../sdk/common/retry-policy";
import type {
  ActivityOptions,
  ActivityStubs,
  LocalActivityOptions,
  WorkflowContext,
  WorkflowDefinition,
  WorkflowInfo,
} from "../../sdk/workflow/index";
import type { EventAttributes, HistoryEvent } from "../history/events";
import { COMMAND_EVENT_TYPES, INPUT_EVENT_TYPES } from "../history/events";
import { type Command, commandMatches, describeCommand, describeEvent } from "./commands";

/** Workflow code issued commands that do not match its recorded history. Fails the workflow task, not the execution. */
export class NonDeterminismError extends Error {
  override name = "NonDeterminismError";
}

/** Workflow code threw something that is not a failure (a bug): fails the workflow task, which is retried. */
export class WorkflowTaskError extends Error {
  override name = "WorkflowTaskError";
}

export interface RuntimeInfo {
  namespace: string;
  workflowId: string;
  runId: string;
  startTimeMs: number;
  started: EventAttributes["WorkflowExecutionStarted"];
}

const DEFAULT_START_TO_CLOSE_MS = 10 * 60_000;
const DEFAULT_LOCAL_START_TO_CLOSE_MS = 30_000;

interface Pending {
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/** Yields to the event loop so every microtask queued by workflow code has run. */
function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export class WorkflowRuntime {
  readonly #definition: WorkflowDefinition;
  readonly #info: WorkflowInfo;
  readonly #started: EventAttributes["WorkflowExecutionStarted"];
  #seq = 0;
  #nowMs: number;
  #rngState: number;
  readonly #pending = new Map<number, Pending>();
  /** Commands issued by workflow code and not yet matched with a recorded event. */
  readonly #unmatched: Command[] = [];
  /** Marker results waiting to be delivered once every command of the same drain is matched. */
  readonly #markerResolutions: HistoryEvent[] = [];
  #closed = false;
  #taskError: unknown = undefined;
  #hasTaskError = false;
  #mainStarted = false;

  constructor(definition: WorkflowDefinition, info: RuntimeInfo) {
    this.#definition = definition;
    this.#started = info.started;
    this.#nowMs = info.startTimeMs;
    this.#rngState = info.started.randomSeed >>> 0;
    this.#info = {
      namespace: info.namespace,
      workflowId: info.workflowId,
      runId: info.runId,
      workflowType: info.started.workflowType,
      taskQueue: info.started.taskQueue,
      attempt: info.started.attempt,
      startTime: new Date(info.startTimeMs),
    };
  }

  /** Commands issued and not yet recorded, in order. The engine records them and feeds the events back. */
  get unmatched(): readonly Command[] {
    return this.#unmatched;
  }

  /** Whether the workflow function has completed or failed (a close command was issued). */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Applies the events of one activation (one task): input events wake the code; command events
   * must match, in order, the commands the code issued. Throws {@link NonDeterminismError} or
   * {@link WorkflowTaskError}; the runtime must then be discarded.
   */
  async applyTask(events: readonly HistoryEvent[]): Promise<void> {
    const first = events[0];
    if (first) this.#nowMs = first.timestampMs;
    let delivered = false;
    for (const ev of events) {
      if (INPUT_EVENT_TYPES.has(ev.eventType)) {
        this.#deliver(ev);
        delivered = true;
      }
    }
    if (delivered) await this.#drain();
    for (const ev of events) {
      if (!COMMAND_EVENT_TYPES.has(ev.eventType)) continue;
      const cmd = this.#unmatched.shift();
      if (!cmd) {
        throw new NonDeterminismError(
          `[SUNDIAL_NDE] history has ${describeEvent(ev)} but the workflow code issued no command for it. ` +
            "Was the workflow code changed while executions were running? Guard the change with patched().",
        );
      }
      if (!commandMatches(cmd, ev)) {
        throw new NonDeterminismError(
          `[SUNDIAL_NDE] history has ${describeEvent(ev)} but the workflow code issued ${describeCommand(cmd)}. ` +
            "Was the workflow code changed while executions were running? Guard the change with patched().",
        );
      }
      if (ev.eventType === "MarkerRecorded") this.#markerResolutions.push(ev);
      if (this.#unmatched.length === 0 && this.#markerResolutions.length > 0) {
        for (const marker of this.#markerResolutions.splice(0)) this.#deliver(marker);
        await this.#drain();
      }
    }
  }

  #deliver(ev: HistoryEvent): void {
    switch (ev.eventType) {
      case "WorkflowExecutionStarted":
        this.#startMain(ev.attributes.input);
        return;
      case "ActivityTaskCompleted":
        this.#settle(ev.attributes.seq, true, JSON.parse(ev.attributes.result));
        return;
      case "ActivityTaskFailed":
      case "ActivityTaskTimedOut":
        this.#settle(ev.attributes.seq, false, this.#activityFailure(ev));
        return;
      case "TimerFired":
        this.#settle(ev.attributes.seq, true, undefined);
        return;
      case "MarkerRecorded": {
        const a = ev.attributes;
        if (a.failure) {
          this.#settle(a.seq, false, activityFailure(a.activityType, String(a.seq), a.failure));
        } else {
          this.#settle(a.seq, true, a.result === undefined ? undefined : JSON.parse(a.result));
        }
        return;
      }
      default:
        return;
    }
  }

  #activityFailure(
    ev: Extract<HistoryEvent, { eventType: "ActivityTaskFailed" | "ActivityTaskTimedOut" }>,
  ): ActivityFailure {
    const scheduled = this.#scheduled.get(ev.attributes.seq);
    return activityFailure(
      scheduled?.activityType ?? "",
      scheduled?.activityId ?? String(ev.attributes.seq),
      ev.attributes.failure,
      ev.attributes.retryState,
    );
  }

  readonly #scheduled = new Map<number, { activityType: string; activityId: string }>();

  #settle(seq: number, ok: boolean, value: unknown): void {
    const pending = this.#pending.get(seq);
    if (!pending) return; // e.g. a result for a promise the code no longer tracks
    this.#pending.delete(seq);
    if (ok) pending.resolve(value);
    else pending.reject(value);
  }

  #startMain(input: string): void {
    if (this.#mainStarted) return;
    this.#mainStarted = true;
    const ctx = this.#context();
    let promise: Promise<unknown>;
    try {
      promise = this.#definition.run(ctx, JSON.parse(input));
    } catch (err) {
      promise = Promise.reject(err);
    }
    const taskError = (err: unknown) => {
      this.#taskError = err;
      this.#hasTaskError = true;
    };
    promise.then(
      (result) => {
        // A result JSON cannot carry (a BigInt, a cycle) is a bug in the code: a task failure.
        let serialized: string;
        try {
          serialized = JSON.stringify(result ?? null);
        } catch (err) {
          taskError(err);
          return;
        }
        this.#issueClose({ type: "CompleteWorkflow", result: serialized });
      },
      (err: unknown) => {
        if (err instanceof DurableFailure)
          this.#issueClose({ type: "FailWorkflow", failure: toFailure(err) });
        else taskError(err);
      },
    );
  }

  #issueClose(cmd: Command): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unmatched.push(cmd);
  }

  async #drain(): Promise<void> {
    await drainMicrotasks();
    if (this.#hasTaskError) {
      const err = this.#taskError;
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      throw new WorkflowTaskError(`Workflow code threw ${message}`, { cause: err });
    }
  }

  #issue<T>(cmd: Command): Promise<T> {
    if (this.#closed) return new Promise<T>(() => {}); // the run is over: nothing more happens
    return new Promise<T>((resolve, reject) => {
      if ("seq" in cmd)
        this.#pending.set(cmd.seq, { resolve: resolve as (v: unknown) => void, reject });
      this.#unmatched.push(cmd);
    });
  }

  #random(): number {
    // mulberry32: small, fast, and fully determined by the seed recorded in WorkflowExecutionStarted.
    this.#rngState = (this.#rngState + 0x6d2b79f5) >>> 0;
    let t = this.#rngState;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  #scheduleActivity<O>(
    activityType: string,
    input: unknown,
    options: ActivityOptions = {},
  ): Promise<O> {
    const seq = ++this.#seq;
    const scheduleToClose = optional(options.scheduleToCloseTimeout);
    const startToClose =
      optional(options.startToCloseTimeout) ??
      (scheduleToClose === undefined ? DEFAULT_START_TO_CLOSE_MS : undefined);
    const activityId = options.activityId ?? String(seq);
    this.#scheduled.set(seq, { activityType, activityId });
    return this.#issue<O>({
      type: "ScheduleActivity",
      seq,
      activityId,
      activityType,
      input: JSON.stringify(input ?? null),
      options: {
        taskQueue: options.taskQueue ?? this.#info.taskQueue,
        ...(startToClose !== undefined ? { startToCloseTimeoutMs: startToClose } : {}),
        ...(scheduleToClose !== undefined ? { scheduleToCloseTimeoutMs: scheduleToClose } : {}),
        ...withMs("scheduleToStartTimeoutMs", options.scheduleToStartTimeout),
        ...withMs("heartbeatTimeoutMs", options.heartbeatTimeout),
        retry: resolveRetryPolicy(options.retry),
      },
    });
  }

  #runLocalActivity<O>(
    activityType: string,
    input: unknown,
    options: LocalActivityOptions = {},
  ): Promise<O> {
    const seq = ++this.#seq;
    this.#scheduled.set(seq, { activityType, activityId: String(seq) });
    return this.#issue<O>({
      type: "RunLocalActivity",
      seq,
      activityType,
      input: JSON.stringify(input ?? null),
      startToCloseTimeoutMs:
        optional(options.startToCloseTimeout) ?? DEFAULT_LOCAL_START_TO_CLOSE_MS,
      retry: resolveRetryPolicy({ maximumAttempts: 3, initialInterval: 100, ...options.retry }),
    });
  }

  #context(): WorkflowContext {
    const stubs = <A>(call: (type: string, input: unknown) => Promise<unknown>) =>
      new Proxy({} as ActivityStubs<A>, {
        get: (_target, prop) =>
          typeof prop === "string" ? (input: unknown) => call(prop, input) : undefined,
      });
    return {
      info: this.#info,
      activity: (type, input, options) => this.#scheduleActivity(type, input, options),
      localActivity: (type, input, options) => this.#runLocalActivity(type, input, options),
      proxyActivities: <A>(options?: ActivityOptions) =>
        stubs<A>((type, input) => this.#scheduleActivity(type, input, options)),
      proxyLocalActivities: <A>(options?: LocalActivityOptions) =>
        stubs<A>((type, input) => this.#runLocalActivity(type, input, options)),
      sleep: (duration: Duration) => {
        const durationMs = Math.max(1, toMs(duration));
        return this.#issue<void>({ type: "StartTimer", seq: ++this.#seq, durationMs });
      },
      now: () => this.#nowMs,
      random: () => this.#random(),
      uuid: () => uuid4(() => this.#random()),
    };
  }
}

function optional(duration: Duration | undefined): number | undefined {
  return duration === undefined ? undefined : toMs(duration);
}

function withMs<K extends string>(
  key: K,
  duration: Duration | undefined,
): Partial<Record<K, number>> {
  return duration === undefined ? {} : ({ [key]: toMs(duration) } as Record<K, number>);
}

function activityFailure(
  activityType: string,
  activityId: string,
  cause: FailureInfo,
  retryState: ActivityFailure["retryState"] = "NonRetryableFailure",
): ActivityFailure {
  return new ActivityFailure(
    `Activity ${activityType} failed: ${cause.message}`,
    activityType,
    activityId,
    retryState,
    {
      cause: fromFailure(cause),
    },
  );
}

function uuid4(random: () => number): string {
  const bytes = Array.from({ length: 16 }, () => Math.floor(random() * 256));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
