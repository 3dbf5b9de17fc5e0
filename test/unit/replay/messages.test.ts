/**
 * @module Signals, queries, updates, cancellation, children, continue-as-new and patches in the pure
 * runtime: history in, commands out. A {@link Session} plays the engine: it applies input events as a
 * new task, records the commands the code issues as events, and can replay the history cold.
 */
import { describe, expect, it } from "vitest";
import { ApplicationFailure, isCancellation } from "../../../sdk/common/failures";
import {
  defineQuery,
  defineSignal,
  defineUpdate,
  defineWorkflow,
} from "../../../sdk/workflow/index";
import type { AnyWorkflow } from "../../../src/config";
import {
  type EventAttributes,
  type EventType,
  type HistoryEvent,
  type NewEvent,
  newEvent,
} from "../../../src/history/events";
import { type Command, commandEvent } from "../../../src/replay/commands";
import {
  NonDeterminismError,
  UnknownHandlerError,
  UpdateRejectedError,
  WorkflowRuntime,
} from "../../../src/replay/runtime";
import { replay, runtimeInfo, startedAttributes, T0 } from "../helpers/history-builder";

class Session {
  readonly history: HistoryEvent[] = [];
  runtime!: WorkflowRuntime;
  #taskId = 0;
  #now = T0;

  constructor(readonly definition: AnyWorkflow) {}

  static async start(definition: AnyWorkflow, input: unknown = null): Promise<Session> {
    const s = new Session(definition);
    await s.task([
      newEvent(
        "WorkflowExecutionStarted",
        startedAttributes(definition.name, { input: JSON.stringify(input) }),
      ),
    ]);
    return s;
  }

