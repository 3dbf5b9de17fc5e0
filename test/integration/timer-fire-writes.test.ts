/**
 * A timer's fire writes the alarm once. The handler knows the ringing alarm is spent (no storage
 * read to find out), and a transition that already armed the next time is not followed by a
 * second write by the handler (it re-armed after every fire: two or three writes and a read).
 * Fewer storage operations per fire is less work on the runtime thread that the next object's
 * alarm waits for (timers due together, bench/timers.mjs).
 */
import { describe, expect, it, vi } from "vitest";
import { result, start, stub, uniqueId, waitForTimer } from "../helpers";

/**
 * Alarm writes of the one handler run that fires the due timer (the object is not evicted): the
 * clock moves past the timer, which arms the alarm now (one write, not counted); workerd runs it.
 */
async function alarmWritesOfOneFire(workflowId: string): Promise<number> {
  // The start's visibility row goes out in the background and re-arms the alarm when it is done:
  // not this fire's write, so counted only once it is over.
  await vi.waitFor(
    async () => {
      if ((await stub(workflowId).unsafeAlarm()).outbox > 0) throw new Error("start delivering");
    },
    { timeout: 10_000, interval: 10 },
  );
  const { runs } = await stub(workflowId).unsafeAlarmState();
  const before = (await stub(workflowId).unsafeStorageCounts()).alarmWrites;
  await stub(workflowId).unsafeAdvanceClock(60_000);
  await vi.waitFor(
    async () => {
      if ((await stub(workflowId).unsafeAlarmState()).runs <= runs) throw new Error("not yet");
      // And the delivery after it (a closing run's list update) is done: it re-arms too.
      if ((await stub(workflowId).unsafeAlarm()).outbox > 0) throw new Error("delivering");
    },
    { timeout: 10_000, interval: 10 },
  );
  return (await stub(workflowId).unsafeStorageCounts()).alarmWrites - before - 1;
}

describe("a timer's fire", () => {
  it("adds no alarm write to the closing transition's and the delivery's", async () => {
    const workflowId = uniqueId("fire-close");
    // A minute, not a second: the timer is due in real time too, and must not fire on its own
    // before the counts are read.
    await start({ workflowType: "sleeper", workflowId, input: { sleeps: ["1m"] } });
    await waitForTimer(workflowId, "timer");
    // The closing transition arms exactly (the list update's retry, or the retention timer); the
    // delivery of the list update moves it to the retention timer. Before: the handler re-armed
    // in between (4, with a storage read).
    expect(await alarmWritesOfOneFire(workflowId)).toBe(2);
    expect((await result(workflowId)).status).toBe("Completed");
  });

  it("writes the alarm once when it starts the next timer", async () => {
    const workflowId = uniqueId("fire-next");
    await start({ workflowType: "sleeper", workflowId, input: { sleeps: ["1m", "1h"] } });
    const first = await waitForTimer(workflowId, "timer");
    expect(await alarmWritesOfOneFire(workflowId)).toBe(1);
    const next = (await stub(workflowId).unsafeTimers()).find((t) => t.kind === "timer");
    expect(next?.fireAtMs).toBeGreaterThan(first.fireAtMs);
    const { armedAtMs } = await stub(workflowId).unsafeAlarmState();
    expect(armedAtMs).not.toBeNull();
    expect(armedAtMs!).toBeLessThanOrEqual(next!.fireAtMs);
  });
});
