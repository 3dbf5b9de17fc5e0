/**
 * @module One workflow task, pure (no storage, no platform import): apply the task's inputs to the
 * runtime, record the commands it issues as events (running local activities through the caller),
 * feed those back until nothing is unmatched, and enforce the task's limits (local-activity budget,
 * payload sizes, history length). A failure of workflow code fails the task, never the execution:
 * only the inputs and a WorkflowTaskFailed are kept. The engine's transition and the unit tests'
 * history builder both drive workflows through this one module.
 */
import { ApplicationFailure, type FailureInfo, toFailure } from "../../sdk/common/failures";
import { exceedsBytes, payloadTooLarge } from "../common/payload-size";
import type { Limits } from "../config";
import {
  type EventAttributes,
  type HistoryEvent,
  type NewEvent,
  newEvent,
} from "../history/events";
import { CLOSE_COMMANDS, type Command, commandEvent } from "../replay/commands";
import { NonDeterminismError, type WorkflowRuntime, WorkflowTaskError } from "../replay/runtime";
import { boundFailure } from "./failure-bounds";
import { withinLocalBudget } from "./local-budget";
import { payloadProblem } from "./report-validation";
import { mergeSearchAttributes } from "./search-attribute-upsert";

export type Marker = EventAttributes["MarkerRecorded"];

/** Why a workflow task failed; `error` is what was thrown (the unit tests rethrow it). */
export interface TaskFailure {
  cause: "NonDeterminism" | "WorkflowError";
  failure: FailureInfo;
  error?: unknown;
}

/** Where a task's events go: the run's state before it, and the task's stamp. */
export interface TaskRun {
  runId: string;
  /** Events stored before this task. */
  historyLength: number;
  /** Failed workflow tasks in a row before this one (only the first is written to history). */
  wftAttempt: number;
  /** The run's search attributes (JSON), which upserts merge into. */
  searchAttributes: string | null;
  taskId: number;
  nowMs: number;
}

export interface TaskDeps {
  limits: Pick<Limits, "maxPayloadBytes" | "localActivitiesPerTask" | "historyMaxEvents">;
  /**
   * Runs the local activities among `commands` (undefined for the others) and returns their
   * markers, or undefined when it yields to an urgent message (the task then commits what it has).
   */
  runLocals(commands: readonly Command[]): Promise<Array<Marker | undefined> | undefined>;
  /** Checked before commands are recorded; a throw fails the task (the engine: queues bound). */
  check?(issued: readonly Command[]): void;
  /** The id of a run a ContinueAsNew starts (and other commands' spare ids). */
  newRunId(): string;
}

export interface TaskOutcome {
  /** The inputs, then what the task recorded (or the failure), with ids, taskId and timestamp. */
  events: HistoryEvent[];
  /** The commands recorded, in order (empty when the task failed). */
  commands: Command[];
  /** The budget ran out (or a message preempted it): the next task continues at once, with no inputs. */
  continueNow: boolean;
  taskFailure?: TaskFailure;
  /** The runtime, when the task ran and left it current (the warm cache may keep it). */
  runtime?: WorkflowRuntime;
}

/** Stamps events: following ids from `firstId`, the task's id and timestamp. */
export function assignIds(
  events: readonly NewEvent[],
  stamp: { taskId: number; nowMs: number },
  firstId: number,
): HistoryEvent[] {
  return events.map(
    (e, i) =>
      ({
        ...e,
        eventId: firstId + i,
        taskId: stamp.taskId,
        timestampMs: stamp.nowMs,
      }) as HistoryEvent,
  );
}

/**
 * Runs one workflow task. `runtime` is called inside the task (building or replaying one can fail
 * the task too); without it the inputs are recorded and no code runs. With `failTask` the task is
 * recorded as failed with that failure (a retry of a task whose commit failed).
 */
