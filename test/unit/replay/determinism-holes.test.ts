/**
 * @module Issue 9 items 8 and 10 in the pure runtime: every hole that made a warm run and its cold
 * replay (after an eviction) disagree, or that failed everyday Temporal code, driven warm and cold
 * and compared.
 */
import { describe, expect, it } from "vitest";
import { checkHandlerName, handlerNameProblem } from "../../../sdk/common/handler-name";
import {
  defineQuery,
  defineSignal,
  defineUpdate,
  defineWorkflow,
  type WorkflowContext,
} from "../../../sdk/workflow/index";
import { handlerNameSchema } from "../../../src/api/schemas";
import type { AnyWorkflow } from "../../../src/config";
import { type HistoryEvent, type NewEvent, newEvent } from "../../../src/history/events";
import { type Command, commandEvent } from "../../../src/replay/commands";
import {
  DeterminismViolation,
  WorkflowRuntime,
  WorkflowTaskError,
} from "../../../src/replay/runtime";
import { drive, replay, runtimeInfo, startedAttributes, T0 } from "../helpers/history-builder";

type Close = Extract<Command, { type: "CompleteWorkflow" }>;

/** The value a driven workflow completed with. */
function resultOf(close: Command | undefined): unknown {
  expect(close?.type).toBe("CompleteWorkflow");
  return JSON.parse((close as Close).result);
}

/** Drives `def` warm and cold (replay before every task); both must record the same history. */
async function warmAndCold(def: AnyWorkflow, input?: unknown) {
  const warm = await drive(def, { input });
  const cold = await drive(def, { input, mode: "cold" });
  expect(cold.history).toEqual(warm.history);
  return warm;
}

/** Plays the engine task by task (as messages.test.ts's Session), letting a test act between tasks. */
class Session {
  readonly history: HistoryEvent[] = [];
  runtime!: WorkflowRuntime;
  #taskId = 0;
  #now = T0;
  constructor(readonly definition: AnyWorkflow) {}

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
      if (issued.some((c) => c.type === "CompleteWorkflow")) break;
    }
    return recorded;
  }
}

function started(workflowType: string, input?: unknown): NewEvent {
  const attributes = startedAttributes(workflowType);
  if (input === undefined) delete attributes.input;
  else attributes.input = JSON.stringify(input);
  return newEvent("WorkflowExecutionStarted", attributes);
}

describe("item 8: predicates run in the workflow context", () => {
  const deadline = defineWorkflow("deadline", async (ctx) => {
    const until = Date.now() + 10_000;
    void ctx.sleep("10s"); // the event that wakes the predicate up
    await ctx.condition(() => Date.now() >= until);
    return ctx.now() - ctx.info.startTime.getTime();
  });

  it("a predicate reading Date.now() sees workflow time, warm and cold", async () => {
    const warm = await warmAndCold(deadline);
    // Before: the predicate saw the real clock (years after T0) and held at once.
    expect(resultOf(warm.close)).toBe(10_000);
    expect(warm.history.map((e) => e.eventType)).toContain("TimerFired");
  });
});

describe("item 8: queries and validators do not advance the run's generator", () => {
  const roll = defineQuery<number>("roll");
  const pick = defineUpdate<string, string>("pick");
  const dice = defineWorkflow("dice", async (ctx) => {
    ctx.setHandler(roll, () => ctx.random() + Math.random());
    ctx.setHandler(pick, (x) => x, {
      validator: () => {
        ctx.uuid();
        crypto.randomUUID();
      },
    });
    await ctx.sleep("1s");
    return [ctx.random(), Math.random(), ctx.uuid()];
  });

  it("the result is the same with or without queries and validations between tasks", async () => {
    const quiet = new Session(dice);
    await quiet.task([started("dice")]);
    await quiet.task([newEvent("TimerFired", { seq: 1, timerId: "1" })]);

    const busy = new Session(dice);
    await busy.task([started("dice")]);
    const answers = [busy.runtime.query("roll", undefined), busy.runtime.query("roll", undefined)];
    busy.runtime.validateUpdate("pick", "a");
    await busy.task([newEvent("TimerFired", { seq: 1, timerId: "1" })]);

    expect(busy.history).toEqual(quiet.history);
    // A query draws from a throwaway fork: deterministic (the same warm and cold), and repeatable.
    expect(answers[0]).toBe(answers[1]);
    const cold = await replay(dice, quiet.history.slice(0, 2));
    expect(cold.query("roll", undefined)).toBe(answers[0]);
  });
});

