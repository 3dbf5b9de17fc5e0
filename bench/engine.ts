/**
 * @module The engine `npm run bench` runs: src/index.ts's Worker (the example workflows and
 * activities, built with wrangler.toml's settings) plus one bench-only workflow, `benchSleep`, so
 * the timer phase (bench/timers.mjs) has a workflow that does nothing but sleep.
 */
import { createSundial } from "sundial";
import { defineWorkflow } from "sundial/workflow";
import { exampleActivities, exampleWorkflows } from "../examples/index";

/** One durable timer of `ms` milliseconds (1 to 60,000), then returns `ms`. */
export const benchSleep = defineWorkflow("benchSleep", async (ctx, input: { ms: number }) => {
  const ms = Math.max(1, Math.min(60_000, Math.floor(Number(input?.ms ?? 1000))));
  await ctx.sleep(ms);
  return ms;
});

const sundial = createSundial({
  workflows: [...exampleWorkflows, benchSleep],
  activities: exampleActivities,
});

export const { WorkflowExecution, ScheduleObject, SundialService } = sundial;
export default sundial.handler;