export async function runWorkflowTask(
  run: TaskRun,
  inputs: readonly NewEvent[],
  deps: TaskDeps,
  options: {
    runtime?: (events: readonly HistoryEvent[]) => WorkflowRuntime | Promise<WorkflowRuntime>;
    failTask?: FailureInfo;
  } = {},
): Promise<TaskOutcome> {
  const events = assignIds(inputs, run, run.historyLength + 1);
  let commands: Command[] = [];
  let continueNow = false;
  let taskFailure: TaskFailure | undefined;
  let runtime: WorkflowRuntime | undefined;
  if (options.failTask) {
    taskFailure = { cause: "WorkflowError", failure: options.failTask };
  } else if (options.runtime) {
    try {
      runtime = await options.runtime(events);
      await runtime.applyTask(events);
      let localBudget = deps.limits.localActivitiesPerTask;
      const searchAttributes = { merged: run.searchAttributes };
      while (runtime.unmatched.length > 0) {
        const issued = withinLocalBudget(runtime.unmatched, localBudget);
        if (issued.length === 0) {
          continueNow = true; // commit what we have; the next task continues at once
          break;
        }
        deps.check?.(issued);
        const firstId = run.historyLength + events.length + 1;
        const recorded = await recordCommands(run, issued, firstId, searchAttributes, deps);
        if (!recorded) {
          // An urgent message waits behind a local activity: commit what we have and let it in;
          // the local activity goes on, and the next task joins it.
          continueNow = true;
          break;
        }
        localBudget -= issued.filter((c) => c.type === "RunLocalActivity").length;
        events.push(...recorded);
        commands.push(...issued);
        await runtime.applyTask(recorded);
        if (issued.some((c) => CLOSE_COMMANDS.has(c.type))) break;
      }
    } catch (err) {
      runtime = undefined;
      // A WorkflowTaskError wraps what the code threw: record the user's error itself.
      const thrown = err instanceof WorkflowTaskError && err.cause !== undefined ? err.cause : err;
      taskFailure = {
        cause: err instanceof NonDeterminismError ? "NonDeterminism" : "WorkflowError",
        failure: boundFailure(toFailure(thrown), deps.limits.maxPayloadBytes),
        error: err,
      };
      // Nothing the failed task produced is kept: only the inputs and the failure.
      events.length = inputs.length;
      commands = [];
    }
  }
  const max = deps.limits.historyMaxEvents;
  if (run.historyLength + events.length >= max && !taskFailure) {
    runtime = undefined;
    // Bounded history: fail clearly rather than growing without end.
    const failure = toFailure(
      ApplicationFailure.nonRetryable(
        `History of run ${run.runId} reached ${run.historyLength + events.length} events (limit ${max}). Use continue-as-new to start a fresh history.`,
        "HistoryTooLong",
      ),
    );
    commands = [{ type: "FailWorkflow", failure }];
    events.length = inputs.length;
    const failed = newEvent("WorkflowExecutionFailed", {
      failure,
      retryState: "NonRetryableFailure",
    });
    events.push(...assignIds([failed], run, run.historyLength + events.length + 1));
  }
  if (taskFailure && run.wftAttempt === 0) {
    // Like Temporal, only the first failure of a series is written to history.
    const { cause, failure } = taskFailure;
    const failed = newEvent("WorkflowTaskFailed", { cause, failure });
    events.push(...assignIds([failed], run, run.historyLength + events.length + 1));
  }
  return {
    events,
    commands,
    continueNow,
    ...(taskFailure ? { taskFailure } : {}),
    ...(runtime ? { runtime } : {}),
  };
}

/**
 * Turns commands into their events; local activities run (through `deps.runLocals`) and record a
 * marker. Payloads past the limit fail what carries them, not the commit. Undefined when preempted.
 */
async function recordCommands(
  run: TaskRun,
  commands: readonly Command[],
  firstId: number,
  searchAttributes: { merged: string | null },
  deps: TaskDeps,
): Promise<HistoryEvent[] | undefined> {
  const out: NewEvent[] = [];
  const limit = deps.limits.maxPayloadBytes;
  const now = run.nowMs;
  const locals = await deps.runLocals(commands);
  if (!locals) return undefined; // preempted
  commands.forEach((cmd, i) => {
    switch (cmd.type) {
      case "RunLocalActivity": {
        const marker = locals[i]!;
        if ("failure" in marker && marker.failure) {
          marker.failure = boundFailure(marker.failure, limit);
        }
        out.push(newEvent("MarkerRecorded", marker));
        break;
      }
      case "FailWorkflow":
        cmd.failure = boundFailure(cmd.failure, limit);
        out.push(commandEvent(cmd, now));
        break;
      case "CompleteUpdate": {
        // Checked before the update's caller or the transaction sees it: an oversized result
        // fails the update (non-retryable PayloadTooLarge), not the commit.
        const problem =
          cmd.result === undefined ? undefined : payloadProblem(cmd.result, limit, "update result");
        if (problem) {
          cmd.result = undefined;
          cmd.failure = toFailure(ApplicationFailure.nonRetryable(problem.message, problem.type));
        }
        if (cmd.failure) cmd.failure = boundFailure(cmd.failure, limit);
        out.push(commandEvent(cmd, now));
        break;
      }
      case "UpsertSearchAttributes":
        // Throws (the workflow task fails with the reason) when the merged set is not storable.
        searchAttributes.merged = mergeSearchAttributes(
          searchAttributes.merged,
          cmd.searchAttributes,
          limit,
        );
        out.push(commandEvent(cmd, now));
        break;
      case "CompleteWorkflow":
        if (exceedsBytes(cmd.result, limit)) {
          const failure = toFailure(payloadTooLarge("workflow result", limit));
          Object.assign(cmd, { type: "FailWorkflow", failure, result: undefined });
          out.push(
            newEvent("WorkflowExecutionFailed", { failure, retryState: "NonRetryableFailure" }),
          );
        } else {
          out.push(commandEvent(cmd, now));
        }
        break;
      case "RequestCancelActivity":
        // The activity is dropped at once (the engine deletes its row) and the code sees it
        // canceled: Temporal's TryCancel, whose history has both events. Replay skips the second.
        out.push(commandEvent(cmd, now));
        out.push(newEvent("ActivityTaskCanceled", { seq: cmd.seq }));
        break;
      case "ContinueAsNew":
        out.push(commandEvent(cmd, now, deps.newRunId()));
        break;
      default:
        // Only a continue-as-new names a new run: no random id for every other command.
        out.push(commandEvent(cmd, now));
    }
  });
  return assignIds(out, run, firstId);
}
