/**
 * @module The deterministic workflow runtime: history in, commands out. Pure: no `cloudflare:*`
 * imports, so it is unit-tested in Node. The same code path serves the warm path (the engine feeds
 * only new events to a cached runtime) and the cold path (a fresh runtime is fed the whole history).
 * See ARCHITECTURE.md in this folder for the algorithm.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { type Duration, toMs } from "../../sdk/common/duration";
import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  ChildWorkflowFailure,
  DurableFailure,
  type FailureInfo,
  fromFailure,
  isCancellation,
  TerminatedFailure,
  toFailure,
} from "../../sdk/common/failures";
import { checkHandlerName } from "../../sdk/common/handler-name";
import { resolveRetryPolicy } from "../../sdk/common/retry-policy";
import type {
  ActivityOptions,
  ActivityStubs,
  ChildWorkflowHandle,
  ChildWorkflowOptions,
  ExternalWorkflowHandle,
  LocalActivityOptions,
  QueryDefinition,
  SignalDefinition,
  UpdateDefinition,
  WorkflowContext,
  WorkflowDefinition,
  WorkflowInfo,
} from "../../sdk/workflow/index";
import { exceedsBytes, payloadTooLarge } from "../common/payload-size";
import type { EventAttributes, HistoryEvent } from "../history/events";
import { COMMAND_EVENT_TYPES, INPUT_EVENT_TYPES } from "../history/events";
import { toSearchAttributes } from "../visibility/search-attributes";
import { type Command, commandMatches, describeCommand, describeEvent } from "./commands";
import {
  activeRuntime,
  type DeterministicHost,
  installDeterministicGlobals,
  realSetTimeout,
  uuid4,
} from "./deterministic-globals";

/** Workflow code issued commands that do not match its recorded history. Fails the workflow task, not the execution. */
export class NonDeterminismError extends Error {
  override name = "NonDeterminismError";
}

/** Workflow code threw something that is not a failure (a bug): fails the workflow task, which is retried. */
export class WorkflowTaskError extends Error {
  override name = "WorkflowTaskError";
}

/** A query or update named no handler the workflow set (answered as a 400). */
export class UnknownHandlerError extends Error {
  override name = "UnknownHandlerError";
}

/** An update's validator rejected it (answered as a 400 with the validator's message). */
export class UpdateRejectedError extends Error {
  override name = "UpdateRejectedError";
}

/**
 * A cancellation scope. Cancelling one runs the cancel hooks of what was started in it and
 * cancels its cancellable children; a non-cancellable scope stops the propagation.
 */
class Scope {
  cancelled = false;
  readonly children = new Set<Scope>();
  readonly hooks = new Set<() => void>();
  constructor(
    readonly cancellable: boolean,
    parent?: Scope,
  ) {
    parent?.children.add(this);
    if (cancellable && parent?.cancelled) this.cancelled = true;
  }
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    for (const hook of [...this.hooks]) hook();
    this.hooks.clear();
    for (const child of this.children) if (child.cancellable) child.cancel();
  }
}

export interface RuntimeInfo {
  namespace: string;
  workflowId: string;
  runId: string;
  startTimeMs: number;
  started: EventAttributes["WorkflowExecutionStarted"];
  /** Inputs that workflow code sends out (activities, children, signals, continue-as-new) are capped. */
  maxPayloadBytes?: number;
  /**
   * Called (once) when workflow code resumed between workflow tasks, after awaiting a promise the
   * runtime did not create: the runtime now holds a task failure, and the engine should run a
   * workflow task soon to record it rather than wait for an unrelated event.
   */
  onStrayResume?: (runtime: WorkflowRuntime) => void;
}

/**
 * Workflow code broke a determinism rule the runtime cannot repair: it called a forbidden global
 * (`fetch`), or resumed outside a workflow task after awaiting a promise the runtime did not create.
 * Fails the workflow task (WorkflowTaskFailed names the cause); the task is retried.
 */
export class DeterminismViolation extends Error {
  override name = "DeterminismViolation";
}

installDeterministicGlobals();

const DEFAULT_START_TO_CLOSE_MS = 10 * 60_000;
const DEFAULT_LOCAL_START_TO_CLOSE_MS = 30_000;

interface Pending {
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/** Yields to the event loop so every microtask queued by workflow code has run. */
function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => realSetTimeout(resolve, 0));
}

/** A JSON payload of the wire; absent (not `null`) stays `undefined`, so default parameters apply. */
function decode(payload: string | undefined): unknown {
  return payload === undefined ? undefined : JSON.parse(payload);
}

