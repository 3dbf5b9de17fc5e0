/**
 * @module The workflow API: what workflow code imports. Workflow code is deterministic: everything
 * that reaches outside goes through `ctx`, whose calls are recorded in history and replayed.
 */
import type { Duration } from "../common/duration";
import { checkHandlerName } from "../common/handler-name";
import type { RetryPolicy } from "../common/retry-policy";

export type { Duration } from "../common/duration";
/** Parses a duration ("1h30m", "500ms", or milliseconds) to milliseconds; throws on a bad one. */
export { toMs } from "../common/duration";
export {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  ChildWorkflowFailure,
  DurableFailure,
  isCancellation,
  TerminatedFailure,
  TimeoutFailure,
} from "../common/failures";
export { MAX_HANDLER_NAME_LENGTH } from "../common/handler-name";
export type { RetryPolicy } from "../common/retry-policy";

/** Options of an activity call. One of `startToCloseTimeout` / `scheduleToCloseTimeout` is advised. */
export interface ActivityOptions {
  /** Max time of one attempt, from start to completion. @default "10m" when no schedule-to-close is set */
  startToCloseTimeout?: Duration;
  /** Max time for the whole activity, all attempts and backoffs included; not retried past it. */
  scheduleToCloseTimeout?: Duration;
  /** Max time a task may wait in the queue before a worker starts it; not retried. */
  scheduleToStartTimeout?: Duration;
  /** Max time between heartbeats of a running attempt; the attempt is retried past it. */
  heartbeatTimeout?: Duration;
  /** How failed attempts are retried. @default Temporal's: 1s, ×2, max 100s, unlimited attempts */
  retry?: RetryPolicy;
  /** Task queue (a Cloudflare Queue bound to the engine) the task is sent to. @default the workflow's */
  taskQueue?: string;
  /** Stable id shown in describe(). @default the call's sequence number */
  activityId?: string;
}

/** Options of a local activity: run inside the execution's Durable Object, result recorded as a marker. */
export interface LocalActivityOptions {
  /**
   * Max time of one attempt. The attempt is abandoned when it passes, even if the activity ignores
   * its AbortSignal, and fails with a StartToClose TimeoutFailure (retried per `retry`). @default "30s"
   */
  startToCloseTimeout?: Duration;
  /** Max time of all attempts together; no retry starts past it (ScheduleToClose TimeoutFailure). */
  scheduleToCloseTimeout?: Duration;
  /** @default maximumAttempts 3, initialInterval 100ms */
  retry?: RetryPolicy;
}

/** Facts about the running execution. */
export interface WorkflowInfo {
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  readonly taskQueue: string;
  /** Attempt of this run under the workflow retry policy (1 = first). */
  readonly attempt: number;
  /** Time of the WorkflowExecutionStarted event. */
  readonly startTime: Date;
}

/** Any activity function: one JSON input, a JSON result. */
// biome-ignore lint/suspicious/noExplicitAny: input/output types are inferred per activity
export type AnyActivity = (input: any, ctx: ActivityContextLike) => Promise<unknown>;

/** The part of the activity context an activity's signature may mention. */
export interface ActivityContextLike {
  readonly attempt: number;
}

/** Typed stubs for a set of activities: `stubs.creditCheck(input)`. */
export type ActivityStubs<A> = {
  [K in keyof A]: A[K] extends (input: infer I, ...rest: never[]) => Promise<infer O>
    ? (input: I) => Promise<O>
    : A[K] extends (...args: never[]) => Promise<infer O>
      ? (input?: undefined) => Promise<O>
      : never;
};

/** A signal: a named, asynchronous message into a running workflow. Declare with {@link defineSignal}. */
export interface SignalDefinition<A = unknown> {
  readonly kind: "signal";
  readonly name: string;
  /** Type carrier only. */
  readonly __input?: A;
}

/** A query: a synchronous, read-only question answered from the workflow's state. */
export interface QueryDefinition<R = unknown, A = undefined> {
  readonly kind: "query";
  readonly name: string;
  readonly __input?: A;
  readonly __result?: R;
}

/** An update: a validated, recorded request whose handler's result goes back to the caller. */
export interface UpdateDefinition<R = unknown, A = unknown> {
  readonly kind: "update";
  readonly name: string;
  readonly __input?: A;
  readonly __result?: R;
}

function checkName(kind: string, name: string): void {
  checkHandlerName(kind, name);
}

/** Declares a signal. @example export const approve = defineSignal<{ approved: boolean }>("approve"); */
export function defineSignal<A = unknown>(name: string): SignalDefinition<A> {
  checkName("signal", name);
  return { kind: "signal", name };
}

/** Declares a query. @example export const state = defineQuery<string>("state"); */
export function defineQuery<R = unknown, A = undefined>(name: string): QueryDefinition<R, A> {
  checkName("query", name);
  return { kind: "query", name };
}

/** Declares an update. @example export const extend = defineUpdate<string, { by: string }>("extend"); */
export function defineUpdate<R = unknown, A = unknown>(name: string): UpdateDefinition<R, A> {
  checkName("update", name);
  return { kind: "update", name };
}

/** What happens to a running child when its parent closes. */
export type ParentClosePolicy = "Terminate" | "RequestCancel" | "Abandon";

/** Options of a child workflow. */
export interface ChildWorkflowOptions {
  /** @default `<parent id>-child-<n>`: deterministic, so a replay starts the same child */
  workflowId?: string;
  input?: unknown;
  /** @default the parent's */
  taskQueue?: string;
  /** @default "Terminate" (as in Temporal) */
  parentClosePolicy?: ParentClosePolicy;
  executionTimeout?: Duration;
  runTimeout?: Duration;
  retry?: RetryPolicy;
  memo?: Record<string, unknown>;
}

