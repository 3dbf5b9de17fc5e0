/** @module `steps`: n sequential no-op activities (local activities when `local`). Used by the benchmarks. */
import { defineWorkflow } from "sundial/workflow";

export const stepsActivities = {
  async noop(input: number) {
    return input;
  },
};

export const steps = defineWorkflow("steps", async (ctx, input: { n: number; local?: boolean }) => {
  const n = Math.max(0, Math.floor(Number(input?.n ?? 0)));
  const acts = input?.local
    ? ctx.proxyLocalActivities<typeof stepsActivities>()
    : ctx.proxyActivities<typeof stepsActivities>({ startToCloseTimeout: "10s" });
  for (let i = 0; i < n; i++) await acts.noop(i);
  return n;
});
