/**
 * @module `orderSaga`: reserve → charge → ship, with compensations (release, refund) run in reverse
 * when a step fails for good. `failAt` in the input picks the step that fails (for demos and tests).
 */
import { ActivityFailure, ApplicationFailure, defineWorkflow } from "sundial/workflow";

export interface OrderInput {
  orderId: string;
  amount: number;
  /** Which step fails for good, if any. */
  failAt?: "reserve" | "charge" | "ship";
}

export interface OrderResult {
  orderId: string;
  status: "completed" | "compensated";
  steps: string[];
  compensations: string[];
  failure?: string;
}

function step(name: string) {
  return async (input: { orderId: string; failAt?: string }) => {
    if (input.failAt === name) {
      throw ApplicationFailure.nonRetryable(
        `${name} failed for order ${input.orderId}`,
        `${name}Failed`,
      );
    }
    return `${name}:${input.orderId}`;
  };
}

export const orderActivities = {
  reserveInventory: step("reserve"),
  chargeCard: step("charge"),
  shipOrder: step("ship"),
  releaseInventory: async (input: { orderId: string }) => `release:${input.orderId}`,
  refundCard: async (input: { orderId: string }) => `refund:${input.orderId}`,
};

export const orderSaga = defineWorkflow(
  "orderSaga",
  async (ctx, input: OrderInput): Promise<OrderResult> => {
    const acts = ctx.proxyActivities<typeof orderActivities>({
      startToCloseTimeout: "30s",
      retry: { maximumAttempts: 3, initialInterval: "200ms" },
    });
    const args = { orderId: input.orderId, ...(input.failAt ? { failAt: input.failAt } : {}) };
    const steps: string[] = [];
    const compensations: Array<() => Promise<string>> = [];
    try {
      steps.push(await acts.reserveInventory(args));
      compensations.unshift(() => acts.releaseInventory({ orderId: input.orderId }));
      steps.push(await acts.chargeCard(args));
      compensations.unshift(() => acts.refundCard({ orderId: input.orderId }));
      steps.push(await acts.shipOrder(args));
      return { orderId: input.orderId, status: "completed", steps, compensations: [] };
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      // Undo what succeeded, newest first; compensations are not cancellable.
      const done = await ctx.nonCancellable(async () => {
        const out: string[] = [];
        for (const compensate of compensations) out.push(await compensate());
        return out;
      });
      const cause = err.cause instanceof Error ? err.cause.message : err.message;
      return {
        orderId: input.orderId,
        status: "compensated",
        steps,
        compensations: done,
        failure: cause,
      };
    }
  },
);
