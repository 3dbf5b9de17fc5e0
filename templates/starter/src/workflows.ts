/**
 * @module The workflows of this Worker. Workflow code is deterministic: everything that reaches
 * outside (activities, timers, signals) goes through `ctx`, is recorded in history and replayed.
 */
import { type Duration, defineQuery, defineSignal, defineWorkflow } from "sundial/workflow";
import type * as activities from "./activities";

export interface OnboardingInput {
  email: string;
  /** How long to wait for the `confirm` signal. @default "7d" */
  confirmWithin?: Duration;
  /** A durable timer between the confirmation and the activation. @default "5s" */
  activationDelay?: Duration;
}

export interface OnboardingResult {
  email: string;
  status: "active" | "expired";
  confirmedBy: string | null;
  accountId: string | null;
}

/** Signal `confirm` (`{"by": "ada"}`): the user clicked the link in the welcome email. */
export const confirm = defineSignal<{ by: string }>("confirm");
/** Query `status`: where the onboarding is. */
export const status = defineQuery<string>("status");

/**
 * `onboarding`: sends a welcome email (an activity), waits for the `confirm` signal (or gives up
 * after `confirmWithin`), sleeps `activationDelay` (a durable timer), then activates the account.
 */
export const onboarding = defineWorkflow(
  "onboarding",
  async (ctx, input: OnboardingInput): Promise<OnboardingResult> => {
    const { sendWelcomeEmail, activateAccount } = ctx.proxyActivities<typeof activities>({
      startToCloseTimeout: "30s",
    });
    let confirmedBy: string | undefined;
    let current = "sending the welcome email";
    ctx.setHandler(confirm, ({ by }) => {
      confirmedBy ??= by;
    });
    ctx.setHandler(status, () => current);

    await sendWelcomeEmail({ email: input.email });
    current = "waiting for the confirmation";
    const confirmed = await ctx.condition(
      () => confirmedBy !== undefined,
      input.confirmWithin ?? "7d",
    );
    if (!confirmed || confirmedBy === undefined) {
      current = "expired";
      return { email: input.email, status: "expired", confirmedBy: null, accountId: null };
    }
    current = "activating";
    await ctx.sleep(input.activationDelay ?? "5s");
    const { accountId } = await activateAccount({ email: input.email });
    current = "active";
    return { email: input.email, status: "active", confirmedBy, accountId };
  },
);
