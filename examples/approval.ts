/**
 * @module `approval`: waits for a human. Signal `approve` (`{approved, by}`) decides; the timeout
 * declines; query `state` says where it is; update `extend` (validated: positive durations only)
 * pushes the deadline. Cancel it and it ends `Canceled` after recording why.
 */
import {
  type Duration,
  defineQuery,
  defineSignal,
  defineUpdate,
  defineWorkflow,
  isCancellation,
  toMs,
} from "sundial/workflow";

export interface ApprovalInput {
  item: string;
  /** How long to wait for a decision, e.g. "1h". @default "1d" */
  timeout?: Duration;
}

export interface ApprovalResult {
  item: string;
  approved: boolean;
  by: string | null;
  /** "signal" or "timeout". */
  decidedBy: "signal" | "timeout";
}

export const approve = defineSignal<{ approved: boolean; by?: string }>("approve");
export const approvalState = defineQuery<{
  item: string;
  status: "waiting" | "approved" | "rejected" | "timed out" | "canceled";
  deadline: string;
}>("state");
/** Pushes the deadline by a duration ("30m"); returns the new deadline (ISO). */
export const extend = defineUpdate<string, { by: Duration }>("extend");

export const approvalActivities = {
  async recordDecision(input: { item: string; approved: boolean; by: string | null }) {
    return { recorded: true, ...input };
  },
};

export const approval = defineWorkflow(
  "approval",
  async (ctx, input: ApprovalInput): Promise<ApprovalResult> => {
    const item = String(input?.item ?? "item");
    let deadline = ctx.now() + toMs(input?.timeout ?? "1d");
    let decision: { approved: boolean; by?: string } | undefined;
    let status: "waiting" | "approved" | "rejected" | "timed out" | "canceled" = "waiting";
    const record = ctx.proxyLocalActivities<typeof approvalActivities>();

    ctx.setHandler(approve, (d) => {
      decision ??= d;
    });
    ctx.setHandler(approvalState, () => ({
      item,
      status,
      deadline: new Date(deadline).toISOString(),
    }));
    ctx.setHandler(
      extend,
      ({ by }) => {
        deadline += toMs(by);
        return new Date(deadline).toISOString();
      },
      {
        validator: ({ by }) => {
          let ms = Number.NaN;
          try {
            ms = toMs(by);
          } catch {
            // not a duration at all: rejected below
          }
          if (!(ms > 0)) {
            throw new Error(`extend.by must be a positive duration, got ${JSON.stringify(by)}`);
          }
        },
      },
    );

    try {
      // Wait for a decision; an extension wakes the wait and it starts over with the new deadline.
      for (;;) {
        const current = deadline;
        const woke = await ctx.condition(
          () => decision !== undefined || deadline !== current,
          Math.max(1, current - ctx.now()),
        );
        if (decision !== undefined) break;
        if (!woke && deadline === current) break;
      }
    } catch (err) {
      if (isCancellation(err)) {
        status = "canceled";
        await ctx.nonCancellable(() =>
          record.recordDecision({ item, approved: false, by: "canceled" }),
        );
      }
      throw err;
    }
    const approved = decision?.approved === true;
    status = decision ? (approved ? "approved" : "rejected") : "timed out";
    const by = decision?.by ?? null;
    await record.recordDecision({ item, approved, by });
    return { item, approved, by, decidedBy: decision ? "signal" : "timeout" };
  },
);
