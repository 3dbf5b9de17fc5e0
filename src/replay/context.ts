/**
 * @module The workflow context API (`ctx`), built over the runtime's core as the `workflow.ts` of
 * Temporal's TypeScript SDK is over its Activator: each call checks it may issue a command, builds
 * it, and registers what it awaits. Matching the commands with history is the runtime's.
 */
import { type Duration, toMs } from "../../sdk/common/duration";
import { CancelledFailure, toFailure } from "../../sdk/common/failures";
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
  WorkflowInfo,
} from "../../sdk/workflow/index";
import { exceedsBytes, payloadTooLarge } from "../common/payload-size";
import { toSearchAttributes } from "../visibility/search-attributes";
import type { Command } from "./commands";
import type { Completions } from "./completions";
import { timerMs, uuid4 } from "./determinism";
import { activityFailure } from "./errors";
import type { Handlers } from "./handlers";
import { Scope } from "./scope";

/** What the context API needs from the runtime: its Activator. */
export interface RuntimeCore {
  readonly info: WorkflowInfo;
  readonly handlers: Handlers;
  readonly completions: Completions;
  /** The `condition`s waiting; the runtime re-checks them after each drain of workflow code. */
  readonly conditions: Array<{ fn: () => boolean; done: (ok: boolean) => void }>;
  readonly maxPayloadBytes: number | undefined;
  nextSeq(): number;
  now(): number;
  random(): number;
  /** Whether the workflow was asked to cancel (its root scope is cancelled). */
  cancelRequested(): boolean;
  /** The cancellation scope of the calling workflow code, and running code in another. */
  scope(): Scope;
  runInScope<T>(scope: Scope, fn: () => T): T;
  /** Whether `patched(patchId)` takes the new branch: not replaying, or the task recorded its marker. */
  patchRecorded(patchId: string): boolean;
  /** Throws where workflow code may not issue a command (a query or a validator). */
  assertWritable(what: string): void;
  /** Issues a command and returns the promise its outcome settles. */
  issue<T>(cmd: Command): Promise<T>;
  /** Issues a command that nothing awaits. */
  push(cmd: Command): void;
  /** Issues the command that closes the run. */
  issueClose(cmd: Command): void;
  /** Issues a command cancelled with its scope (`onCancel` issues the cancel, returns the rejection). */
  cancellable<T>(cmd: Command & { seq: number }, onCancel: () => unknown): Promise<T>;
  startTimer(durationMs: number): { seq: number; promise: Promise<void> };
}

const DEFAULT_START_TO_CLOSE_MS = 10 * 60_000;
const DEFAULT_LOCAL_START_TO_CLOSE_MS = 30_000;
/** A local activity's retry policy where its options leave it out. */
const LOCAL_RETRY_DEFAULTS = Object.freeze({ maximumAttempts: 3, initialInterval: 100 });
/**
 * That policy resolved, once: a replay runs one local activity per marker, and resolving it per call
 * was a measurable share of a cold replay. Frozen, since every command without its own policy
 * shares it (nothing writes a command's policy).
 */
const LOCAL_RETRY_RESOLVED = Object.freeze({
  ...resolveRetryPolicy(LOCAL_RETRY_DEFAULTS),
  nonRetryableErrorTypes: Object.freeze([]) as unknown as string[],
});

/** The `ctx` handed to the workflow function. */
export function createContext(core: RuntimeCore): WorkflowContext {
  return new ContextApi(core).context();
}

class ContextApi {
  readonly #core: RuntimeCore;
  /** Each patch id's answer, fixed by its first call in the run (one context per runtime). */
  readonly #patches = new Map<string, boolean>();

  constructor(core: RuntimeCore) {
    this.#core = core;
  }

