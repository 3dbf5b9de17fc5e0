/**
 * Loading a schedule object that was evicted (the runtime does that between actions) leaves its
 * armed alarm alone: rewriting an alarm that is about to run (the very alarm that loads the object,
 * most often) made workerd cancel and re-run it, about a second late on every action. The alarm is
 * rewritten on load only when it is missing or later than the schedule needs (a crash between a
 * commit and its alarm write).
 */
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { uniqueId } from "../helpers";
import { createSchedule, describeSchedule, scheduleStub } from "./schedule-helpers";

describe("loading an evicted schedule", () => {
  it("writes no alarm when the armed one is right", async () => {
    const id = uniqueId("sched-load");
    await createSchedule(id, { every: "1h" });
    const before = await scheduleStub(id).unsafeAlarmState();
    expect(before.armedAtMs).not.toBeNull();
    await abortAllDurableObjects();
    const after = await scheduleStub(id).unsafeAlarmState();
    expect(after.alarmWrites).toBe(0);
    expect(after.armedAtMs).toBe(before.armedAtMs);
  });

  it("re-arms a missing alarm, and one later than the next action", async () => {
    const id = uniqueId("sched-load-missing");
    await createSchedule(id, { every: "1h" });
    const next = Date.parse((await describeSchedule(id)).info.nextActionTimes[0]!);
    // As after a crash between a commit and its alarm write.
    await runInDurableObject(scheduleStub(id), (_o, state) => state.storage.deleteAlarm());
    await abortAllDurableObjects();
    const reloaded = await scheduleStub(id).unsafeAlarmState();
    expect(reloaded.alarmWrites).toBe(1);
    expect(reloaded.armedAtMs).toBe(next);

    await runInDurableObject(scheduleStub(id), (_o, state) =>
      state.storage.setAlarm(next + 60_000),
    );
    await abortAllDurableObjects();
    const again = await scheduleStub(id).unsafeAlarmState();
    expect(again.alarmWrites).toBe(1);
    expect(again.armedAtMs).toBe(next);
  });
});
