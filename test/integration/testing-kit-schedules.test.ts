/**
 * sundial/testing with schedules (warm and cold): a schedule created with the kit acts at its times
 * while `env.sleep` skips days in milliseconds (each action at its own time, in order), and the
 * workflows it starts are followed (their timers skipped too) and begin at the env's time. The
 * README's "Testing your workflows" shows the first test's code.
 */
import { env as workerEnv } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createTestEnv } from "../../src/testing/index";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const cold = workerEnv.SUNDIAL_TEST_MODE === "cold";
const env = createTestEnv({ evictOnSkip: cold });

/**
 * The next spring DST change of Europe/Berlin after `now` (the last Sunday of March, 01:00 UTC):
 * virtual time only moves forward, so the test takes the next one (2027-03-28 as written).
 */
function nextBerlinSpringChange(now: number): number {
  for (let year = new Date(now).getUTCFullYear(); ; year++) {
    const march31 = Date.UTC(year, 2, 31, 1);
    const change = march31 - new Date(march31).getUTCDay() * DAY;
    if (change - 4 * DAY > now) return change;
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

describe("schedules with time skipping", () => {
  it("runs every weekday at 9:00 Europe/Berlin across the spring DST change", async () => {
    const wallStart = Date.now();
    const change = nextBerlinSpringChange(env.now());
    const sunday = change - HOUR; // 00:00 UTC of the change's Sunday
    const wednesday = sunday - 4 * DAY;

    const schedule = await env.createSchedule({
      scheduleId: `berlin-${crypto.randomUUID().slice(0, 8)}`,
      spec: {
        calendars: [{ hour: "9", minute: "0", dayOfWeek: "MON-FRI" }],
        timezone: "Europe/Berlin",
        startAt: iso(wednesday),
      },
      action: { startWorkflow: { workflowType: "quickReport" } },
    });
    await env.sleep(wednesday - env.now()); // to Wednesday 00:00 UTC before the change
    await env.sleep("10d"); // to Saturday 00:00 UTC, 10 days later

    const { info } = await schedule.describe();
    const times = info.recentActions.map((a) => a.scheduledTime).reverse();
    // 09:00 CET is 08:00 UTC (Wed, Thu, Fri); 09:00 CEST is 07:00 UTC (Mon to Fri); no weekends.
    const expected = [
      wednesday + 8 * HOUR,
      wednesday + DAY + 8 * HOUR,
      wednesday + 2 * DAY + 8 * HOUR,
      ...[1, 2, 3, 4, 5].map((d) => sunday + d * DAY + 7 * HOUR),
    ].map(iso);
    expect(times).toEqual(expected);
    expect(info.actionCount).toBe(8);
    expect(info.missedCatchupWindow).toBe(0);
    for (const action of info.recentActions) {
      expect(action.workflowId).toBe(`${schedule.scheduleId}-${action.scheduledTime}`);
      expect(action.status).toBe("Completed");
      const started = await env.getHandle(action.workflowId).describe();
      expect(started.searchAttributes).toMatchObject({
        ScheduleId: schedule.scheduleId,
        ScheduledStartTime: action.scheduledTime,
      });
      // The started workflow began at the env's (virtual) time of its action, not real time.
      const lateMs = Date.parse(started.startTime) - Date.parse(action.scheduledTime);
      expect(lateMs).toBeGreaterThanOrEqual(0);
      expect(lateMs).toBeLessThan(60_000);
    }
    console.log(
      `weekday schedule over 10 days (${cold ? "cold" : "warm"}): ${Date.now() - wallStart} ms of wall time`,
    );
  });

  it("overlap Skip: a 2-day workflow every 30 hours runs every other action", async () => {
    const schedule = await env.createSchedule({
      scheduleId: `skip-${crypto.randomUUID().slice(0, 8)}`,
      spec: { intervals: [{ every: "30h" }] },
      action: { startWorkflow: { workflowType: "kitSleeper", input: { days: 2 } } },
      policies: { overlap: "Skip" },
    });
    const first = Date.parse((await schedule.describe()).info.nextActionTimes[0]!);
    // Actions at 0, 30, 60, 90 and 120 h; each run sleeps 48 h (its timer is skipped too).
    await env.sleep(first + 121 * HOUR - env.now());

    const { info } = await schedule.describe();
    const recent = [...info.recentActions].reverse();
    expect(recent.map((a) => a.scheduledTime)).toEqual(
      [first, first + 60 * HOUR, first + 120 * HOUR].map(iso),
    );
    expect(recent.map((a) => a.status)).toEqual(["Completed", "Completed", "Running"]);
    expect(info.overlapSkipped).toBe(2);
    expect(info.runningWorkflows.map((w) => w.workflowId)).toEqual([recent[2]!.workflowId]);
    const done = await env.getHandle<typeof import("../fixtures/testing-kit-workflows").kitSleeper>(
      recent[0]!.workflowId,
    );
    expect((await done.result()).sleptMs).toBeGreaterThanOrEqual(2 * DAY);
  });

  it("trigger, backfill, pause and delete through the kit's handle; result() skips the started runs' timers", async () => {
    const schedule = await env.createSchedule({
      scheduleId: `ops-${crypto.randomUUID().slice(0, 8)}`,
      spec: { intervals: [{ every: "1d" }] },
      action: { startWorkflow: { workflowType: "kitSleeper", input: { days: 3 } } },
      policies: { overlap: "AllowAll" },
      state: { paused: true, note: "set up" },
    });
    const now = env.now();
    await schedule.trigger();
    const { actions } = await schedule.backfill({
      startTime: iso(now - 3 * DAY),
      endTime: iso(now - 1),
    });
    expect(actions).toBe(3);
    // Started once each has a run id (the schedule's outbox delivers the starts).
    await expect
      .poll(async () => (await schedule.describe()).info.runningWorkflows.filter((w) => w.runId))
      .toHaveLength(4);
    const { info } = await schedule.describe();
    for (const w of info.runningWorkflows) {
      const { sleptMs } = await env
        .getHandle<typeof import("../fixtures/testing-kit-workflows").kitSleeper>(w.workflowId)
        .result();
      expect(sleptMs).toBeGreaterThanOrEqual(3 * DAY);
    }
    expect(env.now() - now).toBeGreaterThanOrEqual(3 * DAY);
    // Paused: no scheduled action in those 3 days; the four runs closed.
    const after = await schedule.describe();
    expect(after.info.actionCount).toBe(4);
    expect(after.info.runningWorkflows).toEqual([]);
    expect(after.info.recentActions.map((a) => a.status)).toEqual(Array(4).fill("Completed"));
    await schedule.delete();
    await expect(schedule.describe()).rejects.toMatchObject({ code: "NotFound" });
  });
});