/**
 * A duration given to `sleep`/`condition`: as in Temporal, zero or negative means "as soon as
 * possible" (1 ms), e.g. `condition(fn, deadline - ctx.now())` once the deadline has passed.
 */
function timerMs(duration: Duration): number {
  if (typeof duration === "number" && duration <= 0) return 1;
  return Math.max(1, toMs(duration));
}

export class WorkflowRuntime implements DeterministicHost {
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
  /** Whether the task being applied is recorded history (replay) rather than a new activation. */
  #replaying = false;
  /** Patch ids of the Patch markers in the task being replayed. */
  #taskPatches = new Set<string>();
  readonly #patches = new Map<string, boolean>();
  /** Set while a query or validator runs: such code must not issue commands. */
  #readOnly = false;
  readonly #root = new Scope(true);
  readonly #scopes = new AsyncLocalStorage<Scope>();
  readonly #signalHandlers = new Map<string, (input: unknown) => unknown>();
  readonly #signalBuffer: Array<{ name: string; input: unknown }> = [];
  readonly #signalWaiters = new Map<string, Array<(input: unknown) => void>>();
  readonly #queryHandlers = new Map<string, (input: unknown) => unknown>();
  readonly #updateHandlers = new Map<
    string,
    { handler: (input: unknown) => unknown; validator?: (input: unknown) => void }
  >();
  readonly #conditions: Array<{ fn: () => boolean; done: (ok: boolean) => void }> = [];
  readonly #childStarted = new Map<number, Pending>();
  readonly #children = new Map<number, { workflowType: string; workflowId: string }>();

  readonly #maxPayloadBytes: number | undefined;
  readonly #onStrayResume: ((runtime: WorkflowRuntime) => void) | undefined;
  #appliedEvents = 0;
  /** Whether a workflow task is being applied: workflow code running outside one resumed astray. */
  #activating = false;
  /** setTimeout/setInterval handles of workflow code to the seq of their current durable timer. */
  readonly #timerHandles = new Map<number, number>();
  #lastTimerHandle = 0;

