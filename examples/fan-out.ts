/**
 * @module `fanOut`: a parent that starts one `fanOutChild` per item as child workflows and gathers
 * their results (a failed child is reported, not fatal).
 */
import { ApplicationFailure, defineWorkflow } from "sundial/workflow";

export const fanOutActivities = {
  async square(n: number) {
    return n * n;
  },
};

export const fanOutChild = defineWorkflow("fanOutChild", async (ctx, n: number) => {
  if (n < 0) throw ApplicationFailure.nonRetryable(`negative: ${n}`, "Negative");
  const { square } = ctx.proxyActivities<typeof fanOutActivities>({ startToCloseTimeout: "10s" });
  return square(n);
});

export const fanOut = defineWorkflow("fanOut", async (ctx, input: { items: number[] }) => {
  const items = Array.isArray(input?.items) ? input.items : [];
  const settled = await Promise.allSettled(
    items.map((n, i) =>
      ctx.executeChild<number>("fanOutChild", {
        workflowId: `${ctx.info.workflowId}-item-${i}`,
        input: n,
      }),
    ),
  );
  const results = settled.map((r) => (r.status === "fulfilled" ? r.value : null));
  const failures = settled.flatMap((r, i) =>
    r.status === "rejected"
      ? [
          {
            index: i,
            type: (r.reason as Error).name, // ChildWorkflowFailure, its cause the child's failure
            message: String((r.reason as Error).message),
            cause: String(((r.reason as Error).cause as Error | undefined)?.message ?? ""),
          },
        ]
      : [],
  );
  return { results, sum: results.reduce<number>((a, b) => a + (b ?? 0), 0), failures };
});
