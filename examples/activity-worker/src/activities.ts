/**
 * @module The activities of the "notifications" task queue. Engine code may import this module's
 * types only (`import type * as notifications from ".../activities"` and
 * `ctx.proxyActivities<typeof notifications>()`): the implementations run in this Worker.
 */
import type { ActivityContext } from "sundial/activity";

/** Builds the greeting for `name`: `"Hello, <name>!"`. */
export async function composeGreeting(input: { name: string }): Promise<string> {
  return `Hello, ${input.name}!`;
}

/**
 * "Sends" a notification: logs it and returns a receipt. The id derives from the workflow and the
 * activity, not the attempt, so a retried attempt reports the same notification.
 */
export async function sendNotification(
  input: { to: string; message: string },
  ctx: ActivityContext,
): Promise<{ delivered: true; id: string }> {
  const id = `notification-${ctx.workflowId}-${ctx.activityId}`;
  console.log(`[notifications] to ${input.to} (${id}, attempt ${ctx.attempt}): ${input.message}`);
  return { delivered: true, id };
}
