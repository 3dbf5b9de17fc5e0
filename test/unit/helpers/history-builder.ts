/**
 * @module Unit-test helpers for the replay runtime, in the style of Temporal's workflow unit tests:
 * history in, commands out. {@link HistoryBuilder} writes histories by hand; {@link drive} plays the
 * engine's warm path (execution/transition.ts) and {@link replay} its cold path
 * (execution/runtimes.ts replay), both without Cloudflare.
 */
import type { Activities } from "../../../sdk/activity/index";
import {
  type FailureInfo,
  type RetryState,
  toFailure,
  withoutStacks,
} from "../../../sdk/common/failures";
import { resolveRetryPolicy } from "../../../sdk/common/retry-policy";
import { type AnyWorkflow, DEFAULT_LIMITS } from "../../../src/config";
import { runLocalActivity } from "../../../src/execution/local-activity";
import { runWorkflowTask, type TaskDeps } from "../../../src/execution/workflow-task";
import type {
  ActivityOptionsMs,
  EventAttributes,
  EventType,
  HistoryEvent,
  NewEvent,
} from "../../../src/history/events";
import { newEvent } from "../../../src/history/events";
import type { Command } from "../../../src/replay/commands";
import { type RuntimeInfo, WorkflowRuntime } from "../../../src/replay/runtime";

export const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
export const TASK_QUEUE = "default";
export const IDENTITY = { namespace: "default", workflowId: "wf-1", runId: "run-1" } as const;

export type StartedAttributes = EventAttributes["WorkflowExecutionStarted"];

/** Attributes of a WorkflowExecutionStarted event, with test defaults. */
export function startedAttributes(
  workflowType: string,
  overrides: Partial<StartedAttributes> & { input?: string } = {},
): StartedAttributes {
  return {
    workflowType,
    input: "null",
    taskQueue: TASK_QUEUE,
    attempt: 1,
    firstExecutionRunId: IDENTITY.runId,
    randomSeed: 42,
    ...overrides,
  };
}

/** The options the runtime gives an activity scheduled with no options. */
export function defaultActivityOptions(): ActivityOptionsMs {
  return {
    taskQueue: TASK_QUEUE,
    startToCloseTimeoutMs: 10 * 60_000,
    retry: resolveRetryPolicy(undefined),
  };
}

/** Builds a history: events get increasing eventIds; each {@link task} opens a new taskId and timestamp. */
export class HistoryBuilder {
  readonly #events: HistoryEvent[] = [];
  #taskId = 0;
  #nowMs: number;

  constructor(startTimeMs = T0) {
    this.#nowMs = startTimeMs;
  }

  /** Opens a new task (activation). Its events share `timestampMs` (default: 1s after the previous task). */
  task(timestampMs?: number): this {
    if (this.#taskId > 0) this.#nowMs = timestampMs ?? this.#nowMs + 1000;
    else if (timestampMs !== undefined) this.#nowMs = timestampMs;
    this.#taskId += 1;
    return this;
  }

  /** Appends one event to the current task. */
  add<T extends EventType>(eventType: T, attributes: EventAttributes[T]): this {
    if (this.#taskId === 0) this.task();
    this.#events.push({
      eventId: this.#events.length + 1,
      taskId: this.#taskId,
      eventType,
      timestampMs: this.#nowMs,
      attributes,
    } as HistoryEvent);
    return this;
  }

  /** Opens the first task with WorkflowExecutionStarted. */
  started(
    workflowType: string,
    input: unknown = null,
    overrides: Partial<StartedAttributes> = {},
  ): this {
    return this.task().add(
      "WorkflowExecutionStarted",
      startedAttributes(workflowType, { input: JSON.stringify(input), ...overrides }),
    );
  }

  activityScheduled(seq: number, activityType: string, input: unknown = null): this {
    return this.add("ActivityTaskScheduled", {
      seq,
      activityId: String(seq),
      activityType,
      input: JSON.stringify(input ?? null),
      ...defaultActivityOptions(),
    });
  }

  activityCompleted(seq: number, result: unknown): this {
    return this.add("ActivityTaskCompleted", {
      seq,
      result: JSON.stringify(result ?? null),
      attempt: 1,
    });
  }

  activityFailed(
    seq: number,
    failure: FailureInfo,
    retryState: RetryState = "NonRetryableFailure",
  ): this {
    return this.add("ActivityTaskFailed", { seq, failure, retryState, attempt: 1 });
  }

  timerStarted(seq: number, durationMs: number): this {
    return this.add("TimerStarted", {
      seq,
      timerId: String(seq),
      durationMs,
      fireAtMs: this.#nowMs + durationMs,
    });
  }

