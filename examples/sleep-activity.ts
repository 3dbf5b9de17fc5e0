/**
 * @module `sleepActivity`: one queue activity that sleeps `ms` milliseconds (at most 60 s), with a
 * start-to-close timeout (default "10s"). Two of them side by side show that a long activity does
 * not hold up a short one on the same task queue.
 */
import { ApplicationFailure, type Duration, defineWorkflow, toMs } from "sundial/workflow";

const MAX_SLEEP_MS = 60_000;

export const sleepActivities = {
  async sleepFor(ms: number) {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return ms;
  },
};

export const sleepActivity = defineWorkflow(
  "sleepActivity",
  async (ctx, input: { ms?: number; startToClose?: Duration } | undefined) => {
    const ms = Math.floor(Number(input?.ms ?? 100));
    if (!Number.isFinite(ms) || ms < 0 || ms > MAX_SLEEP_MS) {
      throw ApplicationFailure.nonRetryable(
        `sleepActivity: ms must be a number from 0 to ${MAX_SLEEP_MS}`,
        "InvalidInput",
      );
    }
    const startToClose = input?.startToClose ?? "10s";
    try {
      toMs(startToClose);
    } catch (err) {
      throw ApplicationFailure.nonRetryable(
        `sleepActivity: bad startToClose: ${(err as Error).message}`,
        "InvalidInput",
      );
    }
    const { sleepFor } = ctx.proxyActivities<typeof sleepActivities>({
      startToCloseTimeout: startToClose,
      retry: { maximumAttempts: 1 },
    });
    return sleepFor(ms);
  },
);
