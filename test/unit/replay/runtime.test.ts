import { describe, expect, it, vi } from "vitest";
import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  toFailure,
} from "../../../sdk/common/failures";
import { resolveRetryPolicy } from "../../../sdk/common/retry-policy";
import { defineWorkflow, type WorkflowContext } from "../../../sdk/workflow/index";
import type { HistoryEvent } from "../../../src/history/events";
import type { Command } from "../../../src/replay/commands";
import {
  NonDeterminismError,
  WorkflowRuntime,
  WorkflowTaskError,
} from "../../../src/replay/runtime";
import {
  defaultActivityOptions,
  drive,
  eventTypes,
  HistoryBuilder,
  replay,
  runtimeInfo,
  T0,
  tasksOf,
} from "../helpers/history-builder";

const greet = defineWorkflow("greet", async (ctx, name: string) => {
  return ctx.activity<string>("sayHello", name);
});

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Replays `history` with a fresh runtime and returns the error the replay rejects with. */
async function replayError(
  definition: Parameters<typeof replay>[0],
  history: HistoryEvent[],
): Promise<unknown> {
  return replay(definition, history).then(
    () => expect.fail("replay succeeded"),
    (err: unknown) => err,
  );
}

describe("WorkflowRuntime activities", () => {
  it("schedules an activity not yet in history", async () => {
    const history = new HistoryBuilder().started("greet", "Ada").build();

    const runtime = await replay(greet, history);

    expect(runtime.unmatched).toEqual([
      {
        type: "ScheduleActivity",
        seq: 1,
        activityId: "1",
        activityType: "sayHello",
        input: '"Ada"',
        options: defaultActivityOptions(),
      },
    ]);
    expect(runtime.closed).toBe(false);
  });

  it("resolves activity options to milliseconds", async () => {
    const wf = defineWorkflow("opts", async (ctx) => {
      await ctx.activity(
        "charge",
        { amount: 5 },
        {
          scheduleToCloseTimeout: "1h",
          scheduleToStartTimeout: "30s",
          heartbeatTimeout: "10s",
          taskQueue: "payments",
          activityId: "charge-1",
          retry: { maximumAttempts: 5, initialInterval: "2s" },
        },
      );
    });

    const runtime = await replay(wf, new HistoryBuilder().started("opts").build());

    expect(runtime.unmatched).toEqual([
      {
        type: "ScheduleActivity",
        seq: 1,
        activityId: "charge-1",
        activityType: "charge",
        input: '{"amount":5}',
        options: {
          taskQueue: "payments",
          scheduleToCloseTimeoutMs: 3_600_000,
          scheduleToStartTimeoutMs: 30_000,
          heartbeatTimeoutMs: 10_000,
          retry: resolveRetryPolicy({ maximumAttempts: 5, initialInterval: 2000 }),
        },
      },
    ]);
  });

  it("schedules activities through typed proxies", async () => {
    const activities = {
      add: async (input: { a: number; b: number }) => input.a + input.b,
    };
    const wf = defineWorkflow("proxied", async (ctx) => {
      const { add } = ctx.proxyActivities<typeof activities>({ startToCloseTimeout: "5s" });
      return add({ a: 1, b: 2 });
    });

    const runtime = await replay(wf, new HistoryBuilder().started("proxied").build());

    expect(runtime.unmatched).toMatchObject([
      {
        type: "ScheduleActivity",
        activityType: "add",
        input: '{"a":1,"b":2}',
        options: { startToCloseTimeoutMs: 5000 },
      },
    ]);
  });

  it("resolves a completed activity from history without rescheduling it", async () => {
    const history = new HistoryBuilder()
      .started("greet", "Ada")
      .activityScheduled(1, "sayHello", "Ada")
      .task()
      .activityCompleted(1, "Hello, Ada")
      .build();

    const runtime = await replay(greet, history);

    expect(runtime.unmatched).toEqual([{ type: "CompleteWorkflow", result: '"Hello, Ada"' }]);
    expect(runtime.closed).toBe(true);
  });

  it("replays a closed history to nothing unmatched", async () => {
    const history = new HistoryBuilder()
      .started("greet", "Ada")
      .activityScheduled(1, "sayHello", "Ada")
      .task()
      .activityCompleted(1, "Hello, Ada")
      .completed("Hello, Ada")
      .build();

    const runtime = await replay(greet, history);

    expect(runtime.unmatched).toEqual([]);
    expect(runtime.closed).toBe(true);
  });

  it("surfaces a failed activity as ActivityFailure caused by the ApplicationFailure", async () => {
    let caught: unknown;
    const wf = defineWorkflow("pay", async (ctx) => {
      try {
        await ctx.activity("charge", { amount: 5 });
      } catch (err) {
        caught = err;
        return "declined";
      }
      return "charged";
    });
    const failure = toFailure(
      ApplicationFailure.nonRetryable("card declined", "CardDeclined", { code: 42 }),
    );
    const history = new HistoryBuilder()
      .started("pay")
      .activityScheduled(1, "charge", { amount: 5 })
      .task()
      .activityFailed(1, failure, "NonRetryableFailure")
      .build();

    const runtime = await replay(wf, history);

    expect(caught).toBeInstanceOf(ActivityFailure);
    const err = caught as ActivityFailure;
    expect(err).toMatchObject({
      activityType: "charge",
      activityId: "1",
      retryState: "NonRetryableFailure",
    });
    expect(err.cause).toBeInstanceOf(ApplicationFailure);
    expect(err.cause).toMatchObject({
      message: "card declined",
      type: "CardDeclined",
      nonRetryable: true,
      details: { code: 42 },
    });
    expect(runtime.unmatched).toEqual([{ type: "CompleteWorkflow", result: '"declined"' }]);
  });

  it("keeps the retry state of an activity that exhausted its attempts", async () => {
    let caught: unknown;
    const wf = defineWorkflow("pay", async (ctx) => {
      await ctx.activity("charge").catch((err: unknown) => {
        caught = err;
      });
    });
    const history = new HistoryBuilder()
      .started("pay")
      .activityScheduled(1, "charge")
      .task()
      .activityFailed(
        1,
        toFailure(new ApplicationFailure("flaky", "Flaky")),
        "MaximumAttemptsReached",
      )
      .build();

    await replay(wf, history);

    expect(caught).toMatchObject({
      retryState: "MaximumAttemptsReached",
      cause: { type: "Flaky", nonRetryable: false },
    });
  });

  it("fails the workflow with ActivityFailure when the activity failure is not caught", async () => {
    const wf = defineWorkflow("pay", async (ctx) => {
      await ctx.activity("charge", { amount: 5 });
    });
    const history = new HistoryBuilder()
      .started("pay")
      .activityScheduled(1, "charge", { amount: 5 })
      .task()
      .activityFailed(
        1,
        toFailure(ApplicationFailure.nonRetryable("card declined", "CardDeclined", { code: 42 })),
      )
      .build();

    const runtime = await replay(wf, history);

    expect(runtime.unmatched).toHaveLength(1);
    const close = runtime.unmatched[0]!;
    expect(close.type).toBe("FailWorkflow");
    expect(close).toMatchObject({
      failure: {
        type: "ActivityFailure",
        source: "ActivityFailure",
        activityType: "charge",
        activityId: "1",
        retryState: "NonRetryableFailure",
        cause: {
          type: "CardDeclined",
          source: "ApplicationFailure",
          message: "card declined",
          nonRetryable: true,
          details: { code: 42 },
        },
      },
    });
    expect(runtime.closed).toBe(true);
  });

  it("surfaces a timed-out activity as ActivityFailure caused by a TimeoutFailure", async () => {
    let caught: unknown;
    const wf = defineWorkflow("slow", async (ctx) => {
      await ctx.activity("crunch").catch((err: unknown) => {
        caught = err;
      });
    });
    const history = new HistoryBuilder()
      .started("slow")
      .activityScheduled(1, "crunch")
      .task()
      .add("ActivityTaskTimedOut", {
        seq: 1,
        timeoutType: "ScheduleToClose",
        failure: toFailure(
          new TimeoutFailure("crunch timed out", "ScheduleToClose", { progress: 3 }),
        ),
        retryState: "Timeout",
        attempt: 2,
      })
      .build();

    await replay(wf, history);

    expect(caught).toBeInstanceOf(ActivityFailure);
    expect(caught).toMatchObject({ activityType: "crunch", retryState: "Timeout" });
    const cause = (caught as ActivityFailure).cause;
    expect(cause).toBeInstanceOf(TimeoutFailure);
    expect(cause).toMatchObject({
      timeoutType: "ScheduleToClose",
      lastHeartbeatDetails: { progress: 3 },
    });
  });

  it("drives a failing remote activity to a failed workflow", async () => {
    const result = await drive(greet, {
      input: "Ada",
      activities: {
        sayHello: () => {
          throw ApplicationFailure.nonRetryable("no greeting today", "Closed");
        },
      },
    });

    expect(eventTypes(result.history)).toEqual([
      "WorkflowExecutionStarted",
      "ActivityTaskScheduled",
      "ActivityTaskStarted",
      "ActivityTaskFailed",
      "WorkflowExecutionFailed",
    ]);
    expect(result.close).toMatchObject({
      type: "FailWorkflow",
      failure: { type: "ActivityFailure", cause: { type: "Closed", nonRetryable: true } },
    });
  });
});

