import { describe, expect, it } from "vitest";
import { LocalActivityRuns, URGENT_WAIT_MS } from "../../../src/execution/local-activity-runs";

function deferred<T>() {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("LocalActivityRuns", () => {
  it("joins the run under way instead of starting the activity again", async () => {
    const runs = new LocalActivityRuns<string>();
    let starts = 0;
    const work = deferred<string>();
    const start = () => {
      starts++;
      return work.promise;
    };
    const a = runs.join("r", 1, start);
    const b = runs.join("r", 1, start);
    expect(a).toBe(b);
    expect(starts).toBe(1);
    work.resolve("x");
    expect(await runs.waitAll([a, undefined])).toEqual(["x", undefined]);
    runs.forget("r", 1);
    runs.join("r", 1, async () => {
      starts++;
      return "y";
    });
    expect(starts).toBe(2);
  });

  it("a waiting transition yields (undefined) when an urgent message enters; settled runs still answer", async () => {
    const runs = new LocalActivityRuns<string>();
    const work = deferred<string>();
    const p = runs.join("r", 1, () => work.promise);
    const waiting = runs.waitAll([p]);
    runs.enter();
    expect(await waiting).toBeUndefined();
    // Queued urgent message: a new wait yields at once while the run is pending…
    expect(await runs.waitAll([p])).toBeUndefined();
    work.resolve("done");
    await p;
    await Promise.resolve();
    // …but not once it has settled.
    expect(await runs.waitAll([p])).toEqual(["done"]);
  });

  it("an urgent message's own transition waits only briefly", async () => {
    const runs = new LocalActivityRuns<string>();
    const p = runs.join("r", 1, () => new Promise<string>(() => {}));
    runs.enter();
    const began = Date.now();
    const outcome = await runs.runUrgent(() => runs.waitAll([p]));
    expect(outcome).toBeUndefined();
    expect(Date.now() - began).toBeGreaterThanOrEqual(URGENT_WAIT_MS - 5);
  });

  it("stopRun aborts and forgets the run's local activities only", () => {
    const runs = new LocalActivityRuns<string>();
    const signals: AbortSignal[] = [];
    const start = (stop: AbortSignal) => {
      signals.push(stop);
      return new Promise<string>(() => {});
    };
    runs.join("a", 1, start);
    runs.join("b", 1, start);
    runs.stopRun("a");
    expect(signals.map((s) => s.aborted)).toEqual([true, false]);
    runs.join("a", 1, start);
    expect(signals).toHaveLength(3);
  });
});
