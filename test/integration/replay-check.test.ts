/**
 * replayHistory on histories the engine really recorded, of every shape the examples have (queue
 * and local activities, a saga's compensations, children, continue-as-new, updates, signals,
 * cancellation, timers): each run's wire history (GET …/history) replays against the code that
 * recorded it, so rebuilding tasks from wire events holds; changed code diverges. Warm and cold.
 */
import { env as workerEnv } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { approval, approve, extend } from "../../examples/approval";
import { chain } from "../../examples/chain";
import { fanOut } from "../../examples/fan-out";
import { exampleWorkflows } from "../../examples/index";
import { loanApplication } from "../../examples/loan-application";
import { orderSaga } from "../../examples/order-saga";
import { steps } from "../../examples/steps";
import { wideActivities } from "../../examples/wide-activities";
import type { WireEvent } from "../../sdk/common/wire";
import { defineWorkflow } from "../../sdk/workflow/index";
import { createTestEnv, DeterminismViolationError, replayHistory } from "../../src/testing/index";

const env = createTestEnv({ evictOnSkip: workerEnv.SUNDIAL_TEST_MODE === "cold" });

/** Every run of `workflowId` (following continue-as-new and retries), oldest first. */
async function runsOf(workflowId: string, firstRunId: string) {
  const client = await env.client();
  const runs: { workflowId: string; runId: string; events: WireEvent[] }[] = [];
  let runId: string | undefined = firstRunId;
  while (runId) {
    const events: WireEvent[] = await client.getHandle(workflowId, runId).fetchAllHistory();
    runs.push({ workflowId, runId, events });
    const next = events.at(-1)?.attributes.newExecutionRunId;
    runId = typeof next === "string" ? next : undefined;
  }
  return runs;
}

/** Replays every run of `workflowId` and of the children its histories started. */
async function replayAll(workflowId: string, runId: string): Promise<number> {
  let replayed = 0;
  for (const run of await runsOf(workflowId, runId)) {
    await replayHistory(exampleWorkflows, run);
    replayed += 1;
    for (const e of run.events) {
      if (e.eventType !== "ChildWorkflowExecutionStarted") continue;
      const child = e.attributes as { workflowId: string; runId: string };
      replayed += await replayAll(child.workflowId, child.runId);
    }
  }
  return replayed;
}

describe("recorded histories replay in the test Worker's isolate (no engine involved)", () => {
  it("every example shape", async () => {
    const started = [
      await env.start(loanApplication, { applicant: "Ada", amount: 5000, reviewWindow: "1h" }),
      await env.start(orderSaga, { orderId: "o-1", amount: 30, failAt: "ship" }),
      await env.start(fanOut, { items: [1, 2, 3] }),
      await env.start(chain, { links: 3 }),
      await env.start(steps, { n: 5, local: true }),
      await env.start(wideActivities, { n: 20 }),
    ];
    for (const handle of started) await handle.result().catch(() => undefined);
    let replayed = 0;
    for (const handle of started) replayed += await replayAll(handle.workflowId, handle.runId!);
    // loan, saga, fanOut + 3 children, 3 chain runs, steps, wide
    expect(replayed).toBe(11);
  });

  it("updates, signals, timers canceled and started again, cancellation", async () => {
    const decided = await env.start(approval, { item: "laptop", timeout: "2h" });
    await decided.update(extend, { by: "1h" });
    await env.sleep("30m");
    await decided.signal(approve, { approved: true, by: "Grace" });
    await decided.result();
    const canceled = await env.start(approval, { item: "desk", timeout: "1d" });
    await canceled.update(extend, { by: "1h" });
    await canceled.cancel("no longer needed");
    await canceled.result().catch(() => undefined);
    for (const h of [decided, canceled]) {
      const events = await h.history();
      await replayHistory([approval], { workflowId: h.workflowId, runId: h.runId!, events });
    }
  });

  it("changed code diverges, in workerd as in Node", async () => {
    const handle = await env.start(loanApplication, { applicant: "Ada", amount: 10 });
    await handle.result();
    const events = await handle.history();
    const reordered = defineWorkflow("loanApplication", async (ctx) => {
      await ctx.sleep("2s");
      return null;
    });
    const err = await replayHistory([reordered], { events }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeterminismViolationError);
    expect((err as DeterminismViolationError).divergence).toMatchObject({
      eventId: 2,
      produced: "StartTimer(seq 1)",
    });
  });
});