describe("WorkflowRuntime timers", () => {
  const nap = defineWorkflow("nap", async (ctx) => {
    await ctx.sleep("1m");
    return "rested";
  });

  it("starts a timer with its duration in milliseconds", async () => {
    const runtime = await replay(nap, new HistoryBuilder().started("nap").build());

    expect(runtime.unmatched).toEqual([{ type: "StartTimer", seq: 1, durationMs: 60_000 }]);
  });

  it("resolves the sleep when the timer fires", async () => {
    const history = new HistoryBuilder()
      .started("nap")
      .timerStarted(1, 60_000)
      .task(T0 + 60_000)
      .timerFired(1)
      .build();

    const runtime = await replay(nap, history);

    expect(runtime.unmatched).toEqual([{ type: "CompleteWorkflow", result: '"rested"' }]);
  });

  it("waits while the timer has not fired", async () => {
    const history = new HistoryBuilder().started("nap").timerStarted(1, 60_000).build();

    const runtime = await replay(nap, history);

    expect(runtime.unmatched).toEqual([]);
    expect(runtime.closed).toBe(false);
  });

  it("starts a timer of at least 1ms for a zero duration", async () => {
    const wf = defineWorkflow("yield", async (ctx) => {
      await ctx.sleep(0);
    });

    const runtime = await replay(wf, new HistoryBuilder().started("yield").build());

    expect(runtime.unmatched).toEqual([{ type: "StartTimer", seq: 1, durationMs: 1 }]);
  });

  it("waits for every timer of a Promise.all", async () => {
    const wf = defineWorkflow("fanout", async (ctx) => {
      await Promise.all([ctx.sleep("1s"), ctx.sleep("2s"), ctx.sleep("3s")]);
      return ctx.now();
    });
    const builder = new HistoryBuilder()
      .started("fanout")
      .timerStarted(1, 1000)
      .timerStarted(2, 2000)
      .timerStarted(3, 3000);

    const started = await replay(wf, new HistoryBuilder().started("fanout").build());
    expect(started.unmatched).toEqual([
      { type: "StartTimer", seq: 1, durationMs: 1000 },
      { type: "StartTimer", seq: 2, durationMs: 2000 },
      { type: "StartTimer", seq: 3, durationMs: 3000 },
    ]);

    builder
      .task(T0 + 1000)
      .timerFired(1)
      .task(T0 + 2000)
      .timerFired(2);
    const twoFired = await replay(wf, builder.build());
    expect(twoFired.unmatched).toEqual([]);

    builder.task(T0 + 3000).timerFired(3);
    const allFired = await replay(wf, builder.build());
    expect(allFired.unmatched).toEqual([{ type: "CompleteWorkflow", result: String(T0 + 3000) }]);
  });

  it("drives a Promise.all of timers one firing per task", async () => {
    const wf = defineWorkflow("fanout", async (ctx) => {
      await Promise.all([ctx.sleep("3s"), ctx.sleep("1s"), ctx.sleep("2s")]);
      return ctx.now();
    });

    const result = await drive(wf);

    expect(result.commandsByTask).toEqual([
      [
        { type: "StartTimer", seq: 1, durationMs: 3000 },
        { type: "StartTimer", seq: 2, durationMs: 1000 },
        { type: "StartTimer", seq: 3, durationMs: 2000 },
      ],
      [],
      [],
      [{ type: "CompleteWorkflow", result: String(T0 + 3000) }],
    ]);
    expect(tasksOf(result.history).map((task) => task.map((e) => e.eventType))).toEqual([
      ["WorkflowExecutionStarted", "TimerStarted", "TimerStarted", "TimerStarted"],
      ["TimerFired"],
      ["TimerFired"],
      ["TimerFired", "WorkflowExecutionCompleted"],
    ]);
  });

  it("delivers timers fired in the same task together", async () => {
    const wf = defineWorkflow("together", async (ctx) => {
      await Promise.all([ctx.sleep("1s"), ctx.sleep("1s")]);
      return "both";
    });

    const result = await drive(wf);

    expect(tasksOf(result.history).map((task) => task.map((e) => e.eventType))).toEqual([
      ["WorkflowExecutionStarted", "TimerStarted", "TimerStarted"],
      ["TimerFired", "TimerFired", "WorkflowExecutionCompleted"],
    ]);
  });
});

