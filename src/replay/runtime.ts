/**
 * @module The deterministic workflow runtime: history in, commands out. Pure: no `cloudflare:*`
 * imports, so it is unit-tested in Node. The same code path serves the warm path (the engine feeds
 * only new events to a cached runtime) and the cold path (a fresh runtime is fed the whole history).
 * How it matches: workflow code issues commands (`#unmatched`); each recorded command event must
 * match, in order, the oldest unmatched command (`commandMatches` in ./commands.ts), and input events
 * (activity results, timers, signals...) settle the promises workflow code awaits. The rules workflow
 * code follows are in the README's "Determinism rules".
 */
import {
  CancelledFailure,
  DurableFailure,
  isCancellation,
  toFailure,
} from "../../sdk/common/failures";
import type { WorkflowDefinition, WorkflowInfo } from "../../sdk/workflow/index";
import type { EventAttributes, HistoryEvent } from "../history/events";
import { COMMAND_EVENT_TYPES } from "../history/events";
import { type Command, commandMatches, describeCommand } from "./commands";
import { Completions } from "./completions";
import { createContext, type RuntimeCore } from "./context";
import { mulberry32, TimerHandles } from "./determinism";
import {
  activeRuntime,
  type DeterministicHost,
  installDeterministicGlobals,
} from "./deterministic-globals";
import { EventLoopTurns, settleConditions } from "./drain";
import { divergenceError, forbiddenGlobal, strayResume, WorkflowTaskError } from "./errors";
import { decode, Handlers } from "./handlers";
import { currentScope, Scope } from "./scope";
import { type Condition, checkConditions, isDeprecatedPatch, scanTask } from "./task-scan";

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
  /** Replay-check only (a stack per command costs): remember where code issued each command. */
  captureSources?: boolean;
}

// The engine and the tests import these from here.
export type { Divergence } from "./errors";
export {
  DeterminismViolation,
  NonDeterminismError,
  UnknownHandlerError,
  UpdateRejectedError,
  WorkflowTaskError,
} from "./errors";

export class WorkflowRuntime implements DeterministicHost {
  readonly #definition: WorkflowDefinition;
  readonly #info: WorkflowInfo;
  #seq = 0;
  #nowMs: number;
  #rngState: number;
  readonly #completions = new Completions();
  /** Commands issued by workflow code and not yet matched with a recorded event. */
  readonly #unmatched: Command[] = [];
  /** Marker results waiting to be delivered once every command of the same drain is matched. */
  #markerResolutions: HistoryEvent[] = [];
  #closed = false;
  #taskError: unknown = undefined;
  #hasTaskError = false;
  #mainStarted = false;
  /** Whether the task being applied is recorded history (replay) rather than a new activation. */
  #replaying = false;
  /** Patch ids of the Patch markers in the task being replayed. */
  #taskPatches: ReadonlySet<string> = new Set();
  /** Set while a query or validator runs: such code must not issue commands. */
  #readOnly = false;
  readonly #root = new Scope(true);
  readonly #handlers: Handlers;
  /** What the context API (./context.ts) calls. */
  readonly #core: RuntimeCore;
  readonly #conditions: Condition[] = [];

