/**
 * @module Workflow programs as data, for property-based replay tests. A {@link Program} is a small
 * AST of steps; {@link interpreter} is ONE workflow that runs any program through the SDK API (the
 * program is its input, so a cold replay reads it back from WorkflowExecutionStarted). Generated
 * programs therefore shrink to readable counterexamples such as
 * `{"steps":[{"t":"race","branches":[[{"t":"sleep","ms":2}],[{"t":"activity"}]]}]}`.
 */
import fc from "fast-check";
import { isDurableFailure } from "../../../sdk/common/failures";
import {
  defineQuery,
  defineSignal,
  defineUpdate,
  defineWorkflow,
  type WorkflowContext,
} from "../../../sdk/workflow/index";
import type { AnyWorkflow } from "../../../src/config";

export type Step =
  /** A remote activity; the environment decides when and how it ends. */
  | { t: "activity" }
  /** A local activity (recorded as a marker in the same task); `ok: false` fails it for good. */
  | { t: "local"; ok: boolean }
  | { t: "sleep"; ms: number }
  /** `waitForSignal("go", { timeout })`; the "go" signals come from the environment. */
  | { t: "waitSignal"; timeoutMs?: number }
  /** `condition(() => counter >= atLeast, timeout)`; the counter moves with "inc" signals and updates. */
  | { t: "condition"; atLeast: number; timeoutMs?: number }
  | { t: "child" }
  | { t: "signalExternal" }
  /** `patched(id)` (always true here: the code never changes between runs). */
  | { t: "patched"; id: "p1" | "p2" }
  | { t: "upsert" }
  /** Sets a handler for "go" signals: buffered ones are delivered at once; later waits see none. */
  | { t: "listen" }
  /** Ends the run with continue-as-new (nothing after it runs). */
  | { t: "continueAsNew" }
  /** Logs `ctx.random()`, `Math.random()`, `Date.now()` and a UUID: the deterministic globals. */
  | { t: "random" }
  | { t: "all"; branches: Step[][] }
  | { t: "race"; branches: Step[][] }
  /** A cancellable scope, cancelled by itself after `cancelAfterMs` (a timer) if given. */
  | { t: "cancellable"; body: Step[]; cancelAfterMs?: number }
  | { t: "nonCancellable"; body: Step[] }
  /** Catches the body's failure and logs it instead of failing the workflow. */
  | { t: "try"; body: Step[] };

export interface Program {
  steps: Step[];
  /** The body of the "add" update handler (run after the counter moved). */
  update: Step[];
}

/** A signal that bumps the counter (a handler) and one that is awaited with waitForSignal. */
export const incSignal = defineSignal<number>("inc");
export const goSignal = defineSignal<string>("go");
export const addUpdate = defineUpdate<string[], number>("add");
export const stateQuery = defineQuery<{ counter: number; log: string[] }>("state");

/** The result of a workflow: what each step logged, in order. */
export const interpreter: AnyWorkflow = defineWorkflow(
  "interpreter",
  async (ctx, program: Program) => {
    const log: string[] = [];
    let counter = 0;
    ctx.setHandler(incSignal, (by) => {
      counter += by;
      log.push(`inc:${counter}`);
    });
    ctx.setHandler(stateQuery, () => ({ counter, log: [...log] }));
    ctx.setHandler(
      addUpdate,
      async (by) => {
        counter += by;
        const mine: string[] = [];
        await runSteps(ctx, program.update, "u", mine, () => counter);
        log.push(`add:${by}:${mine.join(",")}`);
        return mine;
      },
      {
        // Reads workflow state: a cold runtime must reach the same verdict as the warm one.
        validator: (by) => {
          if (by < 0 || counter > 6) throw new Error(`rejected ${by} at ${counter}`);
        },
      },
    );
    await runSteps(ctx, program.steps, "", log, () => counter);
    return log;
  },
);

function describe(err: unknown): string {
  if (isDurableFailure(err)) return `${err.name}(${err.message})`;
  return `bug(${String(err)})`;
}

async function runSteps(
  ctx: WorkflowContext,
  steps: readonly Step[],
  path: string,
  log: string[],
  counter: () => number,
): Promise<void> {
  for (const [i, step] of steps.entries()) {
    await runStep(ctx, step, `${path}${i}`, log, counter);
  }
}