  timerFired(seq: number): this {
    return this.add("TimerFired", { seq, timerId: String(seq) });
  }

  marker(
    seq: number,
    activityType: string,
    outcome: { result: unknown } | { failure: FailureInfo },
  ): this {
    return this.add("MarkerRecorded", {
      seq,
      markerName: "LocalActivity",
      activityType,
      attempt: 1,
      ...("result" in outcome
        ? { result: JSON.stringify(outcome.result ?? null) }
        : { failure: outcome.failure }),
    });
  }

  completed(result: unknown): this {
    return this.add("WorkflowExecutionCompleted", { result: JSON.stringify(result ?? null) });
  }

  failed(failure: FailureInfo): this {
    return this.add("WorkflowExecutionFailed", { failure, retryState: "RetryPolicyNotSet" });
  }

  build(): HistoryEvent[] {
    return this.#events.map((e) => ({ ...e }));
  }
}

/** The RuntimeInfo the engine derives from a history's first event. */
export function runtimeInfo(history: readonly HistoryEvent[]): RuntimeInfo {
  const first = history[0];
  if (first?.eventType !== "WorkflowExecutionStarted") {
    throw new Error("history does not start with WorkflowExecutionStarted");
  }
  return { ...IDENTITY, startTimeMs: first.timestampMs, started: first.attributes };
}

/** Splits a history into its recorded tasks (consecutive events with the same taskId). */
export function tasksOf(history: readonly HistoryEvent[]): HistoryEvent[][] {
  const tasks: HistoryEvent[][] = [];
  for (const ev of history) {
    const last = tasks.at(-1);
    if (last && last[0]!.taskId === ev.taskId) last.push(ev);
    else tasks.push([ev]);
  }
  return tasks;
}

/** Cold path: a fresh runtime fed the whole history, one recorded task at a time (as WorkflowExecution#replay). */
export async function replay(
  definition: AnyWorkflow,
  history: readonly HistoryEvent[],
): Promise<WorkflowRuntime> {
  const runtime = new WorkflowRuntime(definition, runtimeInfo(history));
  for (const task of tasksOf(history)) await runtime.applyTask(task, true);
  return runtime;
}

export interface DriveOptions {
  input?: unknown;
  randomSeed?: number;
  startTimeMs?: number;
  /**
   * Remote activities: a result completes the activity; a throw fails it for good (no retries
   * simulated), recorded without its stack.
   */
  activities?: Record<string, (input: unknown) => unknown>;
  /** Local activities, run exactly as the engine runs them (runLocalActivity, with its retry policy). */
  localActivities?: Activities;
  /** How long a remote activity takes, from its scheduling task to its completion task. @default 1000 */
  activityDurationMs?: number;
  /** Safety net against a workflow that never closes. @default 200 */
  maxTasks?: number;
  /**
   * "warm" keeps one runtime across tasks (the sticky cache); "cold" replays the history recorded so
   * far into a fresh runtime before every task, as the engine does after an eviction. @default "warm"
   */
  mode?: "warm" | "cold";
  /** Local activities one task may record before the rest moves to the next task. @default the engine's */
  localActivitiesPerTask?: number;
}

export interface DriveResult {
  /** The full recorded history, as the engine would store it. */
  history: HistoryEvent[];
  /** Every command recorded, in order. */
  commands: Command[];
  /** The commands recorded by each task, in order. */
  commandsByTask: Command[][];
  /** The close command (CompleteWorkflow or FailWorkflow), if the workflow closed. */
  close: Extract<Command, { type: "CompleteWorkflow" | "FailWorkflow" }> | undefined;
  /** The warm runtime, still holding whatever was left unmatched. */
  runtime: WorkflowRuntime;
}

interface Due {
  atMs: number;
  seq: number;
  events: () => NewEvent[];
}

/**
 * Warm path: every task runs through the engine's own workflow-task driver
 * (src/execution/workflow-task.ts, which execution/transition.ts uses): it applies the task's
 * inputs, records the runtime's unmatched commands as events (same taskId and timestamp as the
 * inputs, following eventIds), running local activities, and applies them, until nothing is
 * unmatched, the workflow closed, or the local-activity budget of the task is spent (then the next
 * task has no inputs and records the remaining local activities). Between tasks the clock jumps to
 * the next due timer or activity outcome; everything due at that instant is delivered in one task,
 * activity outcomes preceded by ActivityTaskStarted as the engine writes them. With `mode: "cold"`
 * every task after the first starts from a fresh runtime replayed from the history so far. A failed
 * workflow task (NonDeterminismError, WorkflowTaskError) is thrown with the error the runtime threw,
 * not recorded.
 */