/** A started child workflow. */
export interface ChildWorkflowHandle<R = unknown> {
  readonly workflowId: string;
  readonly runId: string;
  /** Resolves with the child's result, or rejects with a {@link ChildWorkflowFailure}. */
  result(): Promise<R>;
}

/** Another execution, addressed by id, that this workflow can signal or cancel. */
export interface ExternalWorkflowHandle {
  readonly workflowId: string;
  signal<A>(signal: SignalDefinition<A> | string, input?: A): Promise<void>;
  cancel(): Promise<void>;
}

/** What workflow code gets as its first argument. Everything durable goes through it. */
export interface WorkflowContext {
  readonly info: WorkflowInfo;
  /** Runs an activity on its task queue; resolves with its result or rejects with {@link ActivityFailure}. */
  activity<O = unknown>(
    activityType: string,
    input?: unknown,
    options?: ActivityOptions,
  ): Promise<O>;
  /** Runs a short activity inside the execution (no queue hop); result recorded as a marker. */
  localActivity<O = unknown>(
    activityType: string,
    input?: unknown,
    options?: LocalActivityOptions,
  ): Promise<O>;
  /** Typed stubs: `const { creditCheck } = ctx.proxyActivities<typeof activities>({ startToCloseTimeout: "1m" })`. */
  proxyActivities<A>(options?: ActivityOptions): ActivityStubs<A>;
  /** Typed stubs for local activities. */
  proxyLocalActivities<A>(options?: LocalActivityOptions): ActivityStubs<A>;
  /** Durable sleep: a timer on the execution's alarm. Survives restarts; costs nothing while waiting. */
  sleep(duration: Duration): Promise<void>;
  /** Deterministic current time: the time of the event being processed (ms since epoch). */
  now(): number;
  /** Deterministic random number in [0, 1), seeded per run. */
  random(): number;
  /** Deterministic UUID v4 built from {@link random}. */
  uuid(): string;

  /** Handles a signal; signals that arrived before the handler was set are delivered now, in order. */
  setHandler<A>(def: SignalDefinition<A>, handler: (input: A) => void | Promise<void>): void;
  /** Answers a query (synchronously, without side effects). */
  setHandler<R, A>(def: QueryDefinition<R, A>, handler: (input: A) => R): void;
  /** Handles an update; a `validator` that throws rejects it before anything is recorded. */
  setHandler<R, A>(
    def: UpdateDefinition<R, A>,
    handler: (input: A) => R | Promise<R>,
    options?: { validator?: (input: A) => void },
  ): void;
  /** Waits for the next signal `def` (buffered ones first); `null` when `timeout` passes first. */
  waitForSignal<A>(
    def: SignalDefinition<A> | string,
    options?: { timeout?: Duration },
  ): Promise<A | null>;
  /** Waits until `fn()` is true (re-checked after every event); `false` if `timeout` passes first. */
  condition(fn: () => boolean, timeout?: Duration): Promise<boolean>;
  /** Whether cancellation of this execution was requested. */
  readonly cancelRequested: boolean;
  /** Runs `fn` in a scope that cancellation does not reach (cleanup, compensation). */
  nonCancellable<T>(fn: () => Promise<T>): Promise<T>;
  /** Runs `fn` in a child scope; `scope.cancel()` cancels what `fn` awaits. */
  cancellable<T>(fn: (scope: { cancel(): void }) => Promise<T>): Promise<T>;
  /** Starts a child workflow; resolves once it started (rejects with ChildWorkflowFailure if its id is taken). */
  startChild<R = unknown>(
    workflowType: string,
    options?: ChildWorkflowOptions,
  ): Promise<ChildWorkflowHandle<R>>;
  /** Starts a child workflow and waits for its result. */
  executeChild<R = unknown>(workflowType: string, options?: ChildWorkflowOptions): Promise<R>;
  /** A handle to signal or cancel another execution. */
  getExternalWorkflowHandle(workflowId: string): ExternalWorkflowHandle;
  /** Ends this run and starts a fresh one (same workflow id, empty history) with `input`. */
  continueAsNew(
    input?: unknown,
    options?: { workflowType?: string; taskQueue?: string },
  ): Promise<never>;
  /**
   * Versioning: `true` for executions that reach this point with the new code (recorded in history),
   * `false` when replaying a history recorded before the change.
   */
  patched(patchId: string): boolean;
  /** Marks a patch whose old branch is gone: histories may or may not have its marker. */
  deprecatePatch(patchId: string): void;
  /** Sets search attributes (merged with those given at start), for list filters. */
  upsertSearchAttributes(attributes: Record<string, string | number | boolean | null>): void;
}

/** A workflow definition: a name and a deterministic async function. */
export interface WorkflowDefinition<I = unknown, O = unknown> {
  readonly name: string;
  readonly run: (ctx: WorkflowContext, input: I) => Promise<O>;
}

/**
 * Declares a workflow.
 * @example
 * export const greet = defineWorkflow("greet", async (ctx, name: string) => {
 *   await ctx.sleep("1h");
 *   return ctx.activity<string>("sayHello", name, { startToCloseTimeout: "10s" });
 * });
 */
export function defineWorkflow<I, O>(
  name: string,
  run: (ctx: WorkflowContext, input: I) => Promise<O>,
): WorkflowDefinition<I, O> {
  if (!/^[A-Za-z][\w.-]{0,127}$/.test(name)) {
    throw new TypeError(`Invalid workflow name "${name}": use letters, digits, _ . - (max 128)`);
  }
  return { name, run };
}
