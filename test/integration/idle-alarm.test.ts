/**
 * An alarm that finds nothing due (issue 14, start path). The alarm fires early by design (an
 * outbox row's retry time stays armed after its send; see armAlarm): after a start whose activity
 * runs longer than a second, the object wakes with nothing to do. Such a wake writes nothing (no
 * empty transaction), reads the outbox's activity rows once (not again after writing none), and
 * does not count the outbox's messages when it knows there are none (the last delivery pass sent
 * them all).
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import {
  evictIfCold,
  mode,
  result,
  skipTime,
  start,
  stub,
  uniqueId,
  waitForTimer,
} from "../helpers";

/** Starts `sleeper` on one long timer and waits until its visibility row went out. */
async function sleeping(prefix: string): Promise<string> {
  const workflowId = uniqueId(prefix);
  await start({ workflowType: "sleeper", workflowId, input: { sleeps: ["1h"] } });
  await waitForTimer(workflowId, "timer");
  await vi.waitFor(
    async () => {
      if ((await stub(workflowId).unsafeAlarm()).outbox > 0) throw new Error("delivering");
    },
    { timeout: 10_000, interval: 10 },
  );
  return workflowId;
}

/** Runs the armed alarm now (before its time: an early wake) and waits for its handler. */
async function wakeEarly(workflowId: string): Promise<void> {
  const { runs } = await stub(workflowId).unsafeAlarmState();
  await runDurableObjectAlarm(stub(workflowId));
  await vi.waitFor(
    async () => {
      if ((await stub(workflowId).unsafeAlarmState()).runs <= runs) throw new Error("not yet");
    },
    { timeout: 10_000, interval: 10 },
  );
}

describe("an alarm that finds nothing due", () => {
  it("writes no row, re-arms once and reads only what it must", async () => {
    const workflowId = await sleeping("idle-wake");
    await evictIfCold(); // cold: the wake activates the object from SQLite
    const before = await stub(workflowId).unsafeStorageCounts();
    await wakeEarly(workflowId);
    const after = await stub(workflowId).unsafeStorageCounts();
    expect(after.writeStatements - before.writeStatements).toBe(0);
    expect(after.rowsWritten - before.rowsWritten).toBe(0);
    expect(after.alarmWrites - before.alarmWrites).toBe(1); // to the timer, exactly
    const timer = (await stub(workflowId).unsafeTimers()).find((t) => t.kind === "timer");
    expect((await stub(workflowId).unsafeAlarmState()).armedAtMs).toBe(timer?.fireAtMs);
    if (mode === "warm") {
      // Expired runs, activity rows, due timers, any due activity deadline, the next wake time:
      // 5 (before: 8, with the current run, its due deadlines, a second outbox read and a count
      // of its messages).
      expect(after.statements - before.statements).toBe(5);
    }
    // Nothing was lost: the timer still fires and the workflow completes.
    await skipTime(workflowId, 3_600_000);
    expect((await result(workflowId)).status).toBe("Completed");
  });
});