describe("item 8: the remaining globals are deterministic", () => {
  const globals = defineWorkflow("globals", async (ctx) => {
    const bytes = crypto.getRandomValues(new Uint8Array(8));
    const first = [Date(), performance.now(), [...bytes]];
    await ctx.sleep("1s");
    return [...first, Date(), performance.now()];
  });

  it("Date(), performance.now() and crypto.getRandomValues agree warm and cold", async () => {
    const warm = await warmAndCold(globals);
    const [d0, p0, bytes, d1, p1] = resultOf(warm.close) as [
      string,
      number,
      number[],
      string,
      number,
    ];
    expect(d0).toBe(new Date(T0).toString());
    expect(d1).toBe(new Date(T0 + 1000).toString());
    expect([p0, p1]).toEqual([0, 1000]);
    expect(bytes).toHaveLength(8);
    const again = await drive(globals);
    expect(resultOf(again.close)).toEqual(resultOf(warm.close));
    // Outside workflow code they are the platform's own.
    expect(Date()).not.toBe(d0);
  });
});

describe("item 8: setTimeout and setInterval are durable timers", () => {
  const timers = defineWorkflow("timers", async (ctx) => {
    await new Promise((resolve) => setTimeout(resolve, 5000));
    let cleared = false;
    const handle = setTimeout(() => {
      cleared = true;
    }, 1000);
    clearTimeout(handle);
    let ticks = 0;
    const interval = setInterval(() => {
      ticks += 1;
      if (ticks === 3) clearInterval(interval);
    }, 2000);
    await ctx.condition(() => ticks === 3);
    await ctx.sleep(10_000); // a cleared interval fires no more
    return { at: ctx.now() - T0, cleared, ticks };
  });

  it("records TimerStarted/TimerCanceled, fires the callbacks at workflow time, warm and cold", async () => {
    const warm = await warmAndCold(timers);
    expect(resultOf(warm.close)).toEqual({ at: 5000 + 6000 + 10_000, cleared: false, ticks: 3 });
    const starts = warm.commands.filter((c) => c.type === "StartTimer");
    expect(starts.map((c) => (c as { durationMs: number }).durationMs)).toEqual([
      5000, 1000, 2000, 2000, 2000, 10_000,
    ]);
    expect(warm.commands).toContainEqual({ type: "CancelTimer", seq: 2 });
  });
});

describe("item 8: awaiting a promise the runtime did not create fails the task, naming the cause", () => {
  const fetcher = defineWorkflow("fetcher", async () => {
    try {
      await fetch("https://example.com/");
    } catch {
      // catching it does not help: the task fails anyway
    }
    return "fetched";
  });

  it("fetch() fails the workflow task at once, warm and cold", async () => {
    for (const mode of ["warm", "cold"] as const) {
      const err = await drive(fetcher, { mode }).then(
        () => expect.fail("the task succeeded"),
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WorkflowTaskError);
      const cause = (err as WorkflowTaskError).cause;
      expect(cause).toBeInstanceOf(DeterminismViolation);
      expect((cause as Error).message).toMatch(/fetch\(\)/);
    }
  });

  it("code resuming after a foreign promise is caught between tasks and the engine is asked to run one", async () => {
    let release!: () => void;
    const foreign = new Promise<void>((resolve) => {
      release = resolve;
    });
    const waits = defineWorkflow("waits", async (ctx) => {
      await foreign;
      await ctx.sleep("1s");
      return "done";
    });
    let wakes = 0;
    const first = [
      { ...started("waits"), eventId: 1, taskId: 1, timestampMs: T0 },
    ] as HistoryEvent[];
    const runtime = new WorkflowRuntime(waits, {
      ...runtimeInfo(first),
      onStrayResume: () => {
        wakes += 1;
      },
    });
    await runtime.applyTask(first);
    expect(runtime.unmatched).toEqual([]);
    release();
    await foreign;
    await new Promise((resolve) => setTimeout(resolve, 0)); // outside workflow code: a real timer
    // Before: the StartTimer sat unrecorded until some unrelated event arrived.
    expect(wakes).toBe(1);
    const err = await runtime.applyTask([]).then(
      () => expect.fail("the task succeeded"),
      (e: unknown) => e,
    );
    expect((err as WorkflowTaskError).cause).toBeInstanceOf(DeterminismViolation);
    expect(((err as WorkflowTaskError).cause as Error).message).toMatch(
      /awaited a promise the runtime did not create/,
    );
  });
});

