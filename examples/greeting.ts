/** @module `greeting`: its activities run on the "notifications" task queue, served by examples/activity-worker. */
import { defineWorkflow } from "sundial/workflow";

export const greeting = defineWorkflow("greeting", async (ctx, input: { name: string }) => {
  const options = { taskQueue: "notifications", startToCloseTimeout: "10s" } as const;
  const message = await ctx.activity<string>(
    "composeGreeting",
    { name: input?.name ?? "world" },
    options,
  );
  const receipt = await ctx.activity<{ id: string }>(
    "sendNotification",
    { to: input?.name ?? "world", message },
    options,
  );
  return { message, notificationId: receipt.id };
});