export async function drive(
  definition: AnyWorkflow,
  options: DriveOptions = {},
): Promise<DriveResult> {
  const history: HistoryEvent[] = [];
  const commands: Command[] = [];
  const commandsByTask: Command[][] = [];
  const pending: Due[] = [];
  const activityDurationMs = options.activityDurationMs ?? 1000;
  const limits = {
    ...DEFAULT_LIMITS,
    localActivitiesPerTask: options.localActivitiesPerTask ?? DEFAULT_LIMITS.localActivitiesPerTask,
  };
  const localActivities = options.localActivities ?? {};
  const deps: TaskDeps = {
    limits,
    runLocals: (issued) =>
      Promise.all(
        issued.map((cmd) =>
          cmd.type === "RunLocalActivity"
            ? runLocalActivity(cmd, localActivities, IDENTITY, IDENTITY.runId, DEFAULT_LIMITS)
            : undefined,
        ),
      ),
    newRunId: () => "continued-run",
  };
  let taskId = 1;
  let nowMs = options.startTimeMs ?? T0;
  let close: DriveResult["close"];
  let inputs: NewEvent[] = [
    newEvent(
      "WorkflowExecutionStarted",
      startedAttributes(definition.name, {
        input: JSON.stringify(options.input ?? null),
        randomSeed: options.randomSeed ?? 42,
      }),
    ),
  ];
  let runtime: WorkflowRuntime | undefined;

  for (;;) {
    if (options.mode === "cold" && history.length > 0) runtime = await replay(definition, history);
    const task = { runId: IDENTITY.runId, historyLength: history.length, taskId, nowMs };
    const outcome = await runWorkflowTask(
      { ...task, wftAttempt: 0, searchAttributes: null },
      inputs,
      deps,
      { runtime: (events) => (runtime ??= new WorkflowRuntime(definition, runtimeInfo(events))) },
    );
    if (outcome.taskFailure) throw outcome.taskFailure.error ?? outcome.taskFailure.failure;
    history.push(...outcome.events);
    for (const cmd of outcome.commands) {
      if (cmd.type === "ScheduleActivity") {
        pending.push(activityOutcome(cmd, nowMs + activityDurationMs, options));
      }
      if (cmd.type === "StartTimer") {
        pending.push({
          atMs: nowMs + cmd.durationMs,
          seq: cmd.seq,
          events: () => [newEvent("TimerFired", { seq: cmd.seq, timerId: String(cmd.seq) })],
        });
      }
      if (cmd.type === "CompleteWorkflow" || cmd.type === "FailWorkflow") close = cmd;
    }
    commands.push(...outcome.commands);
    commandsByTask.push(outcome.commands);
    if (close || (pending.length === 0 && !outcome.continueNow)) break;
    if (taskId >= (options.maxTasks ?? 200))
      throw new Error(`drive: no close after ${taskId} tasks`);
    taskId += 1;
    if (outcome.continueNow) {
      nowMs += 1; // the engine's alarm, set for "now", fires a moment later
      inputs = [];
      continue;
    }
    pending.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
    const at = pending[0]!.atMs;
    const due = pending.filter((p) => p.atMs === at);
    pending.splice(0, due.length);
    nowMs = at;
    inputs = due.flatMap((d) => d.events());
  }
  if (!runtime) throw new Error("drive: no task ran");
  return { history, commands, commandsByTask, close, runtime };
}

function activityOutcome(
  cmd: Extract<Command, { type: "ScheduleActivity" }>,
  atMs: number,
  options: DriveOptions,
): Due {
  return {
    atMs,
    seq: cmd.seq,
    events: () => {
      const fn = options.activities?.[cmd.activityType];
      if (!fn) throw new Error(`drive: no activity "${cmd.activityType}" given`);
      const started = newEvent("ActivityTaskStarted", { seq: cmd.seq, attempt: 1 });
      try {
        const result = JSON.stringify(fn(JSON.parse(cmd.input)) ?? null);
        return [started, newEvent("ActivityTaskCompleted", { seq: cmd.seq, result, attempt: 1 })];
      } catch (err) {
        const failure = withoutStacks(toFailure(err)); // stacks differ between call sites
        const retryState: RetryState = failure.nonRetryable
          ? "NonRetryableFailure"
          : "MaximumAttemptsReached";
        return [
          started,
          newEvent("ActivityTaskFailed", { seq: cmd.seq, failure, retryState, attempt: 1 }),
        ];
      }
    },
  };
}

/** The event types of a history, for compact assertions. */
export function eventTypes(history: readonly HistoryEvent[]): EventType[] {
  return history.map((e) => e.eventType);
}