describe("WorkflowRuntime local activities", () => {
  const convert = defineWorkflow("convert", async (ctx, amount: number) => {
    const eur = await ctx.localActivity<number>("rate", "EUR");
    const usd = await ctx.localActivity<number>("rate", "USD");
    return { eur: amount * eur, usd: amount * usd };
  });

  it("issues a local activity as a RunLocalActivity command with its resolved options", async () => {
    const runtime = await replay(convert, new HistoryBuilder().started("convert", 10).build());

    expect(runtime.unmatched).toEqual([
      {
        type: "RunLocalActivity",
        seq: 1,
        activityType: "rate",
        input: '"EUR"',
        startToCloseTimeoutMs: 30_000,
        retry: resolveRetryPolicy({ maximumAttempts: 3, initialInterval: 100 }),
      },
    ]);
  });

  it("records local activities as markers in the task that ran them", async () => {
    const rate = vi.fn(async (currency: string) => (currency === "EUR" ? 2 : 3));

    const result = await drive(convert, { input: 10, localActivities: { rate } });

    expect(rate).toHaveBeenCalledTimes(2);
    expect(eventTypes(result.history)).toEqual([
      "WorkflowExecutionStarted",
      "MarkerRecorded",
      "MarkerRecorded",
      "WorkflowExecutionCompleted",
    ]);
    expect(new Set(result.history.map((e) => e.taskId))).toEqual(new Set([1]));
    expect(result.history[1]!.attributes).toEqual({
      seq: 1,
      markerName: "LocalActivity",
      activityType: "rate",
      attempt: 1,
      result: "2",
    });
    expect(result.close).toEqual({ type: "CompleteWorkflow", result: '{"eur":20,"usd":30}' });
  });

  it("replays markers without running the local activities again", async () => {
    const rate = vi.fn(async (currency: string) => (currency === "EUR" ? 2 : 3));
    const { history } = await drive(convert, { input: 10, localActivities: { rate } });
    rate.mockClear();

    const runtime = await replay(convert, history);
    const withoutClose = await replay(convert, history.slice(0, -1));

    expect(rate).not.toHaveBeenCalled();
    expect(runtime.unmatched).toEqual([]);
    expect(withoutClose.unmatched).toEqual([
      { type: "CompleteWorkflow", result: '{"eur":20,"usd":30}' },
    ]);
  });

  it("resumes workflow code with the result recorded in a marker", async () => {
    const history = new HistoryBuilder()
      .started("convert", 10)
      .marker(1, "rate", { result: 7 })
      .build();

    const runtime = await replay(convert, history);

    expect(runtime.unmatched).toMatchObject([{ type: "RunLocalActivity", seq: 2, input: '"USD"' }]);
  });

  it("surfaces a failure recorded in a marker as ActivityFailure", async () => {
    let caught: unknown;
    const wf = defineWorkflow("lookup", async (ctx) => {
      await ctx.localActivity("rate", "XXX").catch((err: unknown) => {
        caught = err;
      });
    });
    const history = new HistoryBuilder()
      .started("lookup")
      .marker(1, "rate", {
        failure: toFailure(ApplicationFailure.nonRetryable("unknown currency", "BadCurrency")),
      })
      .build();

    const runtime = await replay(wf, history);

    expect(caught).toBeInstanceOf(ActivityFailure);
    expect(caught).toMatchObject({ activityType: "rate", activityId: "1" });
    expect((caught as ActivityFailure).cause).toMatchObject({
      type: "BadCurrency",
      nonRetryable: true,
    });
    expect(runtime.unmatched).toEqual([{ type: "CompleteWorkflow", result: "null" }]);
  });

  it("records a local activity that keeps failing as a marker with its failure", async () => {
    const wf = defineWorkflow("lookup", async (ctx) => {
      return ctx.localActivity("rate", "XXX", {
        retry: { maximumAttempts: 2, initialInterval: 1 },
      });
    });
    const rate = vi.fn(async () => {
      throw new RangeError("unknown currency");
    });

    const result = await drive(wf, { localActivities: { rate } });

    expect(rate).toHaveBeenCalledTimes(2);
    expect(result.history[1]!.attributes).toMatchObject({
      seq: 1,
      attempt: 2,
      failure: { type: "RangeError", message: "unknown currency" },
    });
    expect(result.close).toMatchObject({
      type: "FailWorkflow",
      failure: { type: "ActivityFailure", cause: { type: "RangeError" } },
    });
  });

  it("resolves a marker only once every command of its drain is matched", async () => {
    const order: string[] = [];
    const wf = defineWorkflow("mixed", async (ctx) => {
      const local = ctx.localActivity<number>("rate", "EUR").then((r) => {
        order.push("local");
        return r;
      });
      const remote = ctx.activity("notify");
      await local;
      await ctx.sleep("1s");
      await remote;
    });
    const builder = new HistoryBuilder()
      .started("mixed")
      .marker(1, "rate", { result: 2 })
      .activityScheduled(2, "notify");

    const runtime = new WorkflowRuntime(wf, runtimeInfo(builder.build()));
    const [started, marker, scheduled] = builder.build();
    await runtime.applyTask([started!, marker!]);
    expect(order).toEqual([]);
    expect(runtime.unmatched).toMatchObject([{ type: "ScheduleActivity", seq: 2 }]);

    await runtime.applyTask([scheduled!]);
    expect(order).toEqual(["local"]);
    expect(runtime.unmatched).toEqual([{ type: "StartTimer", seq: 3, durationMs: 1000 }]);
  });
});

