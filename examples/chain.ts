/**
 * @module `chain`: continue-as-new in practice. Each run does one activity and a short timer, then
 * continues as new with one link fewer, carrying the running total; the last run returns it.
 * `{"links": 3}` → 3 runs, result `{ links: 3, total: 0 + 1 + 2 }`.
 */
import { defineWorkflow } from "sundial/workflow";

export interface ChainInput {
  links: number;
  /** Carried between runs. */
  done?: number;
  total?: number;
}

export const chainActivities = {
  async link(i: number) {
    return i;
  },
};

export const chain = defineWorkflow("chain", async (ctx, input: ChainInput) => {
  const links = Math.max(1, Math.min(100, Math.floor(Number(input?.links ?? 1))));
  const done = Math.max(0, Math.floor(Number(input?.done ?? 0)));
  const { link } = ctx.proxyActivities<typeof chainActivities>({ startToCloseTimeout: "10s" });
  const total = (Number(input?.total) || 0) + (await link(done));
  await ctx.sleep("100ms");
  if (done + 1 >= links) return { links, total };
  return ctx.continueAsNew({ links, done: done + 1, total });
});