  /**
   * A payload leaving workflow code, as JSON text. Past the payload limit it throws a
   * non-retryable `PayloadTooLarge` where the call was made (deterministic: replay does the same),
   * instead of failing the transaction that would store it.
   */
  #payload(value: unknown, what: string, name = ""): string {
    const text = JSON.stringify(value ?? null);
    const max = this.#core.maxPayloadBytes;
    // `what` and `name` are joined only for the error (a replay makes one call per marker).
    if (max !== undefined && exceedsBytes(text, max)) throw payloadTooLarge(what + name, max);
    return text;
  }

  #condition(fn: () => boolean, timeout?: Duration): Promise<boolean> {
    this.#core.assertWritable("condition");
    if (fn()) return Promise.resolve(true);
    const scope = this.#core.scope();
    if (scope.cancelled) {
      return Promise.reject(new CancelledFailure("condition in a cancelled scope"));
    }
    return new Promise<boolean>((resolve, reject) => {
      let timerSeq: number | undefined;
      const finish = () => {
        const i = this.#core.conditions.indexOf(entry);
        if (i < 0) return false;
        this.#core.conditions.splice(i, 1);
        scope.hooks.delete(hook);
        // Drop the timeout's timer if it has not fired.
        if (timerSeq !== undefined && this.#core.completions.forget(timerSeq)) {
          this.#core.push({ type: "CancelTimer", seq: timerSeq });
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
      this.#core.conditions.push(entry);
      scope.hooks.add(hook);
      if (timeout !== undefined) {
        timerSeq = this.#core.nextSeq();
        this.#core
          .issue<void>({
            type: "StartTimer",
            seq: timerSeq,
            durationMs: timerMs(timeout),
          })
          .then(
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
    this.#core.assertWritable("waitForSignal");
    return this.#core.handlers.waitForSignal<A>(name, (fn) => this.#condition(fn, timeout));
  }

  #patched(patchId: string, deprecated: boolean): boolean {
    this.#core.assertWritable("patched");
    const known = this.#patches.get(patchId);
    if (known !== undefined) return known;
    const applies = this.#core.patchRecorded(patchId);
    this.#patches.set(patchId, applies);
    if (applies) this.#core.push({ type: "RecordPatch", patchId, deprecated });
    return applies;
  }

  async #startChild<R>(
    workflowType: string,
    options: ChildWorkflowOptions = {},
  ): Promise<ChildWorkflowHandle<R>> {
    this.#core.assertWritable("startChild");
    const scope = this.#core.scope();
    if (scope.cancelled) throw new CancelledFailure("startChild in a cancelled scope");
    const payload = this.#payload(options.input, `input of child workflow ${workflowType}`);
    const seq = this.#core.nextSeq();
    const workflowId = options.workflowId ?? `${this.#core.info.workflowId}-child-${seq}`;
    const started = this.#core.completions.child(seq, { workflowType, workflowId });
    const result = this.#core.issue<R>({
      type: "StartChild",
      seq,
      workflowId,
      workflowType,
      input: payload,
      taskQueue: options.taskQueue ?? this.#core.info.taskQueue,
      parentClosePolicy: options.parentClosePolicy ?? "Terminate",
      ...withMs("runTimeoutMs", options.runTimeout),
      ...withMs("executionTimeoutMs", options.executionTimeout),
      ...(options.retry ? { retryPolicy: resolveRetryPolicy(options.retry) } : {}),
      ...(options.memo ? { memo: JSON.stringify(options.memo) } : {}),
    });
    // Cancelling the scope asks the child to cancel; the child's outcome settles `result`.
    const hook = () =>
      this.#core.push({ type: "CancelExternal", seq: this.#core.nextSeq(), workflowId });
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
        return this.#core.issue<void>({
          type: "SignalExternal",
          seq: this.#core.nextSeq(),
          workflowId,
          signalName,
          input: payload,
        });
      },
      cancel: () =>
        this.#core.issue<void>({ type: "CancelExternal", seq: this.#core.nextSeq(), workflowId }),
    };
  }

  #scheduleActivity<O>(
    activityType: string,
    input: unknown,
    options: ActivityOptions = {},
  ): Promise<O> {
    let payload: string;
    try {
      payload = this.#payload(input, "input of activity ", activityType);
    } catch (err) {
      return Promise.reject(err);
    }
    const seq = this.#core.nextSeq();
    const scheduleToClose = optional(options.scheduleToCloseTimeout);
    const startToClose =
      optional(options.startToCloseTimeout) ??
      (scheduleToClose === undefined ? DEFAULT_START_TO_CLOSE_MS : undefined);
    const activityId = options.activityId ?? String(seq);
    this.#core.completions.activity(seq, { activityType, activityId });
    const cancel = () => {
      this.#core.push({ type: "RequestCancelActivity", seq });
      return activityFailure(
        activityType,
        activityId,
        toFailure(new CancelledFailure("Activity canceled")),
        "NonRetryableFailure",
      );
    };
    return this.#core.cancellable<O>(
      {
        type: "ScheduleActivity",
        seq,
        activityId,
        activityType,
        input: payload,
        options: {
          taskQueue: options.taskQueue ?? this.#core.info.taskQueue,
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
      payload = this.#payload(input, "input of local activity ", activityType);
    } catch (err) {
      return Promise.reject(err);
    }
    // No `completions.activity` entry: a local activity's failure is named from its marker.
    const seq = this.#core.nextSeq();
    // Evaluated in the order the options always were (which bad option throws first).
    const startToCloseTimeoutMs =
      optional(options.startToCloseTimeout) ?? DEFAULT_LOCAL_START_TO_CLOSE_MS;
    const scheduleToCloseTimeoutMs = optional(options.scheduleToCloseTimeout);
    const retry = options.retry
      ? resolveRetryPolicy({ ...LOCAL_RETRY_DEFAULTS, ...options.retry })
      : LOCAL_RETRY_RESOLVED;
    // The usual command as a plain literal (a spread in the middle of it costs a copy per call).
    const cmd: Command =
      scheduleToCloseTimeoutMs === undefined
        ? {
            type: "RunLocalActivity",
            seq,
            activityType,
            input: payload,
            startToCloseTimeoutMs,
            retry,
          }
        : {
            type: "RunLocalActivity",
            seq,
            activityType,
            input: payload,
            startToCloseTimeoutMs,
            scheduleToCloseTimeoutMs,
            retry,
          };
    return this.#core.issue<O>(cmd);
  }

  context(): WorkflowContext {
    const core = this.#core;
    const stubs = <A>(call: (type: string, input: unknown) => Promise<unknown>) => {
      // One function per activity name, made on first use (not one per call: a loop of local
      // activities replays one call per marker).
      const made = new Map<string, (input: unknown) => Promise<unknown>>();
      return new Proxy({} as ActivityStubs<A>, {
        get: (_target, prop) => {
          if (typeof prop !== "string") return undefined;
          let fn = made.get(prop);
          if (!fn) {
            fn = (input: unknown) => call(prop, input);
            made.set(prop, fn);
          }
          return fn;
        },
      });
    };
    return {
      info: this.#core.info,
      activity: (type, input, options) => this.#scheduleActivity(type, input, options),
      localActivity: (type, input, options) => this.#runLocalActivity(type, input, options),
      proxyActivities: <A>(options?: ActivityOptions) =>
        stubs<A>((type, input) => this.#scheduleActivity(type, input, options)),
      proxyLocalActivities: <A>(options?: LocalActivityOptions) =>
        stubs<A>((type, input) => this.#runLocalActivity(type, input, options)),
      sleep: (duration: Duration) => this.#core.startTimer(timerMs(duration)).promise,
      now: () => this.#core.now(),
      random: () => this.#core.random(),
      uuid: () => uuid4(() => this.#core.random()),
      setHandler: ((
        def:
          | SignalDefinition<unknown>
          | QueryDefinition<unknown, unknown>
          | UpdateDefinition<unknown, unknown>,
        handler: (input: unknown) => unknown,
        options?: { validator?: (input: unknown) => void },
      ) => this.#core.handlers.set(def, handler, options)) as WorkflowContext["setHandler"],
      waitForSignal: <A>(def: SignalDefinition<A> | string, options?: { timeout?: Duration }) =>
        this.#waitForSignal<A>(
          checkHandlerName("signal", typeof def === "string" ? def : def.name),
          options?.timeout,
        ),
      condition: (fn: () => boolean, timeout?: Duration) => this.#condition(fn, timeout),
      get cancelRequested() {
        return core.cancelRequested();
      },
      nonCancellable: <T>(fn: () => Promise<T>) =>
        this.#core.runInScope(new Scope(false, this.#core.scope()), fn),
      cancellable: <T>(fn: (scope: { cancel(): void }) => Promise<T>) => {
        const scope = new Scope(true, this.#core.scope());
        return this.#core.runInScope(scope, () => fn({ cancel: () => scope.cancel() }));
      },
      startChild: <R>(type: string, options?: ChildWorkflowOptions) =>
        this.#startChild<R>(type, options),
      executeChild: async <R>(type: string, options?: ChildWorkflowOptions) =>
        (await this.#startChild<R>(type, options)).result(),
      getExternalWorkflowHandle: (id: string) => this.#external(id),
      continueAsNew: (input?: unknown, options?: { workflowType?: string; taskQueue?: string }) => {
        this.#core.assertWritable("continueAsNew");
        this.#core.issueClose({
          type: "ContinueAsNew",
          workflowType: options?.workflowType ?? this.#core.info.workflowType,
          taskQueue: options?.taskQueue ?? this.#core.info.taskQueue,
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
        this.#core.assertWritable("upsertSearchAttributes");
        // Throws (a workflow-task failure, as for any bug) rather than index nothing.
        toSearchAttributes(attributes);
        this.#core.push({
          type: "UpsertSearchAttributes",
          searchAttributes: JSON.stringify(attributes),
        });
      },
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
