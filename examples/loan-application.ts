/**
 * @module The loan application of the Temporal docs: notify the applicant, run a credit check, wait
 * out a short review window, decide automatically, notify again. Activities retry per their policy.
 */
import type { ActivityContext } from "sundial/activity";
import { ApplicationFailure, defineWorkflow } from "sundial/workflow";

export interface LoanInput {
  applicant: string;
  amount: number;
  /** Review window between credit check and decision. @default "2s" */
  reviewWindow?: string | number;
}

export interface LoanResult {
  applicant: string;
  amount: number;
  creditScore: number;
  decision: "approved" | "declined";
  reason: string;
}

/** A stable pseudo credit score in [300, 850] from the applicant's name. */
function scoreOf(applicant: string): number {
  let h = 2166136261;
  for (const ch of applicant) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return 300 + ((h >>> 0) % 551);
}

export const loanActivities = {
  async notifyApplicant(input: { applicant: string; message: string }, ctx: ActivityContext) {
    console.log(`[loan] to ${input.applicant} (attempt ${ctx.attempt}): ${input.message}`);
    return { notified: true };
  },
  async creditCheck(input: { applicant: string; amount: number }) {
    if (!input.applicant.trim()) {
      throw ApplicationFailure.nonRetryable("Applicant name is empty", "InvalidApplication");
    }
    return { creditScore: scoreOf(input.applicant) };
  },
  async automatedApproval(input: { amount: number; creditScore: number }) {
    const limit = input.creditScore >= 700 ? 100_000 : input.creditScore >= 550 ? 25_000 : 5_000;
    const approved = input.amount <= limit;
    return {
      approved,
      reason: approved
        ? `amount within the limit of ${limit} for a score of ${input.creditScore}`
        : `amount exceeds the limit of ${limit} for a score of ${input.creditScore}`,
    };
  },
};

export const loanApplication = defineWorkflow(
  "loanApplication",
  async (ctx, input: LoanInput): Promise<LoanResult> => {
    if (
      !(typeof input?.amount === "number" && input.amount > 0) ||
      typeof input.applicant !== "string"
    ) {
      throw ApplicationFailure.nonRetryable(
        'input must be {"applicant": string, "amount": positive number}',
        "InvalidApplication",
      );
    }
    const acts = ctx.proxyActivities<typeof loanActivities>({
      startToCloseTimeout: "30s",
      retry: {
        initialInterval: "1s",
        backoffCoefficient: 2,
        maximumAttempts: 5,
        nonRetryableErrorTypes: ["InvalidApplication"],
      },
    });
    const { applicant, amount } = input;
    await acts.notifyApplicant({
      applicant,
      message: `We received your application for ${amount}.`,
    });
    const { creditScore } = await acts.creditCheck({ applicant, amount });
    await ctx.sleep(input.reviewWindow ?? "2s");
    const { approved, reason } = await acts.automatedApproval({ amount, creditScore });
    const decision = approved ? "approved" : "declined";
    await acts.notifyApplicant({
      applicant,
      message: `Your loan of ${amount} was ${decision}: ${reason}.`,
    });
    return { applicant, amount, creditScore, decision, reason };
  },
);
