/**
 * @module `wideActivities`: n no-op activities scheduled at once (`Promise.all`), queue activities or
 * local ones (`local: true`); returns n. A wide fan-out in one transition: the outbox sends its tasks
 * in batches the Queue accepts, and local ones are committed in slices (`localActivitiesPerTask`).
 */
import { defineWorkflow } from "sundial/workflow";

export const wideActivitiesActivities = {
  async wideNoop(i: number) {
    return i;
  },
};

export const wideActivities = defineWorkflow(
  "wideActivities",
  async (ctx, input: { n: number; local?: boolean }) => {
    const n = Math.max(0, Math.floor(Number(input?.n ?? 0)));
    const acts = input?.local
      ? ctx.proxyLocalActivities<typeof wideActivitiesActivities>()
      : ctx.proxyActivities<typeof wideActivitiesActivities>({ startToCloseTimeout: "1m" });
    const results = await Promise.all(Array.from({ length: n }, (_, i) => acts.wideNoop(i)));
    return results.length;
  },
);
