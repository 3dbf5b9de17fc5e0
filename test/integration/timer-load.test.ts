/**
 * Loading an evicted execution (the runtime evicts a sleeping workflow; its timer's alarm loads it
 * again) leaves the armed alarm alone: rewriting an alarm that is about to run (the very alarm that
 * loads the object, most often) makes workerd cancel and re-run it, about a second late. The
 * activation re-arms only when the alarm is missing or later than the earliest timer or retry
 * (a crash between a commit and its alarm write).
 */
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { start, stub, uniqueId, waitForTimer } from "../helpers";

/** Loads the evicted object and lets its activation finish (the activation holds the lock). */
async function load(workflowId: string) {
  const { armedAtMs } = await stub(workflowId).unsafeAlarmState();
  const { alarmWrites } = await stub(workflowId).unsafeStorageCounts();
  return { armedAtMs, alarmWrites };
}

describe("loading an evicted execution", () => {
  it("writes no alarm when the armed one is right", async () => {
    const workflowId = uniqueId("timer-load");
    await start({ workflowType: "sleeper", workflowId, input: { sleeps: ["1h"] } });
    const timer = await waitForTimer(workflowId, "timer");
    await stub(workflowId).unsafeDeliverOutbox();
    await abortAllDurableObjects();
    const loaded = await load(workflowId);
    expect(loaded.alarmWrites).toBe(0);
    expect(loaded.armedAtMs).toBeLessThanOrEqual(timer.fireAtMs);
  });

  it("re-arms a missing alarm, and one later than the timer", async () => {
    const workflowId = uniqueId("timer-load-missing");
    await start({ workflowType: "sleeper", workflowId, input: { sleeps: ["1h"] } });
    const timer = await waitForTimer(workflowId, "timer");
    await stub(workflowId).unsafeDeliverOutbox();
    // As after a crash between a commit and its alarm write.
    await runInDurableObject(stub(workflowId), (_o, state) => state.storage.deleteAlarm());
    await abortAllDurableObjects();
    const reloaded = await load(workflowId);
    expect(reloaded.alarmWrites).toBe(1);
    expect(reloaded.armedAtMs).toBe(timer.fireAtMs);

    await runInDurableObject(stub(workflowId), (_o, state) =>
      state.storage.setAlarm(timer.fireAtMs + 60_000),
    );
    await abortAllDurableObjects();
    const again = await load(workflowId);
    expect(again.alarmWrites).toBe(1);
    expect(again.armedAtMs).toBe(timer.fireAtMs);
  });
});
