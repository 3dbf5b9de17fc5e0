/**
 * @module The activities: ordinary async functions that may do anything (fetch, databases, email).
 * They run at least once per attempt (the engine retries failed attempts), so keep them idempotent.
 * Workflow code imports this module's types only (`import type * as activities`).
 */
import type { ActivityContext } from "sundial/activity";

/** "Sends" the welcome email: logs it. */
export async function sendWelcomeEmail(
  input: { email: string },
  ctx: ActivityContext,
): Promise<{ sent: true }> {
  console.log(`[onboarding] welcome email to ${input.email} (attempt ${ctx.attempt})`);
  return { sent: true };
}

/** Activates the account; the id derives from the workflow, so a retried attempt returns the same one. */
export async function activateAccount(
  input: { email: string },
  ctx: ActivityContext,
): Promise<{ accountId: string }> {
  console.log(`[onboarding] activating ${input.email}`);
  return { accountId: `account-${ctx.workflowId}` };
}
