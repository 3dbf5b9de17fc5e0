import { describe, expect, it } from "vitest";
import { defineWorkflow } from "../../../sdk/workflow/index";
import { DEFAULT_LIMITS } from "../../../src/config";
import { runWorkflowTask, type TaskDeps, type TaskRun } from "../../../src/execution/workflow-task";
import { newEvent } from "../../../src/history/events";
import { WorkflowRuntime } from "../../../src/replay/runtime";
import { runtimeInfo, startedAttributes, T0 } from "../helpers/history-builder";

const hello = defineWorkflow("hello", async (ctx) => {
  await ctx.sleep(1000);
  return "hi";
});
const broken = defineWorkflow("broken", async () => {
  throw new TypeError("bug in workflow code");
});
const big = defineWorkflow("big", async () => "x".repeat(2000));

const run = (over: Partial<TaskRun> = {}): TaskRun => ({
  runId: "r1",
  historyLength: 0,
  wftAttempt: 0,
  searchAttributes: null,
  taskId: 1,
  nowMs: T0,
  ...over,
});
const deps = (limits: Partial<TaskDeps["limits"]> = {}): TaskDeps => ({
  limits: { ...DEFAULT_LIMITS, ...limits },
  runLocals: async (cmds) => cmds.map(() => undefined),
  newRunId: () => "next",
});
const started = (type: string) => [newEvent("WorkflowExecutionStarted", startedAttributes(type))];
const runtimeOf =
  (def: typeof hello) =>
  (events: Parameters<typeof runtimeInfo>[0]): WorkflowRuntime =>
    new WorkflowRuntime(def, runtimeInfo(events));

describe("runWorkflowTask", () => {
  it("records the inputs and the commands, stamped with the task's id and time", async () => {
    const out = await runWorkflowTask(run(), started("hello"), deps(), {
      runtime: runtimeOf(hello),
    });
    expect(out.events.map((e) => [e.eventId, e.eventType, e.taskId, e.timestampMs])).toEqual([
      [1, "WorkflowExecutionStarted", 1, T0],
      [2, "TimerStarted", 1, T0],
    ]);
    expect(out.commands.map((c) => c.type)).toEqual(["StartTimer"]);
    expect(out.runtime).toBeDefined();
    expect(out.taskFailure).toBeUndefined();
  });

  it("records only the inputs without a runtime", async () => {
    const out = await runWorkflowTask(run({ historyLength: 4 }), started("hello"), deps());
    expect(out.events.map((e) => e.eventId)).toEqual([5]);
    expect(out.commands).toEqual([]);
  });

  it("fails the task, not the run, on a bug: WorkflowTaskFailed only on the first of a series", async () => {
    const first = await runWorkflowTask(run(), started("broken"), deps(), {
      runtime: runtimeOf(broken),
    });
    expect(first.taskFailure?.cause).toBe("WorkflowError");
    expect(first.taskFailure?.failure.message).toContain("bug in workflow code");
    expect(first.events.map((e) => e.eventType)).toEqual([
      "WorkflowExecutionStarted",
      "WorkflowTaskFailed",
    ]);
    expect(first.runtime).toBeUndefined();
    const again = await runWorkflowTask(run({ wftAttempt: 1 }), started("broken"), deps(), {
      runtime: runtimeOf(broken),
    });
    expect(again.events.map((e) => e.eventType)).toEqual(["WorkflowExecutionStarted"]);
  });

  it("fails the run with HistoryTooLong at the history limit", async () => {
    const out = await runWorkflowTask(run(), started("hello"), deps({ historyMaxEvents: 2 }), {
      runtime: runtimeOf(hello),
    });
    expect(out.commands).toMatchObject([
      { type: "FailWorkflow", failure: { type: "HistoryTooLong", nonRetryable: true } },
    ]);
    expect(out.events.map((e) => e.eventType)).toEqual([
      "WorkflowExecutionStarted",
      "WorkflowExecutionFailed",
    ]);
    expect(out.runtime).toBeUndefined();
  });

  it("turns a workflow result past the payload limit into a non-retryable failure", async () => {
    const out = await runWorkflowTask(run(), started("big"), deps({ maxPayloadBytes: 1000 }), {
      runtime: runtimeOf(big),
    });
    expect(out.commands).toMatchObject([
      { type: "FailWorkflow", failure: { type: "PayloadTooLarge" } },
    ]);
    expect(out.events.at(-1)?.eventType).toBe("WorkflowExecutionFailed");
  });

  it("records with failTask only the inputs and the given failure", async () => {
    const failure = { message: "could not commit", type: "CommitFailed" };
    const out = await runWorkflowTask(run(), started("hello"), deps(), {
      runtime: runtimeOf(hello),
      failTask: failure,
    });
    expect(out.events.at(-1)).toMatchObject({
      eventType: "WorkflowTaskFailed",
      attributes: { cause: "WorkflowError", failure },
    });
    expect(out.commands).toEqual([]);
  });
});