/** A workflow mixing everything: activities, local activities, timers, time, randomness. */
const orderWorkflow = defineWorkflow("order", async (ctx, input: { item: string; qty: number }) => {
  const orderId = ctx.uuid();
  const price = await ctx.localActivity<number>("quote", input.item);
  const reservation = await ctx.activity<string>("reserve", { orderId, qty: input.qty });
  const reservedAt = ctx.now();
  await ctx.sleep("1h");
  const [charged, audit] = await Promise.all([
    ctx.activity<number>("charge", { orderId, amount: price * input.qty }),
    ctx.localActivity<string>("audit", { orderId }),
  ]);
  const jitterMs = Math.floor(ctx.random() * 1000);
  await Promise.all([ctx.sleep(1000 + jitterMs), ctx.activity("ship", { orderId })]);
  let refunded = false;
  try {
    await ctx.activity("loyalty", { orderId });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    refunded = (await ctx.localActivity<boolean>("refundPoints", { orderId })) === true;
  }
  return { orderId, price, reservation, reservedAt, charged, audit, refunded, doneAt: ctx.now() };
});

const orderActivities = {
  reserve: (input: unknown) => `res-${(input as { qty: number }).qty}`,
  charge: (input: unknown) => (input as { amount: number }).amount,
  ship: () => null,
  loyalty: () => {
    throw ApplicationFailure.nonRetryable("program closed", "LoyaltyClosed");
  },
};

