/**
 * The runtimes of an isolate share their AsyncLocalStorage instances instead of creating one each.
 * In Node 20 (where these tests run) every AsyncLocalStorage that ever ran stays registered, and
 * every new promise copies the store of each registered one: with one storage per runtime, each
 * await in the process cost O(runtimes ever created), so `npm run test:deep` (10,000 property cases,
 * tens of thousands of runtimes) slowed down case after case and never finished.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { defineWorkflow } from "../../../sdk/workflow/index";
import { drive } from "../helpers/history-builder";

/** Uses a cancellation scope (cancelled by a timer) and a non-cancellable one. */
const scoped = defineWorkflow("scoped", async (ctx) => {
  const outcome = await ctx.cancellable(async (scope) => {
    ctx.sleep(1000).then(() => scope.cancel());
    try {
      await ctx.sleep(60_000);
      return "slept";
    } catch (err) {
      return `cancelled:${(err as Error).name}`;
    }
  });
  await ctx.nonCancellable(() => ctx.sleep(10));
  return outcome;
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("runtime async context", () => {
  it("registers a fixed number of AsyncLocalStorage instances, however many runtimes run", async () => {
    const run = vi.spyOn(AsyncLocalStorage.prototype, "run");
    for (let i = 0; i < 10; i++) {
      // Cold: a fresh runtime replays the history before every task.
      const { close } = await drive(scoped, { mode: "cold" });
      expect(close).toEqual({ type: "CompleteWorkflow", result: '"cancelled:CancelledFailure"' });
    }
    const storages = new Set(run.mock.contexts);
    // The workflow context (deterministic globals) and the cancellation scope: two, not 2 per runtime.
    expect(storages.size).toBeLessThanOrEqual(2);
  });
});