async function runStep(
  ctx: WorkflowContext,
  step: Step,
  at: string,
  log: string[],
  counter: () => number,
): Promise<void> {
  switch (step.t) {
    case "activity":
      log.push(`${at}:act=${JSON.stringify(await ctx.activity("work", at))}`);
      return;
    case "local":
      log.push(
        `${at}:local=${JSON.stringify(await ctx.localActivity(step.ok ? "ok" : "fail", at))}`,
      );
      return;
    case "sleep":
      await ctx.sleep(step.ms);
      log.push(`${at}:slept`);
      return;
    case "waitSignal": {
      const options = step.timeoutMs === undefined ? {} : { timeout: step.timeoutMs };
      log.push(`${at}:go=${JSON.stringify(await ctx.waitForSignal(goSignal, options))}`);
      return;
    }
    case "condition": {
      const ok = await ctx.condition(() => counter() >= step.atLeast, step.timeoutMs);
      log.push(`${at}:cond=${ok}`);
      return;
    }
    case "child":
      log.push(`${at}:child=${JSON.stringify(await ctx.executeChild("kid", { input: at }))}`);
      return;
    case "signalExternal":
      await ctx.getExternalWorkflowHandle("other").signal("ping", at);
      log.push(`${at}:signaled`);
      return;
    case "patched":
      log.push(`${at}:patched=${ctx.patched(step.id)}`);
      return;
    case "upsert":
      ctx.upsertSearchAttributes({ Step: at, Count: counter() });
      log.push(`${at}:upserted`);
      return;
    case "listen":
      ctx.setHandler(goSignal, (value) => {
        log.push(`${at}:heard=${value}`);
      });
      log.push(`${at}:listening`);
      return;
    case "continueAsNew":
      await ctx.continueAsNew({ steps: [], update: [] });
      return;
    case "random": {
      const values = [
        ctx.random(),
        Math.random(),
        Date.now(),
        ctx.uuid(),
        new Date().toISOString(),
        crypto.randomUUID(),
      ];
      log.push(`${at}:random=${JSON.stringify(values)}`);
      return;
    }
    case "all":
      await Promise.all(step.branches.map((b, j) => runSteps(ctx, b, `${at}.${j}.`, log, counter)));
      log.push(`${at}:all`);
      return;
    case "race": {
      const branches = step.branches.map((b, j) =>
        runSteps(ctx, b, `${at}.${j}.`, log, counter).then(() => j),
      );
      log.push(`${at}:race=${await Promise.race(branches)}`);
      return;
    }
    case "cancellable":
      await ctx.cancellable(async (scope) => {
        if (step.cancelAfterMs !== undefined) {
          ctx.sleep(step.cancelAfterMs).then(
            () => scope.cancel(),
            () => undefined,
          );
        }
        await runSteps(ctx, step.body, `${at}.`, log, counter);
      });
      log.push(`${at}:scope`);
      return;
    case "nonCancellable":
      await ctx.nonCancellable(() => runSteps(ctx, step.body, `${at}.`, log, counter));
      log.push(`${at}:shielded`);
      return;
    case "try":
      try {
        await runSteps(ctx, step.body, `${at}.`, log, counter);
        log.push(`${at}:try=ok`);
      } catch (err) {
        log.push(`${at}:try=${describe(err)}`);
      }
      return;
  }
}

/** Local activities of the interpreter: deterministic, so warm and cold runs record the same markers. */
export const localActivities = {
  ok: async (input: unknown) => `ok:${String(input)}`,
  fail: async (input: unknown) => {
    throw new Error(`local failed at ${String(input)}`);
  },
};

const ms = fc.integer({ min: 1, max: 5000 });
/** Mostly succeeding local activities, so that programs run on past them. */
const localOk = fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, fc.constant(false));

/** Programs up to `depth` levels of nesting. */
export function programArbitrary(depth = 2): fc.Arbitrary<Program> {
  const { step } = fc.letrec<{ steps: Step[]; step: Step }>((tie) => ({
    steps: fc.array(tie("step"), { minLength: 0, maxLength: 4 }),
    step: fc.oneof(
      { depthSize: "small", maxDepth: depth, withCrossShrink: true },
      fc.constant<Step>({ t: "activity" }),
      fc.record({ t: fc.constant("local" as const), ok: localOk }),
      fc.record({ t: fc.constant("sleep" as const), ms }),
      fc.record({ t: fc.constant("waitSignal" as const), timeoutMs: ms }, { requiredKeys: ["t"] }),
      fc.record(
        {
          t: fc.constant("condition" as const),
          atLeast: fc.integer({ min: 1, max: 4 }),
          timeoutMs: ms,
        },
        { requiredKeys: ["t", "atLeast"] },
      ),
      fc.constant<Step>({ t: "child" }),
      fc.constant<Step>({ t: "signalExternal" }),
      fc.constant<Step>({ t: "random" }),
      fc.record({
        t: fc.constant("patched" as const),
        id: fc.constantFrom("p1" as const, "p2" as const),
      }),
      fc.constant<Step>({ t: "upsert" }),
      fc.constant<Step>({ t: "listen" }),
      { weight: 1, arbitrary: fc.constant<Step>({ t: "continueAsNew" }) },
      fc.record({
        t: fc.constant("all" as const),
        branches: fc.array(tie("steps") as fc.Arbitrary<Step[]>, { minLength: 1, maxLength: 3 }),
      }),
      fc.record({
        t: fc.constant("race" as const),
        branches: fc.array(tie("steps") as fc.Arbitrary<Step[]>, { minLength: 1, maxLength: 3 }),
      }),
      fc.record(
        {
          t: fc.constant("cancellable" as const),
          body: tie("steps") as fc.Arbitrary<Step[]>,
          cancelAfterMs: ms,
        },
        { requiredKeys: ["t", "body"] },
      ),
      fc.record({
        t: fc.constant("nonCancellable" as const),
        body: tie("steps") as fc.Arbitrary<Step[]>,
      }),
      {
        weight: 2,
        arbitrary: fc.record({
          t: fc.constant("try" as const),
          body: tie("steps") as fc.Arbitrary<Step[]>,
        }),
      },
    ) as fc.Arbitrary<Step>,
  }));
  return fc.record({
    steps: fc.array(step, { minLength: 1, maxLength: 6 }),
    update: fc.array(
      fc.oneof(
        fc.constant<Step>({ t: "activity" }),
        fc.record({ t: fc.constant("local" as const), ok: localOk }),
        fc.record({ t: fc.constant("sleep" as const), ms }),
      ),
      { maxLength: 2 },
    ),
  });
}
