/** @module `client.schedule` (sdk/client/schedule-client.ts) against the engine in workerd, through `SELF.fetch`. */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createClient, SundialApiError } from "../../sdk/client/index";
import { eventually, uniqueId } from "../helpers";
import { scheduleSettles, skipScheduleTime } from "./schedule-helpers";

const client = createClient({
  baseUrl: "http://sundial.test",
  fetch: (input, init) => SELF.fetch(input, init),
});

describe("client.schedule", () => {
  it("creates, describes, pauses, triggers, backfills, updates, lists and deletes", async () => {
    const scheduleId = uniqueId("client-sched");
    const handle = await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: "1h" }] },
      action: {
        startWorkflow: { workflowType: "quickReport", workflowIdPrefix: `${scheduleId}-report` },
      },
      policies: { overlap: "AllowAll" },
      state: { paused: true, note: "created paused" },
    });
    expect(handle.scheduleId).toBe(scheduleId);
    let d = await handle.describe();
    expect(d.state).toEqual({ paused: true, note: "created paused", remainingActions: null });

    await handle.unpause("go");
    await skipScheduleTime(scheduleId, 3_600_000);
    d = await scheduleSettles(scheduleId, (s) =>
      expect(s.info.recentActions[0]?.status).toBe("Completed"),
    );
    expect(d.info.recentActions[0]?.workflowId.startsWith(`${scheduleId}-report-`)).toBe(true);

    await handle.trigger({ overlap: "AllowAll" });
    const backfill = await handle.backfill({
      startTime: new Date("2026-03-01T00:00:00Z"),
      endTime: "2026-03-01T02:00:00Z",
    });
    expect(backfill.actions).toBe(3);
    await scheduleSettles(scheduleId, (s) => expect(s.info.actionCount).toBe(5));

    await handle.pause("done");
    await handle.update({
      spec: { cron: ["0 9 * * *"] },
      action: { startWorkflow: { workflowType: "quickReport" } },
      state: { paused: true, note: "updated" },
    });
    d = await handle.describe();
    expect(d.spec).toEqual({ cron: ["0 9 * * *"] });
    expect(d.state.note).toBe("updated");

    await eventually(async () => {
      const page = await client.schedule.list({ query: `ScheduleId = '${scheduleId}'` });
      expect(page.schedules).toMatchObject([{ scheduleId, paused: true, note: "updated" }]);
    });

    await handle.delete();
    const err = await handle.describe().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SundialApiError);
    expect((err as SundialApiError).code).toBe("NotFound");
  });

  it("a bad spec rejects with InvalidArgument naming the field", async () => {
    const err = await client.schedule
      .create({
        scheduleId: uniqueId("client-bad"),
        spec: { cron: ["not a cron"] },
        action: { startWorkflow: { workflowType: "quickReport" } },
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(SundialApiError);
    expect((err as SundialApiError).code).toBe("InvalidArgument");
    expect((err as SundialApiError).message).toContain("spec.cron");
  });
});