function orderLocals() {
  return {
    quote: vi.fn(async (item: string) => (item === "book" ? 12 : 1)),
    audit: vi.fn(async () => "audited"),
    refundPoints: vi.fn(async () => true),
  };
}

describe("WorkflowRuntime warm and cold", () => {
  it("produces the same history and result warm and cold", async () => {
    const input = { item: "book", qty: 3 };
    const warmLocals = orderLocals();
    const coldLocals = orderLocals();

    const warm = await drive(orderWorkflow, {
      input,
      activities: orderActivities,
      localActivities: warmLocals,
    });
    const cold = await drive(orderWorkflow, {
      input,
      activities: orderActivities,
      localActivities: coldLocals,
      mode: "cold",
    });

    expect(warm.close?.type).toBe("CompleteWorkflow");
    expect(cold.history).toEqual(warm.history);
    expect(cold.commands).toEqual(warm.commands);
    expect(cold.close).toEqual(warm.close);
    for (const name of ["quote", "audit", "refundPoints"] as const) {
      expect(warmLocals[name]).toHaveBeenCalledTimes(1);
      expect(coldLocals[name]).toHaveBeenCalledTimes(1);
    }
  });

  it("replays the warm history cold with no new commands and the same close command", async () => {
    const locals = orderLocals();
    const warm = await drive(orderWorkflow, {
      input: { item: "book", qty: 3 },
      activities: orderActivities,
      localActivities: locals,
    });
    const last = warm.history.at(-1)!;
    expect(last.eventType).toBe("WorkflowExecutionCompleted");

    const full = await replay(orderWorkflow, warm.history);
    const beforeClose = await replay(orderWorkflow, warm.history.slice(0, -1));

    expect(full.unmatched).toEqual([]);
    expect(full.closed).toBe(true);
    expect(beforeClose.unmatched).toEqual([warm.close]);
    expect(
      JSON.parse((warm.close as Extract<Command, { type: "CompleteWorkflow" }>).result),
    ).toMatchObject({
      price: 12,
      reservation: "res-3",
      reservedAt: T0 + 1000,
      charged: 36,
      audit: "audited",
      refunded: true,
    });
    for (const fn of Object.values(locals)) expect(fn).toHaveBeenCalledTimes(1);
  });

  it("leaves nothing unmatched at the end of any recorded task", async () => {
    const warm = await drive(orderWorkflow, {
      input: { item: "pen", qty: 1 },
      activities: orderActivities,
      localActivities: orderLocals(),
    });
    const tasks = tasksOf(warm.history);
    expect(tasks.length).toBeGreaterThan(4);

    for (let i = 1; i <= tasks.length; i++) {
      const prefix = tasks.slice(0, i).flat();
      const runtime = await replay(orderWorkflow, prefix);
      expect(runtime.unmatched, `after task ${i}`).toEqual([]);
    }
  });

  it("produces the same history warm and cold when local activities spill into the next task", async () => {
    const wf = defineWorkflow("steps", async (ctx) => {
      const seen: number[] = [];
      for (let i = 0; i < 5; i++) {
        await ctx.localActivity("step", i);
        seen.push(ctx.now());
      }
      return seen;
    });
    const step = async (i: number) => i;

    const warm = await drive(wf, { localActivities: { step }, localActivitiesPerTask: 2 });
    const cold = await drive(wf, {
      localActivities: { step },
      localActivitiesPerTask: 2,
      mode: "cold",
    });

    expect(tasksOf(warm.history).map((task) => task.map((e) => e.eventType))).toEqual([
      ["WorkflowExecutionStarted", "MarkerRecorded", "MarkerRecorded"],
      ["MarkerRecorded", "MarkerRecorded"],
      ["MarkerRecorded", "WorkflowExecutionCompleted"],
    ]);
    expect(warm.close).toEqual({
      type: "CompleteWorkflow",
      result: JSON.stringify([T0, T0, T0 + 1, T0 + 1, T0 + 2]),
    });
    expect(cold.history).toEqual(warm.history);
    const afterFirstTask = await replay(wf, tasksOf(warm.history)[0]!);
    expect(afterFirstTask.unmatched).toMatchObject([{ type: "RunLocalActivity", seq: 3 }]);
  });

  it("replays a task that failed and was retried in a later task", async () => {
    const history = new HistoryBuilder()
      .started("greet", "Ada")
      .add("WorkflowTaskFailed", {
        cause: "WorkflowError",
        failure: { message: "Workflow code threw Error: flaky", type: "WorkflowTaskError" },
      })
      .task()
      .activityScheduled(1, "sayHello", "Ada")
      .build();

    const runtime = await replay(greet, history);

    expect(runtime.unmatched).toEqual([]);
  });
});

