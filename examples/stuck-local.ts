/**
 * @module `stuckLocal`: a local activity that never settles and ignores its AbortSignal. Each
 * attempt is abandoned at its start-to-close timeout; after `maximumAttempts: 2` the workflow fails
 * with an ActivityFailure caused by a StartToClose TimeoutFailure. Terminate it meanwhile and it
 * closes at once: the execution never waits on the hung promise.
 */
import { ApplicationFailure, type Duration, defineWorkflow, toMs } from "sundial/workflow";

export const stuckLocalActivities = {
  /** Never settles and never looks at its signal. */
  stuck(): Promise<never> {
    return new Promise<never>(() => {});
  },
};

export const stuckLocal = defineWorkflow(
  "stuckLocal",
  async (ctx, input: { timeout?: Duration } | undefined) => {
    const timeout = input?.timeout ?? "1s";
    try {
      toMs(timeout);
    } catch (err) {
      throw ApplicationFailure.nonRetryable(
        `stuckLocal: bad timeout: ${(err as Error).message}`,
        "InvalidInput",
      );
    }
    const { stuck } = ctx.proxyLocalActivities<typeof stuckLocalActivities>({
      startToCloseTimeout: timeout,
      retry: { maximumAttempts: 2, initialInterval: "500ms" },
    });
    await stuck(undefined as never);
    return "unreachable";
  },
);