  readonly #onStrayResume: ((runtime: WorkflowRuntime) => void) | undefined;
  /** Stacks of issued commands (replay-check only), and how many commands matched history so far. */
  readonly #sources: WeakMap<Command, string> | undefined;
  #matched = 0;
  #appliedEvents = 0;
  /** Whether a workflow task is being applied: workflow code running outside one resumed astray. */
  #activating = false;
  readonly #timerHandles = new TimerHandles({
    startTimer: (ms) => this.#startTimer(ms),
    callHandler: (fn) => this.#callHandler(fn),
    cancelTimer: (seq) => {
      const pending = this.#completions.take(seq);
      if (!pending) return;
      this.#push({ type: "CancelTimer", seq });
      pending.reject(new CancelledFailure("Timer canceled"));
    },
  });

  constructor(definition: WorkflowDefinition, info: RuntimeInfo) {
    this.#definition = definition;
    this.#onStrayResume = info.onStrayResume;
    this.#sources = info.captureSources ? new WeakMap() : undefined;
    this.#nowMs = info.startTimeMs;
    this.#rngState = info.started.randomSeed >>> 0;
    // Idempotent: patches the globals once per isolate, before any workflow code can run.
    installDeterministicGlobals();
    this.#info = {
      namespace: info.namespace,
      workflowId: info.workflowId,
      runId: info.runId,
      workflowType: info.started.workflowType,
      taskQueue: info.started.taskQueue,
      attempt: info.started.attempt,
      startTime: new Date(info.startTimeMs),
    };
    this.#handlers = new Handlers({
      workflowType: this.#info.workflowType,
      callHandler: (fn) => this.#callHandler(fn),
      enterRoot: (fn) => this.#enter(this.#root, fn),
      readOnlyCall: (fn) => this.#readOnlyCall(fn),
      push: (cmd) => this.#push(cmd),
    });
    this.#core = {
      info: this.#info,
      handlers: this.#handlers,
      completions: this.#completions,
      conditions: this.#conditions,
      maxPayloadBytes: info.maxPayloadBytes,
      nextSeq: () => ++this.#seq,
      now: () => this.deterministicNow(),
      random: () => this.deterministicRandom(),
      cancelRequested: () => this.#root.cancelled,
      scope: () => this.#scope,
      runInScope: (scope, fn) => currentScope.run(scope, fn),
      // After the close command nothing is recorded, so no marker would back a `true` (a cold
      // replay of this task would answer false): answer false warm as well.
      patchRecorded: (patchId) =>
        !this.#closed && (!this.#replaying || this.#taskPatches.has(patchId)),
      assertWritable: (what) => this.#assertWritable(what),
      issue: (cmd) => this.#issue(cmd),
      push: (cmd) => this.#push(cmd),
      issueClose: (cmd) => this.#issueClose(cmd),
      cancellable: (cmd, onCancel) => this.#cancellable(cmd, onCancel),
      startTimer: (durationMs) => this.#startTimer(durationMs),
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
    if (events[0]) this.#nowMs = events[0].timestampMs;
    this.#replaying = replaying;
    this.#activating = true;
    this.#appliedEvents += events.length;
    const { patches, inputs } = scanTask(events);
    this.#taskPatches = patches;
    try {
      if (inputs.length > 0) {
        for (const ev of inputs) this.#deliver(ev);
        await this.#drain();
      }
      for (const ev of events) {
        if (!COMMAND_EVENT_TYPES.has(ev.eventType)) continue;
        const cmd = this.#unmatched[0];
        if (!cmd || !commandMatches(cmd, ev)) {
          if (isDeprecatedPatch(ev)) continue;
          throw divergenceError(ev, cmd, this.#matched, cmd && this.#sources?.get(cmd));
        }
        this.#unmatched.shift();
        this.#matched += 1;
        if (ev.eventType === "MarkerRecorded" && ev.attributes.markerName === "LocalActivity") {
          this.#markerResolutions.push(ev);
        }
        const markers = this.#markerResolutions;
        if (this.#unmatched.length === 0 && markers.length > 0) {
          if (markers.length === 1) {
            // The usual case (sequential local activities): no array per marker.
            const marker = markers[0]!;
            markers.length = 0;
            this.#deliver(marker);
          } else {
            this.#markerResolutions = [];
            for (const marker of markers) this.#deliver(marker);
          }
          // #drain, inlined: this runs once per local activity of a replayed task.
          await this.#turns.next();
          if (this.#conditions.length > 0) await this.#settleConditions();
          this.#throwIfFailed();
        }
      }
    } finally {
      this.#turns.stop();
      this.#replaying = false;
      this.#activating = false;
    }
  }

  /** Answers a query from the current state. Records nothing; throws UnknownHandlerError. */
  query(name: string, input: unknown): unknown {
    return this.#handlers.query(name, input);
  }

  /** Runs an update's validator against the current state. Throws UnknownHandlerError or UpdateRejectedError. */
  validateUpdate(name: string, input: unknown): void {
    this.#handlers.validateUpdate(name, input);
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
    const next = mulberry32(this.#rngState);
    this.#rngState = next.state;
    return next.value;
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
    return this.#timerHandles.set(fn, ms, args, repeat);
  }

  /** @internal `clearTimeout`/`clearInterval` inside workflow code: cancels the durable timer. */
  clearTimer(handle: unknown): void {
    this.#timerHandles.clear(handle);
  }

  /** @internal A global workflow code must not use: fails the task even if the code catches it. */
  forbidden(what: string, advice: string): Error {
    const err = forbiddenGlobal(what, advice);
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
    this.#fail(strayResume(what));
    this.#onStrayResume?.(this);
  }

  /** Runs workflow code: in its cancellation scope, with the deterministic globals. */
  #enter<R>(scope: Scope, fn: () => R): R {
    return activeRuntime.run(this, () => currentScope.run(scope, fn));
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
      case "WorkflowExecutionSignaled":
        this.#handlers.signal(ev.attributes.signalName, decode(ev.attributes.input));
        return;
      case "WorkflowExecutionCancelRequested":
        this.#root.cancel();
        return;
      case "WorkflowExecutionUpdateAccepted":
        this.#handlers.runUpdate(ev.attributes);
        return;
      default:
        this.#completions.deliver(ev);
        return;
    }
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

  #startMain(input: string | undefined): void {
    if (this.#mainStarted) return;
    this.#mainStarted = true;
    const ctx = createContext(this.#core);
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
    this.#record(cmd);
  }

  #fail(err: unknown): void {
    if (this.#hasTaskError) return;
    this.#taskError = err;
    this.#hasTaskError = true;
  }

  // Made once: a replay drains once per local activity marker.
  readonly #checkConditionsFn = () => this.#checkConditions();
  readonly #failedFn = () => this.#hasTaskError;

  readonly #turns = new EventLoopTurns();

  /** Drains workflow code (drain.ts): one event-loop turn, more only while conditions come true. */
  async #drain(): Promise<void> {
    await this.#turns.next();
    if (this.#conditions.length > 0) await this.#settleConditions();
    this.#throwIfFailed();
  }

  async #settleConditions(): Promise<void> {
    const livelock = await settleConditions(
      this.#checkConditionsFn,
      this.#failedFn,
      this.#turns.next,
    );
    if (livelock) this.#fail(livelock);
  }

  #throwIfFailed(): void {
    if (!this.#hasTaskError) return;
    const err = this.#taskError;
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    throw new WorkflowTaskError(`Workflow code threw ${message}`, { cause: err });
  }

  /** Resolves the conditions that now hold (in the workflow context: Date.now() is workflow time). */
  #checkConditions(): boolean {
    return checkConditions(
      this.#conditions,
      (fn) => activeRuntime.run(this, fn),
      (err) => this.#fail(err),
    );
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
    this.#record(cmd);
  }

  /** Appends an issued command; in replay-check mode remembers where the code issued it. */
  #record(cmd: Command): void {
    if (this.#sources) this.#sources.set(cmd, new Error("issued here").stack ?? "");
    this.#unmatched.push(cmd);
  }

  #issue<T>(cmd: Command): Promise<T> {
    this.#assertWritable(cmd.type);
    if (this.#closed) return new Promise<T>(() => {}); // the run is over: nothing more happens
    return new Promise<T>((resolve, reject) => {
      if ("seq" in cmd)
        this.#completions.add(cmd.seq, { resolve: resolve as (v: unknown) => void, reject });
      this.#record(cmd);
    });
  }

  get #scope(): Scope {
    const scope = currentScope.getStore();
    return scope?.root === this.#root ? scope : this.#root;
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
      this.#completions.take(cmd.seq)?.reject(onCancel());
    };
    scope.hooks.add(hook);
    const done = () => scope.hooks.delete(hook);
    promise.then(done, done);
    return promise;
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
}