describe("WorkflowRuntime non-determinism", () => {
  const recordedCharge = () =>
    new HistoryBuilder().started("pay").activityScheduled(1, "charge", { amount: 5 }).build();

  it("throws NonDeterminismError when a recorded activity is replaced by a timer", async () => {
    const changed = defineWorkflow("pay", async (ctx) => {
      await ctx.sleep("1m");
    });

    const err = await replayError(changed, recordedCharge());

    expect(err).toBeInstanceOf(NonDeterminismError);
    expect((err as Error).message).toContain("#2 ActivityTaskScheduled(seq 1, charge)");
    expect((err as Error).message).toContain("StartTimer(seq 1)");
  });

  it("throws NonDeterminismError when the activity type changes", async () => {
    const changed = defineWorkflow("pay", async (ctx) => {
      await ctx.activity("chargeV2", { amount: 5 });
    });

    const err = await replayError(changed, recordedCharge());

    expect(err).toBeInstanceOf(NonDeterminismError);
    expect((err as Error).message).toContain("ScheduleActivity(seq 1, chargeV2)");
  });

  it("throws NonDeterminismError when history has a command the code no longer issues", async () => {
    const history = new HistoryBuilder()
      .started("pay")
      .activityScheduled(1, "charge")
      .activityScheduled(2, "notify")
      .build();
    const changed = defineWorkflow("pay", async (ctx) => {
      await ctx.activity("charge");
    });

    const err = await replayError(changed, history);

    expect(err).toBeInstanceOf(NonDeterminismError);
    expect((err as Error).message).toMatch(
      /#3 ActivityTaskScheduled\(seq 2, notify\) but the workflow code issued no command/,
    );
  });

  it("throws NonDeterminismError when a recorded local activity is no longer run", async () => {
    const history = new HistoryBuilder()
      .started("convert", 1)
      .marker(1, "rate", { result: 2 })
      .build();
    const changed = defineWorkflow("convert", async (ctx) => {
      await ctx.activity("rate", "EUR");
    });

    await expect(replay(changed, history)).rejects.toThrow(NonDeterminismError);
  });

  it("throws NonDeterminismError when the code completes where history scheduled more work", async () => {
    const changed = defineWorkflow("pay", async () => "done early");

    await expect(replay(changed, recordedCharge())).rejects.toThrow(NonDeterminismError);
  });

  it("accepts an activity whose input changed (only type and seq are matched)", async () => {
    const changed = defineWorkflow("pay", async (ctx) => {
      await ctx.activity("charge", { amount: 6 });
    });

    const runtime = await replay(changed, recordedCharge());

    expect(runtime.unmatched).toEqual([]);
  });
});

