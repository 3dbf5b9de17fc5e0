/**
 * The schedule's list row (D1) is queued only when it changes: an action moves its next action time
 * (one row), a close notice changes nothing in it (no row: before, every close queued one, a second
 * D1 write per action), a close that pauses the schedule (pauseOnFailure) does.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { eventually, uniqueId } from "../helpers";
import {
  createSchedule,
  finish,
  scheduleSettles,
  scheduleStub,
  skipScheduleTime,
} from "./schedule-helpers";

const HOUR = 3_600_000;

async function indexVersion(id: string): Promise<number> {
  return runInDurableObject(scheduleStub(id), (_o, state) => {
    const row = state.storage.sql.exec("SELECT index_version FROM schedule").one();
    return Number(row.index_version);
  });
}

describe("the schedule's list row", () => {
  it("is queued by an action, not by the close of the workflow it started", async () => {
    const id = uniqueId("sched-index");
    await createSchedule(id, { every: "1h" });
    const created = await indexVersion(id);
    await skipScheduleTime(id, HOUR);
    const started = await scheduleSettles(id, (s) =>
      expect(s.info.runningWorkflows).toHaveLength(1),
    );
    const acted = await indexVersion(id);
    expect(acted).toBe(created + 1);
    await finish(started.info.runningWorkflows[0]!.workflowId, false);
    await scheduleSettles(id, (s) => {
      expect(s.info.runningWorkflows).toHaveLength(0);
      expect(s.info.recentActions[0]?.status).toBe("Completed");
    });
    expect(await indexVersion(id)).toBe(acted);
    await eventually(async () => expect((await scheduleStub(id).unsafeOutbox()).length).toBe(0));
  });

  it("is queued by a close that pauses the schedule", async () => {
    const id = uniqueId("sched-index-pause");
    await createSchedule(id, { every: "1h", policies: { pauseOnFailure: true } });
    await skipScheduleTime(id, HOUR);
    const started = await scheduleSettles(id, (s) =>
      expect(s.info.runningWorkflows).toHaveLength(1),
    );
    const acted = await indexVersion(id);
    await finish(started.info.runningWorkflows[0]!.workflowId, true);
    await scheduleSettles(id, (s) => expect(s.state.paused).toBe(true));
    expect(await indexVersion(id)).toBe(acted + 1);
  });
});