  /** One new activation: applies `inputs`, records every issued command; returns those commands. */
  async task(inputs: NewEvent[], advanceMs = 1000): Promise<Command[]> {
    this.#taskId += 1;
    if (this.#taskId > 1) this.#now += advanceMs;
    const stamp = (events: NewEvent[]) =>
      events.map(
        (e, i) =>
          ({
            ...e,
            eventId: this.history.length + i + 1,
            taskId: this.#taskId,
            timestampMs: this.#now,
          }) as HistoryEvent,
      );
    const first = stamp(inputs);
    this.runtime ??= new WorkflowRuntime(this.definition, runtimeInfo(first));
    this.history.push(...first);
    await this.runtime.applyTask(first);
    const recorded: Command[] = [];
    while (this.runtime.unmatched.length > 0) {
      const issued = [...this.runtime.unmatched];
      const events = stamp(
        issued.map((c) => {
          if (c.type === "RunLocalActivity") throw new Error("not in these tests");
          return commandEvent(c, this.#now, "run-2");
        }),
      );
      this.history.push(...events);
      recorded.push(...issued);
      await this.runtime.applyTask(events);
      if (issued.some((c) => c.type === "CompleteWorkflow" || c.type === "FailWorkflow")) break;
    }
    return recorded;
  }

  /** The cold path: a fresh runtime replayed from the history so far. */
  async cold(): Promise<WorkflowRuntime> {
    this.runtime = await replay(this.definition, this.history);
    return this.runtime;
  }

  types(): EventType[] {
    return this.history.map((e) => e.eventType);
  }
}

function input<T extends EventType>(type: T, attributes: EventAttributes[T]): NewEvent {
  return newEvent(type, attributes);
}

const signaled = (signalName: string, value: unknown) =>
  input("WorkflowExecutionSignaled", { signalName, input: JSON.stringify(value) });

const approve = defineSignal<{ approved: boolean }>("approve");
const state = defineQuery<string>("state");
const extend = defineUpdate<number, { ms: number }>("extend");

describe("signals", () => {
  const collector = defineWorkflow("collector", async (ctx, n: number) => {
    const got: unknown[] = [];
    await ctx.sleep("1s"); // signals before this point are buffered
    ctx.setHandler(defineSignal<string>("item"), (item) => {
      got.push(item);
    });
    await ctx.condition(() => got.length >= n);
    return got;
  });

  it("buffers signals that arrive before the handler and delivers them in order", async () => {
    const s = await Session.start(collector, 3);
    await s.task([signaled("item", "a"), signaled("item", "b")]);
    await s.task([input("TimerFired", { seq: 1, timerId: "1" })]);
    const cmds = await s.task([signaled("item", "c")]);
    expect(cmds).toEqual([{ type: "CompleteWorkflow", result: '["a","b","c"]' }]);
    // Cold replay reaches the same state and issues nothing new.
    const cold = await s.cold();
    expect(cold.unmatched).toEqual([]);
    expect(cold.closed).toBe(true);
  });

  it("waitForSignal returns the signal, or null when the timeout fires first (canceling its timer)", async () => {
    const waiter = defineWorkflow("waiter", async (ctx) => {
      const first = await ctx.waitForSignal(approve, { timeout: "1h" });
      const second = await ctx.waitForSignal(approve, { timeout: "1m" });
      return { first, second };
    });
    const s = await Session.start(waiter);
    const afterSignal = await s.task([signaled("approve", { approved: true })]);
    expect(afterSignal.map((c) => c.type)).toEqual(["CancelTimer", "StartTimer"]);
    const closing = await s.task([input("TimerFired", { seq: 2, timerId: "2" })]);
    expect(closing).toEqual([
      { type: "CompleteWorkflow", result: '{"first":{"approved":true},"second":null}' },
    ]);
    expect((await s.cold()).unmatched).toEqual([]);
  });
});

describe("queries and updates", () => {
  const counter = defineWorkflow("counter", async (ctx) => {
    let deadline = 1000;
    let status = "waiting";
    ctx.setHandler(state, () => `${status} until ${deadline}`);
    ctx.setHandler(
      extend,
      async ({ ms }) => {
        deadline += ms;
        await ctx.sleep("1s");
        return deadline;
      },
      {
        validator: ({ ms }) => {
          if (!(ms > 0)) throw new Error("ms must be positive");
        },
      },
    );
    await ctx.condition(() => deadline > 5000);
    status = "done";
    return deadline;
  });

  it("answers queries from warm and cold state without issuing commands", async () => {
    const s = await Session.start(counter);
    expect(s.runtime.query("state", undefined)).toBe("waiting until 1000");
    expect(s.runtime.unmatched).toEqual([]);
    const cold = await s.cold();
    expect(cold.query("state", undefined)).toBe("waiting until 1000");
    expect(() => cold.query("nope", undefined)).toThrow(UnknownHandlerError);
  });

  it("validates updates without state changes, runs accepted ones and completes them with the result", async () => {
    const s = await Session.start(counter);
    expect(() => s.runtime.validateUpdate("extend", { ms: -1 })).toThrow(UpdateRejectedError);
    expect(() => s.runtime.validateUpdate("missing", {})).toThrow(UnknownHandlerError);
    expect(s.runtime.query("state", undefined)).toBe("waiting until 1000");
    s.runtime.validateUpdate("extend", { ms: 5000 });
    const accepted = await s.task([
      input("WorkflowExecutionUpdateAccepted", {
        updateId: "u1",
        updateName: "extend",
        input: '{"ms":5000}',
      }),
    ]);
    // The handler sleeps; the main function's condition now holds, so the workflow closes too.
    expect(accepted.map((c) => c.type)).toEqual(["StartTimer", "CompleteWorkflow"]);
    expect(s.types()).toContain("WorkflowExecutionUpdateAccepted");
  });

  it("completes an update whose handler finishes in the same task", async () => {
    const quick = defineWorkflow("quick", async (ctx) => {
      let n = 0;
      ctx.setHandler(defineUpdate<number, number>("add"), (by) => {
        n += by;
        return n;
      });
      await ctx.sleep("1d");
      return n;
    });
    const s = await Session.start(quick);
    const cmds = await s.task([
      input("WorkflowExecutionUpdateAccepted", { updateId: "u1", updateName: "add", input: "5" }),
    ]);
    expect(cmds).toEqual([{ type: "CompleteUpdate", updateId: "u1", result: "5" }]);
    const cold = await s.cold();
    expect(cold.unmatched).toEqual([]);
  });

  it("forbids commands from a query handler", async () => {
    const sneaky = defineWorkflow("sneaky", async (ctx) => {
      ctx.setHandler(defineQuery<unknown>("q"), () => ctx.sleep("1s"));
      await ctx.sleep("1d");
    });
    const s = await Session.start(sneaky);
    expect(() => s.runtime.query("q", undefined)).toThrow(/may not be called from a query/);
    expect(s.runtime.unmatched).toEqual([]);
  });
});

describe("cancellation", () => {
  const cleanup = defineWorkflow("cleanup", async (ctx) => {
    try {
      await ctx.activity("longTask", null, { heartbeatTimeout: "10s" });
      return "finished";
    } catch (err) {
      if (!isCancellation(err)) throw err;
      await ctx.nonCancellable(() => ctx.activity("compensate", null));
      throw err;
    }
  });

  it("cancels a running activity, runs cleanup in a non-cancellable scope, then ends Canceled", async () => {
    const s = await Session.start(cleanup);
    const cancelled = await s.task([input("WorkflowExecutionCancelRequested", { reason: "stop" })]);
    expect(cancelled.map((c) => c.type)).toEqual(["RequestCancelActivity", "ScheduleActivity"]);
    expect(cancelled[1]).toMatchObject({ activityType: "compensate", seq: 2 });
    const done = await s.task([
      input("ActivityTaskCompleted", { seq: 2, result: "null", attempt: 1 }),
    ]);
    expect(done).toEqual([{ type: "CancelWorkflow" }]);
    expect((await s.cold()).closed).toBe(true);
  });

  it("cancels a timer and a signal wait", async () => {
    const sleeper = defineWorkflow("sleepy", async (ctx) => {
      await Promise.all([ctx.sleep("1h"), ctx.waitForSignal(approve)]);
    });
    const s = await Session.start(sleeper);
    const cmds = await s.task([input("WorkflowExecutionCancelRequested", {})]);
    expect(cmds).toEqual([{ type: "CancelTimer", seq: 1 }, { type: "CancelWorkflow" }]);
  });

  it("lets the workflow decide: catching the cancellation and returning completes it", async () => {
    const stubborn = defineWorkflow("stubborn", async (ctx) => {
      try {
        await ctx.sleep("1h");
      } catch (err) {
        if (isCancellation(err)) return "cancelled politely";
      }
      return "slept";
    });
    const s = await Session.start(stubborn);
    const cmds = await s.task([input("WorkflowExecutionCancelRequested", {})]);
    expect(cmds).toEqual([
      { type: "CancelTimer", seq: 1 },
      { type: "CompleteWorkflow", result: '"cancelled politely"' },
    ]);
  });
});

describe("child workflows and other executions", () => {
  const parent = defineWorkflow("parent", async (ctx, n: number) => {
    const handles = await Promise.all(
      Array.from({ length: n }, (_, i) => ctx.startChild<number>("child", { input: i })),
    );
    const results = await Promise.allSettled(handles.map((h) => h.result()));
    await ctx.getExternalWorkflowHandle("other").signal(approve, { approved: true });
    return results.map((r) => (r.status === "fulfilled" ? r.value : String(r.reason.message)));
  });

  it("starts children with deterministic ids, gathers results and failures, signals another execution", async () => {
    const s = await Session.start(parent, 2);
    expect(s.runtime.unmatched).toEqual([]);
    const started = s.history.filter((e) => e.eventType === "StartChildWorkflowExecutionInitiated");
    expect(started.map((e) => (e.attributes as { workflowId: string }).workflowId)).toEqual([
      "wf-1-child-1",
      "wf-1-child-2",
    ]);
    await s.task([
      input("ChildWorkflowExecutionStarted", { seq: 1, workflowId: "wf-1-child-1", runId: "c1" }),
      input("ChildWorkflowExecutionStarted", { seq: 2, workflowId: "wf-1-child-2", runId: "c2" }),
    ]);
    const failure = {
      message: "boom",
      type: "Boom",
      source: "ApplicationFailure" as const,
      nonRetryable: true,
    };
    const cmds = await s.task([
      input("ChildWorkflowExecutionCompleted", { seq: 1, result: "10" }),
      input("ChildWorkflowExecutionFailed", { seq: 2, failure }),
    ]);
    expect(cmds).toEqual([
      {
        type: "SignalExternal",
        seq: 3,
        workflowId: "other",
        signalName: "approve",
        input: '{"approved":true}',
      },
    ]);
    const closing = await s.task([input("ExternalWorkflowExecutionSignaled", { seq: 3 })]);
    expect(closing).toEqual([
      {
        type: "CompleteWorkflow",
        result: JSON.stringify([10, "Child workflow child (wf-1-child-2) failed: boom"]),
      },
    ]);
    expect((await s.cold()).unmatched).toEqual([]);
  });

  it("continues as new with the given input", async () => {
    const looper = defineWorkflow("looper", async (ctx, i: number) => {
      if (i < 3) return ctx.continueAsNew(i + 1);
      return i;
    });
    const s = await Session.start(looper, 0);
    expect(s.history.at(-1)).toMatchObject({
      eventType: "WorkflowExecutionContinuedAsNew",
      attributes: { input: "1", workflowType: "looper", newExecutionRunId: "run-2" },
    });
    expect(s.runtime.closed).toBe(true);
  });
});

describe("patches", () => {
  const v1 = defineWorkflow("versioned", async (ctx) => {
    await ctx.activity("old");
    return "v1";
  });
  const v2 = defineWorkflow("versioned", async (ctx) => {
    if (ctx.patched("use-new")) {
      await ctx.activity("new");
      return "v2";
    }
    await ctx.activity("old");
    return "v1";
  });
  const v3 = defineWorkflow("versioned", async (ctx) => {
    await ctx.activity("new");
    return "v2";
  });

  it("takes the new branch in new executions and records a marker", async () => {
    const s = await Session.start(v2);
    expect(s.history.map((e) => e.eventType)).toEqual([
      "WorkflowExecutionStarted",
      "MarkerRecorded",
      "ActivityTaskScheduled",
    ]);
    expect((await s.cold()).unmatched).toEqual([]);
  });

  it("replays a history recorded by old code through the old branch", async () => {
    const old = await Session.start(v1);
    const upgraded = new Session(v2);
    upgraded.history.push(...old.history);
    const runtime = await upgraded.cold();
    expect(runtime.unmatched).toEqual([]);
    await runtime.applyTask([
      {
        eventId: 3,
        taskId: 2,
        timestampMs: T0 + 1000,
        eventType: "ActivityTaskCompleted",
        attributes: { seq: 1, result: "null", attempt: 1 },
      },
    ]);
    expect(runtime.unmatched).toEqual([{ type: "CompleteWorkflow", result: '"v1"' }]);
  });

  it("fails the task (not the run) when a patch still in history is removed", async () => {
    const s = await Session.start(v2);
    const removed = new Session(v3);
    removed.history.push(...s.history);
    await expect(removed.cold()).rejects.toBeInstanceOf(NonDeterminismError);
  });

  it("tolerates a deprecated patch's marker after the call is removed", async () => {
    const deprecating = defineWorkflow("versioned", async (ctx) => {
      ctx.deprecatePatch("use-new");
      await ctx.activity("new");
      return "v2";
    });
    const s = await Session.start(deprecating);
    expect(s.history[1]).toMatchObject({
      eventType: "MarkerRecorded",
      attributes: { patchId: "use-new", deprecated: true },
    });
    const removed = new Session(v3);
    removed.history.push(...s.history);
    expect((await removed.cold()).unmatched).toEqual([]);
  });
});

describe("signal handler failures", () => {
  it("fails the workflow when a signal handler throws an ApplicationFailure", async () => {
    const strict = defineWorkflow("strict", async (ctx) => {
      ctx.setHandler(approve, () => {
        throw ApplicationFailure.nonRetryable("not allowed", "Forbidden");
      });
      await ctx.sleep("1d");
    });
    const s = await Session.start(strict);
    const cmds = await s.task([signaled("approve", { approved: true })]);
    expect(cmds[0]).toMatchObject({ type: "FailWorkflow", failure: { type: "Forbidden" } });
  });
});
