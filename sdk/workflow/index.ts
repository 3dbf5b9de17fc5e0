/**
 * @module The workflow API: what workflow code imports. Workflow code is deterministic: everything
 * that reaches outside goes through `ctx`, whose calls are recorded in history and replayed.
 */
import type { Duration } from "../common/duration";
import type { RetryPolicy } from "../common/retry-policy";

export type { Duration } from "../common/duration";
export {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  DurableFailure,
  TerminatedFailure,
  TimeoutFailure,
} from "../common/failures";
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
  /** Max time of one attempt. @default "30s" */
  startToCloseTimeout?: Duration;
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