describe("item 10: durations of zero or less mean as soon as possible", () => {
  const eager = defineWorkflow("eager", async (ctx) => {
    await ctx.sleep(0);
    await ctx.sleep(-5);
    const ok = await ctx.condition(() => false, T0 - ctx.now() - 60_000);
    await ctx.sleep("0s");
    return ok;
  });

  it("sleep(0), sleep(-5), condition(fn, negative) and sleep('0s') are 1 ms timers", async () => {
    const warm = await warmAndCold(eager);
    expect(resultOf(warm.close)).toBe(false);
    const starts = warm.commands.filter((c) => c.type === "StartTimer");
    expect(starts.map((c) => (c as { durationMs: number }).durationMs)).toEqual([1, 1, 1, 1]);
  });
});

describe("item 10: handler names are any non-empty string up to 256 characters", () => {
  it("one rule for the SDK and the API", () => {
    const ok = [
      "9lives",
      "a b",
      "ünïcode",
      "x".repeat(256),
      "550e8400-e29b-41d4-a716-446655440000",
    ];
    const bad = ["", "x".repeat(257), "tab\there", "nul\u0000"];
    for (const name of ok) {
      expect(handlerNameProblem(name)).toBeUndefined();
      expect(handlerNameSchema.safeParse(name).success).toBe(true);
      expect(defineSignal(name).name).toBe(name);
    }
    for (const name of bad) {
      expect(handlerNameProblem(name)).toBeDefined();
      expect(handlerNameSchema.safeParse(name).success).toBe(false);
      expect(() => defineQuery(name)).toThrow(TypeError);
      expect(() => checkHandlerName("update", name)).toThrow(/Invalid update name/);
    }
  });

  const dynamic = defineWorkflow("dynamic", async (ctx: WorkflowContext) => {
    const name = `1${ctx.uuid()}`; // built at run time, starts with a digit
    let got: unknown;
    ctx.setHandler(defineSignal<number>(name), (n) => {
      got = n;
    });
    ctx.setHandler(defineQuery<string>("signalName"), () => name);
    await ctx.condition(() => got !== undefined);
    return { name, got };
  });

  it("a run-time signal name starting with a digit works, warm and cold", async () => {
    const s = new Session(dynamic);
    await s.task([started("dynamic")]);
    const name = s.runtime.query("signalName", undefined) as string;
    expect(name).toMatch(/^1/);
    await s.task([newEvent("WorkflowExecutionSignaled", { signalName: name, input: "7" })]);
    const close = s.history.at(-1);
    expect(close?.eventType).toBe("WorkflowExecutionCompleted");
    const result = { name, got: 7 };
    expect(close?.attributes).toEqual({ result: JSON.stringify(result) });
    const cold = await replay(dynamic, s.history.slice(0, -1));
    expect(cold.unmatched).toEqual([{ type: "CompleteWorkflow", result: JSON.stringify(result) }]);
  });
});

describe("item 10: an absent input is undefined in workflow code", () => {
  const greet = defineWorkflow("greet", async (_ctx, who: string | null = "world") => who);

  it("absent → the default parameter applies; explicit null stays null; warm and cold", async () => {
    const absent = new Session(greet);
    await absent.task([started("greet")]);
    expect(absent.history[0]?.attributes).not.toHaveProperty("input");
    expect(absent.history.at(-1)?.attributes).toEqual({ result: '"world"' });
    const explicit = new Session(greet);
    await explicit.task([started("greet", null)]);
    expect(explicit.history.at(-1)?.attributes).toEqual({ result: "null" });
    // Cold replay of the first task alone reaches the same close.
    const cold = await replay(greet, absent.history.slice(0, 1));
    expect(cold.unmatched).toEqual([{ type: "CompleteWorkflow", result: '"world"' }]);
  });

  it("continueAsNew() without input records no input", async () => {
    const again = defineWorkflow("again", async (ctx) => ctx.continueAsNew());
    const s = new Session(again);
    const issued = await s.task([started("again")]);
    expect(issued).toEqual([
      { type: "ContinueAsNew", workflowType: "again", taskQueue: "default" },
    ]);
  });
});
