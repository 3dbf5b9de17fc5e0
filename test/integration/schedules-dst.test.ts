/**
 * "Runs every weekday at 9:00 Berlin time" across the spring DST change, in milliseconds of test
 * time: the schedule's clock is skipped to each next action time (time skipping) and its alarm run.
 */
import { describe, expect, it } from "vitest";
import { post, uniqueId } from "../helpers";
import {
  describeSchedule,
  scheduleSettles,
  scheduleStub,
  skipScheduleTime,
} from "./schedule-helpers";

describe("schedules across DST", () => {
  it("acts at 9:00 Europe/Berlin on weekdays before and after the spring change", async () => {
    const id = uniqueId("sched-dst");
    const res = await post("/api/v1/schedules", {
      scheduleId: id,
      spec: {
        calendars: [{ hour: "9", minute: "0", dayOfWeek: "MON-FRI" }],
        timezone: "Europe/Berlin",
      },
      action: { startWorkflow: { workflowType: "quickReport" } },
      policies: { overlap: "AllowAll", catchupWindow: "10s" },
    });
    expect(res.status).toBe(201);
    // Downtime up to Thursday 2027-03-25 12:00 UTC: everything before counts as missed.
    const now = await scheduleStub(id).unsafeAdvanceClock(0);
    await skipScheduleTime(id, Date.parse("2027-03-25T12:00:00Z") - now);
    const taken: string[] = [];
    for (let i = 0; i < 4; i++) {
      const next = (await describeSchedule(id)).info.nextActionTimes[0]!;
      const at = await scheduleStub(id).unsafeAdvanceClock(0);
      await skipScheduleTime(id, Date.parse(next) - at);
      const d = await scheduleSettles(id, (s) => expect(s.info.actionCount).toBe(i + 1));
      taken.push(d.info.recentActions[0]!.scheduledTime);
    }
    // CET (UTC+1) on Friday, CEST (UTC+2) from Monday: the clocks went forward on Sunday 28 March.
    expect(taken).toEqual([
      "2027-03-26T08:00:00.000Z",
      "2027-03-29T07:00:00.000Z",
      "2027-03-30T07:00:00.000Z",
      "2027-03-31T07:00:00.000Z",
    ]);
    expect((await describeSchedule(id)).info.missedCatchupWindow).toBeGreaterThan(0);
  });
});