  /**
   * A payload leaving workflow code, as JSON text. Past the payload limit it throws a
   * non-retryable `PayloadTooLarge` where the call was made (deterministic: replay does the same),
   * instead of failing the transaction that would store it.
   */
  #payload(value: unknown, what: string): string {
    const text = JSON.stringify(value ?? null);
    const max = this.#maxPayloadBytes;
    if (max !== undefined && exceedsBytes(text, max)) throw payloadTooLarge(what, max);
    return text;
  }

  constructor(definition: WorkflowDefinition, info: RuntimeInfo) {
    this.#definition = definition;
    this.#maxPayloadBytes = info.maxPayloadBytes;
    this.#onStrayResume = info.onStrayResume;
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

  /** How many history events were applied: the engine caches a runtime only when it is current. */
  get appliedEvents(): number {
    return this.#appliedEvents;
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
  async applyTask(events: readonly HistoryEvent[], replaying = false): Promise<void> {
    // A task error found between tasks (code resumed astray) fails this task.
    this.#throwIfFailed();
    const first = events[0];
    if (first) this.#nowMs = first.timestampMs;
    this.#replaying = replaying;
    this.#activating = true;
    this.#appliedEvents += events.length;
    this.#taskPatches = new Set(
      events.flatMap((e) =>
        e.eventType === "MarkerRecorded" && e.attributes.markerName === "Patch"
          ? [e.attributes.patchId]
          : [],
      ),
    );
    try {
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
        const cmd = this.#unmatched[0];
        if (!cmd || !commandMatches(cmd, ev)) {
          // A deprecated patch's marker may stay in old histories after the call is removed.
          if (
            ev.eventType === "MarkerRecorded" &&
            ev.attributes.markerName === "Patch" &&
            ev.attributes.deprecated
          ) {
            continue;
          }
          throw new NonDeterminismError(
            `[SUNDIAL_NDE] history has ${describeEvent(ev)} but the workflow code issued ${cmd ? describeCommand(cmd) : "no command for it"}. ` +
              "Was the workflow code changed while executions were running? Guard the change with patched().",
          );
        }
        this.#unmatched.shift();
        if (ev.eventType === "MarkerRecorded" && ev.attributes.markerName === "LocalActivity") {
          this.#markerResolutions.push(ev);
        }
        if (this.#unmatched.length === 0 && this.#markerResolutions.length > 0) {
          for (const marker of this.#markerResolutions.splice(0)) this.#deliver(marker);
          await this.#drain();
        }
      }
    } finally {
      this.#replaying = false;
      this.#activating = false;
    }
  }

  /** Answers a query from the current state. Records nothing; throws UnknownHandlerError. */
  query(name: string, input: unknown): unknown {
    const handler = this.#queryHandlers.get(name);
    if (!handler) {
      throw new UnknownHandlerError(
        `Workflow ${this.#info.workflowType} has no query "${name}"${knownNames(this.#queryHandlers)}`,
      );
    }
    const result = this.#readOnlyCall(() => handler(input));
    if (result instanceof Promise) {
      result.catch(() => undefined);
      throw new UpdateRejectedError(`Query handler "${name}" must be synchronous`);
    }
    return result;
  }

  /** Runs an update's validator against the current state. Throws UnknownHandlerError or UpdateRejectedError. */
  validateUpdate(name: string, input: unknown): void {
    const entry = this.#updateHandlers.get(name);
    if (!entry) {
      throw new UnknownHandlerError(
        `Workflow ${this.#info.workflowType} has no update "${name}"${knownNames(this.#updateHandlers)}`,
      );
    }
    const validator = entry.validator;
    if (!validator) return;
    try {
      this.#readOnlyCall(() => validator(input));
    } catch (err) {
      throw new UpdateRejectedError(err instanceof Error ? err.message : String(err));
    }
  }

  /** @internal The time workflow code sees (`Date.now()` inside workflow code). */
  deterministicNow(): number {
    this.#checkResumed("read the clock");
    return this.#nowMs;
  }

  /**
   * @internal `Math.random()` inside workflow code: the run's seeded generator. Queries and
   * validators run on a fork of it that is thrown away (see #readOnlyCall).
   */
  deterministicRandom(): number {
    this.#checkResumed("drew a random number");
    return this.#random();
  }

  /** @internal `performance.now()` inside workflow code: workflow time since the run started. */
  sinceStartMs(): number {
    this.#checkResumed("read the clock");
    return this.#nowMs - this.#info.startTime.getTime();
  }

  /**
   * @internal `setTimeout`/`setInterval` inside workflow code: a durable timer (as in Temporal's
   * TypeScript SDK) in the caller's cancellation scope; `fn` runs when it fires.
   */
  setTimer(fn: unknown, ms: unknown, args: unknown[], repeat: boolean): number {
    if (typeof fn !== "function") {
      throw new TypeError("setTimeout/setInterval in workflow code take a function");
    }
    const delay = typeof ms === "number" && Number.isFinite(ms) ? timerMs(ms) : 1;
    const handle = ++this.#lastTimerHandle;
    const arm = () => {
      const { seq, promise } = this.#startTimer(delay);
      this.#timerHandles.set(handle, seq);
      promise.then(
        () => {
          if (this.#timerHandles.get(handle) !== seq) return;
          if (!repeat) this.#timerHandles.delete(handle);
          this.#callHandler(() => (fn as (...a: unknown[]) => unknown)(...args));
          // An interval re-arms after its callback, unless the callback cleared it.
          if (repeat && this.#timerHandles.get(handle) === seq) arm();
        },
        () => {
          if (this.#timerHandles.get(handle) === seq) this.#timerHandles.delete(handle);
        },
      );
    };
    arm();
    return handle;
  }

  /** @internal `clearTimeout`/`clearInterval` inside workflow code: cancels the durable timer. */
  clearTimer(handle: unknown): void {
    if (typeof handle !== "number") return;
    const seq = this.#timerHandles.get(handle);
    if (seq === undefined) return;
    this.#timerHandles.delete(handle);
    const pending = this.#pending.get(seq);
    if (!pending) return;
    this.#pending.delete(seq);
    this.#push({ type: "CancelTimer", seq });
    pending.reject(new CancelledFailure("Timer canceled"));
  }

  /** @internal A global workflow code must not use: fails the task even if the code catches it. */
  forbidden(what: string, advice: string): Error {
    const err = new DeterminismViolation(
      `Workflow code called ${what}, which is not deterministic and cannot be replayed: ${advice}`,
    );
    this.#fail(err);
    return err;
  }

  /**
   * Workflow code running while no task is applied (and outside a query/validator) resumed after a
   * promise the runtime did not create (a real timer, I/O): what it does now is recorded nowhere
   * and a replay would not do it. Fail the task, naming the cause, and ask the engine to run one.
   */
  #checkResumed(what: string): void {
    if (this.#activating || this.#readOnly || this.#hasTaskError) return;
    this.#fail(
      new DeterminismViolation(
        `Workflow code ${what} outside a workflow task: it awaited a promise the runtime did not create ` +
          "(fetch, a real timer, I/O, a binding). Await only ctx.* operations; do I/O in an activity.",
      ),
    );
    this.#onStrayResume?.(this);
  }

  /** Runs workflow code: in its cancellation scope, with the deterministic globals. */
  #enter<R>(scope: Scope, fn: () => R): R {
    return activeRuntime.run(this, () => this.#scopes.run(scope, fn));
  }

  /**
   * Runs a query handler or an update validator. They are not replayed, so the run's generator is
   * forked for them and restored after: `ctx.random()`/`Math.random()` there are deterministic (warm
   * and cold answer alike) and do not shift the values the run draws next.
   */
  #readOnlyCall<T>(fn: () => T): T {
    this.#readOnly = true;
    const rng = this.#rngState;
    try {
      return activeRuntime.run(this, fn);
    } finally {
      this.#readOnly = false;
      this.#rngState = rng;
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
        if (a.markerName !== "LocalActivity") return;
        if (a.failure) {
          this.#settle(a.seq, false, activityFailure(a.activityType, String(a.seq), a.failure));
        } else {
          this.#settle(a.seq, true, a.result === undefined ? undefined : JSON.parse(a.result));
        }
        return;
      }
      case "WorkflowExecutionSignaled":
        this.#signal(ev.attributes.signalName, decode(ev.attributes.input));
        return;
      case "WorkflowExecutionCancelRequested":
        this.#root.cancel();
        return;
      case "WorkflowExecutionUpdateAccepted":
        this.#runUpdate(ev.attributes);
        return;
      case "ChildWorkflowExecutionStarted": {
        const pending = this.#childStarted.get(ev.attributes.seq);
        this.#childStarted.delete(ev.attributes.seq);
        pending?.resolve(ev.attributes.runId);
        return;
      }
      case "StartChildWorkflowExecutionFailed": {
        const seq = ev.attributes.seq;
        const err = this.#childFailure(
          seq,
          ApplicationFailure.nonRetryable(
            `Child workflow "${ev.attributes.workflowId}" could not start: ${ev.attributes.cause}`,
            ev.attributes.cause,
          ),
        );
        const pending = this.#childStarted.get(seq);
        this.#childStarted.delete(seq);
        pending?.reject(err);
        this.#settle(seq, false, err);
        return;
      }
      case "ChildWorkflowExecutionCompleted":
        this.#childStartedImplicitly(ev.attributes.seq);
        this.#settle(ev.attributes.seq, true, JSON.parse(ev.attributes.result));
        return;
      case "ChildWorkflowExecutionFailed":
        this.#childStartedImplicitly(ev.attributes.seq);
        this.#settle(
          ev.attributes.seq,
          false,
          this.#childFailure(ev.attributes.seq, fromFailure(ev.attributes.failure)),
        );
        return;
      case "ChildWorkflowExecutionCanceled":
      case "ChildWorkflowExecutionTerminated":
      case "ChildWorkflowExecutionTimedOut": {
        const seq = ev.attributes.seq;
        this.#childStartedImplicitly(seq);
        const cause =
          ev.eventType === "ChildWorkflowExecutionCanceled"
            ? new CancelledFailure("Child workflow canceled")
            : ev.eventType === "ChildWorkflowExecutionTerminated"
              ? new TerminatedFailure("Child workflow terminated")
              : ApplicationFailure.nonRetryable("Child workflow timed out", "WorkflowTimedOut");
        this.#settle(seq, false, this.#childFailure(seq, cause));
        return;
      }
      case "ExternalWorkflowExecutionSignaled":
      case "ExternalWorkflowExecutionCancelRequested":
        this.#settle(ev.attributes.seq, true, undefined);
        return;
      case "SignalExternalWorkflowExecutionFailed":
      case "RequestCancelExternalWorkflowExecutionFailed":
        this.#settle(
          ev.attributes.seq,
          false,
          ApplicationFailure.nonRetryable(
            `External workflow: ${ev.attributes.cause}`,
            ev.attributes.cause,
          ),
        );
        return;
      default:
        return;
    }
  }

  #childStartedImplicitly(seq: number): void {
    const pending = this.#childStarted.get(seq);
    this.#childStarted.delete(seq);
    pending?.resolve("");
  }

  #childFailure(seq: number, cause: unknown): ChildWorkflowFailure {
    const child = this.#children.get(seq);
    const message = cause instanceof Error ? cause.message : String(cause);
    return new ChildWorkflowFailure(
      `Child workflow ${child?.workflowType ?? ""} (${child?.workflowId ?? seq}) failed: ${message}`,
      child?.workflowType ?? "",
      child?.workflowId ?? "",
      { cause },
    );
  }

  #signal(name: string, input: unknown): void {
    const handler = this.#signalHandlers.get(name);
    if (handler) {
      this.#callHandler(() => handler(input));
      return;
    }
    const waiter = this.#signalWaiters.get(name)?.shift();
    if (waiter) waiter(input);
    else this.#signalBuffer.push({ name, input });
  }

  /** Runs a signal handler: a DurableFailure fails the workflow, anything else fails the task. */
  #callHandler(fn: () => unknown): void {
    const onError = (err: unknown) => {
      if (err instanceof DurableFailure) {
        this.#issueClose({ type: "FailWorkflow", failure: toFailure(err) });
      } else this.#fail(err);
    };
    try {
      const result = this.#enter(this.#root, fn);
      if (result instanceof Promise) result.catch(onError);
    } catch (err) {
      onError(err);
    }
  }

  #runUpdate(a: EventAttributes["WorkflowExecutionUpdateAccepted"]): void {
    const entry = this.#updateHandlers.get(a.updateName);
    const complete = (outcome: { result?: string; failure?: FailureInfo }) =>
      this.#push({ type: "CompleteUpdate", updateId: a.updateId, ...outcome });
    if (!entry) {
      complete({
        failure: toFailure(
          ApplicationFailure.nonRetryable(
            `No handler for update "${a.updateName}"`,
            "UnknownUpdate",
          ),
        ),
      });
      return;
    }
    let promise: Promise<unknown>;
    try {
      promise = Promise.resolve(this.#enter(this.#root, () => entry.handler(decode(a.input))));
    } catch (err) {
      promise = Promise.reject(err);
    }
    promise.then(
      (result) => {
        try {
          complete({ result: JSON.stringify(result ?? null) });
        } catch (err) {
          complete({ failure: toFailure(err) });
        }
      },
      (err: unknown) => complete({ failure: toFailure(err) }),
    );
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

  #startMain(input: string | undefined): void {
    if (this.#mainStarted) return;
    this.#mainStarted = true;
    const ctx = this.#context();
    let promise: Promise<unknown>;
    try {
      promise = this.#enter(this.#root, () => this.#definition.run(ctx, decode(input)));
    } catch (err) {
      promise = Promise.reject(err);
    }
    const taskError = (err: unknown) => this.#fail(err);
    promise.then(
      (result) => {
        this.#checkResumed("returned");
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
        this.#checkResumed("threw");
        if (this.#root.cancelled && isCancellation(err)) {
          this.#issueClose({ type: "CancelWorkflow" });
        } else if (err instanceof DurableFailure) {
          this.#issueClose({ type: "FailWorkflow", failure: toFailure(err) });
        } else taskError(err);
      },
    );
  }

  #issueClose(cmd: Command): void {
    this.#checkResumed(`issued ${cmd.type}`);
    if (this.#closed) return;
    this.#closed = true;
    this.#unmatched.push(cmd);
  }

  #fail(err: unknown): void {
    if (this.#hasTaskError) return;
    this.#taskError = err;
    this.#hasTaskError = true;
  }

  async #drain(): Promise<void> {
    await drainMicrotasks();
    while (!this.#hasTaskError && this.#checkConditions()) await drainMicrotasks();
    this.#throwIfFailed();
  }

  #throwIfFailed(): void {
    if (!this.#hasTaskError) return;
    const err = this.#taskError;
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    throw new WorkflowTaskError(`Workflow code threw ${message}`, { cause: err });
  }

  /** Resolves the conditions that now hold; whether any did. */
  #checkConditions(): boolean {
    let any = false;
    for (const c of [...this.#conditions]) {
      let ok: boolean;
      try {
        // In the workflow context: a predicate reading Date.now() sees workflow time, as on replay.
        ok = activeRuntime.run(this, c.fn);
      } catch (err) {
        this.#fail(err);
        return false;
      }
      if (ok) {
        c.done(true);
        any = true;
      }
    }
    return any;
  }

  #assertWritable(what: string): void {
    this.#checkResumed(`issued ${what}`);
    if (this.#readOnly) {
      throw new Error(`${what} may not be called from a query handler or an update validator`);
    }
  }

  /** Appends a command that nothing awaits. */
  #push(cmd: Command): void {
    this.#checkResumed(`issued ${cmd.type}`);
    if (this.#closed) return;
    this.#unmatched.push(cmd);
  }

  #issue<T>(cmd: Command): Promise<T> {
    this.#assertWritable(cmd.type);
    if (this.#closed) return new Promise<T>(() => {}); // the run is over: nothing more happens
    return new Promise<T>((resolve, reject) => {
      if ("seq" in cmd)
        this.#pending.set(cmd.seq, { resolve: resolve as (v: unknown) => void, reject });
      this.#unmatched.push(cmd);
    });
  }

  get #scope(): Scope {
    return this.#scopes.getStore() ?? this.#root;
  }

  /**
   * Issues a cancellable operation: rejected at once in a cancelled scope; otherwise `onCancel`
   * (which issues the cancel command and returns the rejection) runs if the scope is cancelled
   * before the operation settles.
   */
  #cancellable<T>(cmd: Command & { seq: number }, onCancel: () => unknown): Promise<T> {
    this.#assertWritable(cmd.type);
    const scope = this.#scope;
    if (scope.cancelled) {
      return Promise.reject(new CancelledFailure(`${describeCommand(cmd)} in a cancelled scope`));
    }
    const promise = this.#issue<T>(cmd);
    const hook = () => {
      const pending = this.#pending.get(cmd.seq);
      if (!pending) return;
      this.#pending.delete(cmd.seq);
      pending.reject(onCancel());
    };
    scope.hooks.add(hook);
    const done = () => scope.hooks.delete(hook);
    promise.then(done, done);
    return promise;
  }

  #timer(durationMs: number): Promise<void> {
    return this.#startTimer(durationMs).promise;
  }

  #startTimer(durationMs: number): { seq: number; promise: Promise<void> } {
    const seq = ++this.#seq;
    const promise = this.#cancellable<void>(
      { type: "StartTimer", seq, durationMs: Math.max(1, durationMs) },
      () => {
        this.#push({ type: "CancelTimer", seq });
        return new CancelledFailure("Timer canceled");
      },
    );
    return { seq, promise };
  }

  #condition(fn: () => boolean, timeout?: Duration): Promise<boolean> {
    this.#assertWritable("condition");
    if (fn()) return Promise.resolve(true);
    const scope = this.#scope;
    if (scope.cancelled) {
      return Promise.reject(new CancelledFailure("condition in a cancelled scope"));
    }
    return new Promise<boolean>((resolve, reject) => {
      let timerSeq: number | undefined;
      const finish = () => {
        const i = this.#conditions.indexOf(entry);
        if (i < 0) return false;
        this.#conditions.splice(i, 1);
        scope.hooks.delete(hook);
        // Drop the timeout's timer if it has not fired.
        if (timerSeq !== undefined && this.#pending.delete(timerSeq)) {
          this.#push({ type: "CancelTimer", seq: timerSeq });
        }
        return true;
      };
      const entry = {
        fn,
        done: (ok: boolean) => {
          if (finish()) resolve(ok);
        },
      };
      const hook = () => {
        if (finish()) reject(new CancelledFailure("condition canceled"));
      };
      this.#conditions.push(entry);
      scope.hooks.add(hook);
      if (timeout !== undefined) {
        timerSeq = ++this.#seq;
        this.#issue<void>({
          type: "StartTimer",
          seq: timerSeq,
          durationMs: timerMs(timeout),
        }).then(
          () => {
            timerSeq = undefined;
            entry.done(false);
          },
          () => undefined,
        );
      }
    });
  }

  #waitForSignal<A>(name: string, timeout?: Duration): Promise<A | null> {
    this.#assertWritable("waitForSignal");
    const i = this.#signalBuffer.findIndex((s) => s.name === name);
    if (i >= 0) {
      const [s] = this.#signalBuffer.splice(i, 1);
      return Promise.resolve(s!.input as A);
    }
    let got: { input: unknown } | undefined;
    const waiter = (input: unknown) => {
      got = { input };
    };
    const waiters = this.#signalWaiters.get(name) ?? [];
    waiters.push(waiter);
    this.#signalWaiters.set(name, waiters);
    const unregister = () => {
      const at = waiters.indexOf(waiter);
      if (at >= 0) waiters.splice(at, 1);
    };
    return this.#condition(() => got !== undefined, timeout).then(
      (ok) => {
        unregister();
        return ok && got ? (got.input as A) : null;
      },
      (err: unknown) => {
        unregister();
        throw err;
      },
    );
  }

  #patched(patchId: string, deprecated: boolean): boolean {
    this.#assertWritable("patched");
    const known = this.#patches.get(patchId);
    if (known !== undefined) return known;
    const applies = !this.#replaying || this.#taskPatches.has(patchId);
    this.#patches.set(patchId, applies);
    if (applies) this.#push({ type: "RecordPatch", patchId, deprecated });
    return applies;
  }

  async #startChild<R>(
    workflowType: string,
    options: ChildWorkflowOptions = {},
  ): Promise<ChildWorkflowHandle<R>> {
    this.#assertWritable("startChild");
    const scope = this.#scope;
    if (scope.cancelled) throw new CancelledFailure("startChild in a cancelled scope");
    const payload = this.#payload(options.input, `input of child workflow ${workflowType}`);
    const seq = ++this.#seq;
    const workflowId = options.workflowId ?? `${this.#info.workflowId}-child-${seq}`;
    this.#children.set(seq, { workflowType, workflowId });
    const started = new Promise<string>((resolve, reject) =>
      this.#childStarted.set(seq, { resolve: resolve as (v: unknown) => void, reject }),
    );
    const result = this.#issue<R>({
      type: "StartChild",
      seq,
      workflowId,
      workflowType,
      input: payload,
      taskQueue: options.taskQueue ?? this.#info.taskQueue,
      parentClosePolicy: options.parentClosePolicy ?? "Terminate",
      ...withMs("runTimeoutMs", options.runTimeout),
      ...withMs("executionTimeoutMs", options.executionTimeout),
      ...(options.retry ? { retryPolicy: resolveRetryPolicy(options.retry) } : {}),
      ...(options.memo ? { memo: JSON.stringify(options.memo) } : {}),
    });
    // Cancelling the scope asks the child to cancel; the child's outcome settles `result`.
    const hook = () => this.#push({ type: "CancelExternal", seq: ++this.#seq, workflowId });
    scope.hooks.add(hook);
    const done = () => scope.hooks.delete(hook);
    result.then(done, done);
    result.catch(() => undefined); // observed through handle.result()
    const runId = await started;
    return { workflowId, runId, result: () => result };
  }

  #external(workflowId: string): ExternalWorkflowHandle {
    return {
      workflowId,
      signal: <A>(signal: SignalDefinition<A> | string, input?: A) => {
        const signalName = typeof signal === "string" ? signal : signal.name;
        let payload: string;
        try {
          checkHandlerName("signal", signalName);
          payload = this.#payload(input, `input of signal ${signalName}`);
        } catch (err) {
          return Promise.reject(err);
        }
        return this.#issue<void>({
          type: "SignalExternal",
          seq: ++this.#seq,
          workflowId,
          signalName,
          input: payload,
        });
      },
      cancel: () => this.#issue<void>({ type: "CancelExternal", seq: ++this.#seq, workflowId }),
    };
  }

  #setHandler(
    def:
      | SignalDefinition<unknown>
      | QueryDefinition<unknown, unknown>
      | UpdateDefinition<unknown, unknown>,
    handler: (input: unknown) => unknown,
    options?: { validator?: (input: unknown) => void },
  ): void {
    checkHandlerName(def.kind, def.name);
    switch (def.kind) {
      case "signal": {
        this.#signalHandlers.set(def.name, handler);
        // Deliver what arrived before the handler, in order.
        for (let i = 0; i < this.#signalBuffer.length; ) {
          const s = this.#signalBuffer[i]!;
          if (s.name !== def.name) {
            i++;
            continue;
          }
          this.#signalBuffer.splice(i, 1);
          this.#callHandler(() => handler(s.input));
        }
        return;
      }
      case "query":
        this.#queryHandlers.set(def.name, handler);
        return;
      case "update":
        this.#updateHandlers.set(def.name, {
          handler,
          ...(options?.validator ? { validator: options.validator } : {}),
        });
        return;
    }
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
    let payload: string;
    try {
      payload = this.#payload(input, `input of activity ${activityType}`);
    } catch (err) {
      return Promise.reject(err);
    }
    const seq = ++this.#seq;
    const scheduleToClose = optional(options.scheduleToCloseTimeout);
    const startToClose =
      optional(options.startToCloseTimeout) ??
      (scheduleToClose === undefined ? DEFAULT_START_TO_CLOSE_MS : undefined);
    const activityId = options.activityId ?? String(seq);
    this.#scheduled.set(seq, { activityType, activityId });
    const cancel = () => {
      this.#push({ type: "RequestCancelActivity", seq });
      return activityFailure(
        activityType,
        activityId,
        toFailure(new CancelledFailure("Activity canceled")),
        "NonRetryableFailure",
      );
    };
    return this.#cancellable<O>(
      {
        type: "ScheduleActivity",
        seq,
        activityId,
        activityType,
        input: payload,
        options: {
          taskQueue: options.taskQueue ?? this.#info.taskQueue,
          ...(startToClose !== undefined ? { startToCloseTimeoutMs: startToClose } : {}),
          ...(scheduleToClose !== undefined ? { scheduleToCloseTimeoutMs: scheduleToClose } : {}),
          ...withMs("scheduleToStartTimeoutMs", options.scheduleToStartTimeout),
          ...withMs("heartbeatTimeoutMs", options.heartbeatTimeout),
          retry: resolveRetryPolicy(options.retry),
        },
      },
      cancel,
    );
  }

  #runLocalActivity<O>(
    activityType: string,
    input: unknown,
    options: LocalActivityOptions = {},
  ): Promise<O> {
    let payload: string;
    try {
      payload = this.#payload(input, `input of local activity ${activityType}`);
    } catch (err) {
      return Promise.reject(err);
    }
    const seq = ++this.#seq;
    this.#scheduled.set(seq, { activityType, activityId: String(seq) });
    return this.#issue<O>({
      type: "RunLocalActivity",
      seq,
      activityType,
      input: payload,
      startToCloseTimeoutMs:
        optional(options.startToCloseTimeout) ?? DEFAULT_LOCAL_START_TO_CLOSE_MS,
      ...withMs("scheduleToCloseTimeoutMs", options.scheduleToCloseTimeout),
      retry: resolveRetryPolicy({ maximumAttempts: 3, initialInterval: 100, ...options.retry }),
    });
  }

  #context(): WorkflowContext {
    const runtime = this;
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
      sleep: (duration: Duration) => this.#timer(timerMs(duration)),
      now: () => this.deterministicNow(),
      random: () => this.deterministicRandom(),
      uuid: () => uuid4(() => this.deterministicRandom()),
      setHandler: ((
        def:
          | SignalDefinition<unknown>
          | QueryDefinition<unknown, unknown>
          | UpdateDefinition<unknown, unknown>,
        handler: (input: unknown) => unknown,
        options?: { validator?: (input: unknown) => void },
      ) => this.#setHandler(def, handler, options)) as WorkflowContext["setHandler"],
      waitForSignal: <A>(def: SignalDefinition<A> | string, options?: { timeout?: Duration }) =>
        this.#waitForSignal<A>(
          checkHandlerName("signal", typeof def === "string" ? def : def.name),
          options?.timeout,
        ),
      condition: (fn: () => boolean, timeout?: Duration) => this.#condition(fn, timeout),
      get cancelRequested() {
        return runtime.#root.cancelled;
      },
      nonCancellable: <T>(fn: () => Promise<T>) =>
        this.#scopes.run(new Scope(false, this.#scope), fn),
      cancellable: <T>(fn: (scope: { cancel(): void }) => Promise<T>) => {
        const scope = new Scope(true, this.#scope);
        return this.#scopes.run(scope, () => fn({ cancel: () => scope.cancel() }));
      },
      startChild: <R>(type: string, options?: ChildWorkflowOptions) =>
        this.#startChild<R>(type, options),
      executeChild: async <R>(type: string, options?: ChildWorkflowOptions) =>
        (await this.#startChild<R>(type, options)).result(),
      getExternalWorkflowHandle: (id: string) => this.#external(id),
      continueAsNew: (input?: unknown, options?: { workflowType?: string; taskQueue?: string }) => {
        this.#assertWritable("continueAsNew");
        this.#issueClose({
          type: "ContinueAsNew",
          workflowType: options?.workflowType ?? this.#info.workflowType,
          taskQueue: options?.taskQueue ?? this.#info.taskQueue,
          // Absent stays absent: the next run gets undefined, as a start without input.
          ...(input === undefined
            ? {}
            : { input: this.#payload(input, "input of continue-as-new") }),
        });
        return new Promise<never>(() => {});
      },
      patched: (id: string) => this.#patched(id, false),
      deprecatePatch: (id: string) => {
        this.#patched(id, true);
      },
      upsertSearchAttributes: (attributes: Record<string, string | number | boolean | null>) => {
        this.#assertWritable("upsertSearchAttributes");
        // Throws (a workflow-task failure, as for any bug) rather than index nothing.
        toSearchAttributes(attributes);
        this.#push({
          type: "UpsertSearchAttributes",
          searchAttributes: JSON.stringify(attributes),
        });
      },
    };
  }
}

function knownNames(handlers: Map<string, unknown>): string {
  const names = [...handlers.keys()];
  return names.length ? ` (it has: ${names.join(", ")})` : " (it sets none)";
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
