/**
 * @module `report`: the example of a scheduled workflow. `npm run dev` creates the schedule
 * `report-every-minute` (paused) that starts it every minute; unpause it to watch it run.
 */
import { defineWorkflow } from "../sdk/workflow/index";

export const reportActivities = {
  /** Stands in for a query over the day's data. */
  async countOrders(input: { kind: string }): Promise<number> {
    return input.kind.length * 7;
  },
};

export const report = defineWorkflow("report", async (ctx, input?: { kind?: string }) => {
  const kind = input?.kind ?? "minutely";
  const acts = ctx.proxyLocalActivities<typeof reportActivities>();
  const orders = await acts.countOrders({ kind });
  return { kind, orders, generatedAt: new Date(ctx.now()).toISOString() };
});