describe("WorkflowRuntime workflow failures", () => {
  it("throws WorkflowTaskError, not a FailWorkflow command, for a plain Error", async () => {
    const buggy = defineWorkflow("buggy", async () => {
      throw new TypeError("cannot read x of undefined");
    });
    const history = new HistoryBuilder().started("buggy").build();
    const runtime = new WorkflowRuntime(buggy, runtimeInfo(history));

    const err = await runtime.applyTask(history).then(
      () => expect.fail("applyTask succeeded"),
      (e: unknown) => e,
    );

    expect(err).toBeInstanceOf(WorkflowTaskError);
    expect((err as Error).message).toBe(
      "Workflow code threw TypeError: cannot read x of undefined",
    );
    expect((err as Error).cause).toBeInstanceOf(TypeError);
    expect(runtime.unmatched).toEqual([]);
    expect(runtime.closed).toBe(false);
  });

  it("throws WorkflowTaskError for a plain Error thrown after an activity completes", async () => {
    const buggy = defineWorkflow("buggy", async (ctx) => {
      const result = await ctx.activity<{ ok: boolean }>("check");
      if (result.ok) throw new Error("unexpected ok");
    });
    const history = new HistoryBuilder()
      .started("buggy")
      .activityScheduled(1, "check")
      .task()
      .activityCompleted(1, { ok: true })
      .build();

    await expect(replay(buggy, history)).rejects.toThrow(WorkflowTaskError);
  });

  it("throws WorkflowTaskError for a thrown non-Error value", async () => {
    const buggy = defineWorkflow("buggy", async () => {
      throw "just a string";
    });

    await expect(replay(buggy, new HistoryBuilder().started("buggy").build())).rejects.toThrow(
      "Workflow code threw just a string",
    );
  });

  it("throws WorkflowTaskError for an invalid duration", async () => {
    const buggy = defineWorkflow("buggy", async (ctx) => {
      await ctx.sleep("soon");
    });

    await expect(replay(buggy, new HistoryBuilder().started("buggy").build())).rejects.toThrow(
      /Workflow code threw DurationError: Invalid duration "soon"/,
    );
  });

  // The workflow returns a Promise subclass so the test can observe a rejection the runtime
  // might leak (it must turn the serialization error into a WorkflowTaskError instead).
  it("throws WorkflowTaskError for a result that cannot be serialized", async () => {
    const leaked: unknown[] = [];
    class Observed<T> extends Promise<T> {
      static override get [Symbol.species]() {
        return Promise;
      }
      // biome-ignore lint/suspicious/noThenProperty: observes the derived promise of the runtime
      override then<A = T, B = never>(
        onFulfilled?: ((value: T) => A | PromiseLike<A>) | null,
        onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
      ): Promise<A | B> {
        const derived = super.then(onFulfilled, onRejected);
        derived.catch((err: unknown) => leaked.push(err));
        return derived;
      }
    }
    const wf = defineWorkflow(
      "bigint",
      () => new Observed<{ n: bigint }>((resolve) => resolve({ n: 10n })),
    );
    const history = new HistoryBuilder().started("bigint").build();
    const runtime = new WorkflowRuntime(wf, runtimeInfo(history));

    const outcome = await runtime.applyTask(history).then(
      () => ({ unmatched: [...runtime.unmatched], closed: runtime.closed, leaked }),
      (err: unknown) => err,
    );

    expect(outcome).toBeInstanceOf(WorkflowTaskError);
    expect((outcome as Error).message).toMatch(/BigInt/);
    // No promise derived from the workflow's result rejected unobserved.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(leaked).toEqual([]);
  });

  it("issues FailWorkflow for a thrown ApplicationFailure", async () => {
    const wf = defineWorkflow("validate", async (_ctx, input: { qty: number }) => {
      if (input.qty <= 0)
        throw ApplicationFailure.nonRetryable("qty must be positive", "InvalidOrder", input);
      return "ok";
    });

    const runtime = await replay(wf, new HistoryBuilder().started("validate", { qty: 0 }).build());

    expect(runtime.unmatched).toHaveLength(1);
    expect(runtime.unmatched[0]).toMatchObject({
      type: "FailWorkflow",
      failure: {
        message: "qty must be positive",
        type: "InvalidOrder",
        source: "ApplicationFailure",
        nonRetryable: true,
        details: { qty: 0 },
      },
    });
    expect(runtime.closed).toBe(true);
  });

  it("completes with null for a workflow returning undefined", async () => {
    const wf = defineWorkflow("void", async () => undefined);

    const runtime = await replay(wf, new HistoryBuilder().started("void").build());

    expect(runtime.unmatched).toEqual([{ type: "CompleteWorkflow", result: "null" }]);
  });
});

describe("WorkflowRuntime deterministic context", () => {
  const clock = defineWorkflow("clock", async (ctx) => {
    const seen = [ctx.now()];
    await ctx.sleep("1m");
    seen.push(ctx.now());
    await ctx.localActivity("noop");
    seen.push(ctx.now());
    await ctx.activity("work");
    seen.push(ctx.now());
    return { seen, startTime: ctx.info.startTime.getTime() };
  });

  it("returns the timestamp of the task being processed from ctx.now()", async () => {
    const warm = await drive(clock, {
      startTimeMs: T0,
      activityDurationMs: 5000,
      activities: { work: () => null },
      localActivities: { noop: async () => null },
    });

    expect(warm.close).toEqual({
      type: "CompleteWorkflow",
      result: JSON.stringify({ seen: [T0, T0 + 60_000, T0 + 60_000, T0 + 65_000], startTime: T0 }),
    });
    const replayed = await replay(clock, warm.history.slice(0, -1));
    expect(replayed.unmatched).toEqual([warm.close]);
  });

  it("uses the recorded timestamp, not the timer's due time", async () => {
    const wf = defineWorkflow("late", async (ctx) => {
      await ctx.sleep("1m");
      return ctx.now();
    });
    const history = new HistoryBuilder()
      .started("late")
      .timerStarted(1, 60_000)
      .task(T0 + 90_000)
      .timerFired(1)
      .build();

    const runtime = await replay(wf, history);

    expect(runtime.unmatched).toEqual([{ type: "CompleteWorkflow", result: String(T0 + 90_000) }]);
  });

  it("exposes the execution's info", async () => {
    let seen: WorkflowContext["info"] | undefined;
    const wf = defineWorkflow("info", async (ctx) => {
      seen = ctx.info;
    });

    await replay(
      wf,
      new HistoryBuilder(T0 + 5).started("info", null, { attempt: 3, taskQueue: "q" }).build(),
    );

    expect(seen).toEqual({
      namespace: "default",
      workflowId: "wf-1",
      runId: "run-1",
      workflowType: "info",
      taskQueue: "q",
      attempt: 3,
      startTime: new Date(T0 + 5),
    });
  });

  const dice = defineWorkflow("dice", async (ctx) => {
    const before = [ctx.random(), ctx.random(), ctx.uuid()];
    await ctx.sleep("1s");
    const after = [ctx.random(), ctx.uuid()];
    return { before, after };
  });

  it("returns the same ctx.random() and ctx.uuid() values on replay", async () => {
    const warm = await drive(dice, { randomSeed: 1234 });
    const replayed = await replay(dice, warm.history.slice(0, -1));

    expect(replayed.unmatched).toEqual([warm.close]);
    const result = JSON.parse(
      (warm.close as Extract<Command, { type: "CompleteWorkflow" }>).result,
    ) as {
      before: [number, number, string];
      after: [number, string];
    };
    for (const r of [result.before[0], result.before[1], result.after[0]]) {
      expect(r).toBeGreaterThanOrEqual(0);
      expect(r).toBeLessThan(1);
    }
    expect(result.before[0]).not.toBe(result.before[1]);
    expect(result.before[2]).toMatch(UUID_V4);
    expect(result.after[1]).toMatch(UUID_V4);
    expect(result.after[1]).not.toBe(result.before[2]);
  });

  const platformDice = defineWorkflow("platformDice", async () => {
    const before = [Math.random(), Date.now(), new Date().toISOString(), crypto.randomUUID()];
    // setTimeout in workflow code is a durable timer (1 ms at least, as in Temporal); awaits keep the context
    await new Promise((resolve) => setTimeout(resolve, 0));
    const mid = [Math.random(), Date.now()];
    return { before, mid };
  });

  it("makes Math.random, Date.now, new Date and crypto.randomUUID deterministic inside workflow code", async () => {
    const a = await drive(platformDice, { randomSeed: 1234 });
    const b = await drive(platformDice, { randomSeed: 1234, mode: "cold" });
    const c = await drive(platformDice, { randomSeed: 99 });
    const parse = (close: typeof a.close) =>
      JSON.parse((close as Extract<Command, { type: "CompleteWorkflow" }>).result) as {
        before: [number, number, string, string];
        mid: [number, number];
      };
    const ra = parse(a.close);
    expect(parse(b.close)).toEqual(ra);
    expect(parse(c.close).before[0]).not.toBe(ra.before[0]);
    const startedAt = a.history[0]?.timestampMs;
    expect(ra.before[1]).toBe(startedAt);
    expect(ra.before[2]).toBe(new Date(startedAt ?? 0).toISOString());
    expect(ra.before[3]).toMatch(UUID_V4);
    expect(ra.mid[1]).toBe((startedAt ?? 0) + 1);
    // Outside workflow code they are the platform's own: the history's clock starts in 2025 (T0),
    // the real one is far later, so a leaked patch would show here.
    expect(Date.now() - (startedAt ?? 0)).toBeGreaterThan(30 * 86_400_000);
    expect(Date.now() - (startedAt ?? 0)).toBeGreaterThan(30 * 86_400_000);
  });

  it("returns different ctx.random() and ctx.uuid() values with a different randomSeed", async () => {
    const a = await drive(dice, { randomSeed: 1234 });
    const b = await drive(dice, { randomSeed: 1235 });

    const parse = (close: typeof a.close) =>
      JSON.parse((close as Extract<Command, { type: "CompleteWorkflow" }>).result) as {
        before: [number, number, string];
        after: [number, string];
      };
    const ra = parse(a.close);
    const rb = parse(b.close);
    expect(rb.before[0]).not.toBe(ra.before[0]);
    expect(rb.before[1]).not.toBe(ra.before[1]);
    expect(rb.before[2]).not.toBe(ra.before[2]);
    expect(rb.after[1]).not.toBe(ra.after[1]);
  });
});

describe("WorkflowRuntime after close", () => {
  it("does not issue commands once the workflow closed", async () => {
    let late: Promise<unknown> | undefined;
    const wf = defineWorkflow("dangling", async (ctx) => {
      void (async () => {
        for (let i = 0; i < 10; i++) await null;
        late = Promise.race([ctx.activity("late"), ctx.sleep("1s"), ctx.localActivity("late")]);
      })();
      return "done";
    });

    const runtime = await replay(wf, new HistoryBuilder().started("dangling").build());

    expect(late).toBeInstanceOf(Promise);
    expect(runtime.unmatched).toEqual([{ type: "CompleteWorkflow", result: '"done"' }]);
  });

  it("keeps commands issued before the close, in order, with the close last", async () => {
    const wf = defineWorkflow("fireAndForget", async (ctx) => {
      void ctx.activity("notify");
      return "done";
    });

    const result = await drive(wf, { activities: { notify: () => null } });

    expect(result.commands.map((c) => c.type)).toEqual(["ScheduleActivity", "CompleteWorkflow"]);
    expect(eventTypes(result.history)).toEqual([
      "WorkflowExecutionStarted",
      "ActivityTaskScheduled",
      "WorkflowExecutionCompleted",
    ]);
  });
});
