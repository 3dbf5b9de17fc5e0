/**
 * Schedule policies and operations in workerd with time skipping: catch-up after downtime,
 * pauseOnFailure, remainingActions, trigger with an overlap override, backfill order and bounds,
 * delete leaving running workflows alone, close notices across continue-as-new, and exactly-once
 * actions when the object crashes after its commit or after its delivery.
 */
import { abortAllDurableObjects, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, describeWf, eventually, post, uniqueId, waitInPlace } from "../helpers";
import {
  createSchedule,
  describeSchedule,
  finish,
  scheduleSettles,
  scheduleStub,
  skipScheduleTime,
} from "./schedule-helpers";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe("schedule policies", () => {
  it("catch-up: 10 intervals of downtime with a window of 3 run exactly the last 3, 7 counted missed", async () => {
    const id = uniqueId("sched-catchup");
    // Daily, not every minute: the 11th nominal time comes due in real time as soon as the wall
    // clock crosses the next interval boundary, and a minute's boundary could fall within this
    // test (seen: a 4th action when the test began 2 s before a full minute).
    await createSchedule(id, {
      every: "1d",
      workflowType: "quickReport",
      policies: { overlap: "AllowAll", catchupWindow: "3d" },
    });
    const times = (await describeSchedule(id)).info.nextActionTimes;
    await skipScheduleTime(id, 10 * DAY);
    const d = await scheduleSettles(id, (s) => {
      expect(s.info.actionCount).toBe(3);
      expect(s.info.recentActions.every((a) => a.status === "Completed")).toBe(true);
    });
    expect(d.info.missedCatchupWindow).toBe(7);
    expect(d.info.recentActions.map((a) => a.scheduledTime).reverse()).toEqual(times.slice(7, 10));
    // The next action is the 11th nominal time: nothing missed is run later.
    expect(d.info.nextActionTimes[0]).toBe(new Date(Date.parse(times[9]!) + DAY).toISOString());
  });

  it("pauseOnFailure: a failed action pauses the schedule with a note", async () => {
    const id = uniqueId("sched-pof");
    await createSchedule(id, { every: "1h", policies: { pauseOnFailure: true } });
    await skipScheduleTime(id, HOUR);
    const started = await scheduleSettles(id, (s) =>
      expect(s.info.runningWorkflows).toHaveLength(1),
    );
    const wf = started.info.runningWorkflows[0]!.workflowId;
    await finish(wf, true);
    const d = await scheduleSettles(id, (s) => expect(s.state.paused).toBe(true));
    expect(d.state.note).toContain(wf);
    expect(d.state.note).toContain("Failed");
    expect(d.info.recentActions[0]?.status).toBe("Failed");
    expect(d.info.nextActionTimes).toEqual([]);
    await eventually(async () => {
      const state = await scheduleStub(id).unsafeAlarmState();
      expect(state.outbox).toBe(0);
      expect(state.armedAtMs).toBeNull();
    });
  });

  it("without pauseOnFailure a failed action leaves the schedule running", async () => {
    const id = uniqueId("sched-nopof");
    await createSchedule(id, { every: "1h" });
    await skipScheduleTime(id, HOUR);
    const started = await scheduleSettles(id, (s) =>
      expect(s.info.runningWorkflows).toHaveLength(1),
    );
    await finish(started.info.runningWorkflows[0]!.workflowId, true);
    const d = await scheduleSettles(id, (s) =>
      expect(s.info.recentActions[0]?.status).toBe("Failed"),
    );
    expect(d.state.paused).toBe(false);
  });

  it("remainingActions limits the scheduled actions; trigger does not use them up", async () => {
    const id = uniqueId("sched-remaining");
    await createSchedule(id, {
      every: "1h",
      workflowType: "quickReport",
      policies: { overlap: "AllowAll" },
      state: { remainingActions: 2 },
    });
    await skipScheduleTime(id, HOUR);
    await skipScheduleTime(id, HOUR);
    let d = await scheduleSettles(id, (s) => expect(s.info.actionCount).toBe(2));
    expect(d.state.remainingActions).toBe(0);
    expect(d.info.nextActionTimes).toEqual([]);
    await eventually(async () =>
      expect((await scheduleStub(id).unsafeAlarmState()).armedAtMs).toBeNull(),
    );
    expect((await post(`/api/v1/schedules/${id}/trigger`, {})).status).toBe(200);
    d = await scheduleSettles(id, (s) => expect(s.info.actionCount).toBe(3));
    expect(d.state.remainingActions).toBe(0);
  });

  it("trigger acts now under the policy, or under its overlap override", async () => {
    const id = uniqueId("sched-trigger");
    await createSchedule(id, { every: "1h", policies: { overlap: "Skip" } });
    expect((await post(`/api/v1/schedules/${id}/trigger`, {})).status).toBe(200);
    await scheduleSettles(id, (s) => expect(s.info.runningWorkflows).toHaveLength(1));
    // Skip: one is running, so the trigger takes no action.
    expect((await post(`/api/v1/schedules/${id}/trigger`, {})).status).toBe(200);
    let d = await scheduleSettles(id, (s) => expect(s.info.overlapSkipped).toBe(1));
    expect(d.info.runningWorkflows).toHaveLength(1);
    expect((await post(`/api/v1/schedules/${id}/trigger`, { overlap: "AllowAll" })).status).toBe(
      200,
    );
    d = await scheduleSettles(id, (s) => expect(s.info.runningWorkflows).toHaveLength(2));
    expect(d.info.actionCount).toBe(2);
    const bad = await post(`/api/v1/schedules/${id}/trigger`, { overlap: "Whenever" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain(
      "overlap",
    );
  });

  it("backfill takes every action of the range in nominal-time order, and refuses too large a range", async () => {
    const id = uniqueId("sched-backfill");
    await createSchedule(id, {
      every: "1h",
      workflowType: "quickReport",
      policies: { overlap: "AllowAll" },
    });
    const res = await post(`/api/v1/schedules/${id}/backfill`, {
      startTime: "2026-01-01T00:00:00Z",
      endTime: "2026-01-01T04:00:00Z",
    });
    expect(res.status).toBe(200);
    // Five starts at once: polled without cold evictions, which would set each back by a retry.
    const d = await scheduleSettles(
      id,
      (s) => {
        expect(s.info.actionCount).toBe(5);
        expect(s.info.recentActions.every((a) => a.status === "Completed")).toBe(true);
      },
      { evict: false },
    );
    const expected = [0, 1, 2, 3, 4].map((h) => `2026-01-01T0${h}:00:00.000Z`);
    expect(d.info.recentActions.map((a) => a.scheduledTime).reverse()).toEqual(expected);
    expect(d.info.recentActions.map((a) => a.workflowId).reverse()).toEqual(
      expected.map((t) => `${id}-${t}`),
    );

    const tooMany = await post(`/api/v1/schedules/${id}/backfill`, {
      startTime: "2025-01-01T00:00:00Z",
      endTime: "2026-01-01T00:00:00Z",
    });
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { error: { message: string } }).error.message).toContain(
      "1000",
    );
    const backwards = await post(`/api/v1/schedules/${id}/backfill`, {
      startTime: "2026-01-02T00:00:00Z",
      endTime: "2026-01-01T00:00:00Z",
    });
    expect(backwards.status).toBe(400);
    expect(((await backwards.json()) as { error: { message: string } }).error.message).toContain(
      "endTime",
    );
    const malformed = await post(`/api/v1/schedules/${id}/backfill`, {
      startTime: "yesterday",
      endTime: "2026-01-01T00:00:00Z",
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { message: string } }).error.message).toContain(
      "startTime",
    );
    expect((await describeSchedule(id)).info.actionCount).toBe(5);
  });

  it("delete removes the schedule, its alarm and list row; its running workflows keep running", async () => {
    const id = uniqueId("sched-delete");
    await createSchedule(id, { every: "1h" });
    await skipScheduleTime(id, HOUR);
    const started = await scheduleSettles(id, (s) =>
      expect(s.info.runningWorkflows).toHaveLength(1),
    );
    const wf = started.info.runningWorkflows[0]!.workflowId;
    expect((await api(`/api/v1/schedules/${id}`, { method: "DELETE" })).status).toBe(200);
    expect((await api(`/api/v1/schedules/${id}`)).status).toBe(404);
    expect((await scheduleStub(id).unsafeAlarmState()).armedAtMs).toBeNull();
    expect((await describeWf(wf)).status).toBe("Running");
    const list = await api(`/api/v1/schedules?query=${encodeURIComponent(`ScheduleId = '${id}'`)}`);
    expect(((await list.json()) as { schedules: unknown[] }).schedules).toEqual([]);
    // Its close notice finds no schedule: dropped, nothing recreated.
    await finish(wf);
    await eventually(async () => expect((await describeWf(wf)).status).toBe("Completed"));
    expect((await api(`/api/v1/schedules/${id}`)).status).toBe(404);
    expect((await api(`/api/v1/schedules/${id}`, { method: "DELETE" })).status).toBe(404);
  });

  it("hears of the close of the last run after continue-as-new, not of the first run's", async () => {
    const id = uniqueId("sched-can");
    await createSchedule(id, { every: "1h", input: { continueFirst: true } });
    await skipScheduleTime(id, HOUR);
    const started = await scheduleSettles(id, (s) =>
      expect(s.info.runningWorkflows).toHaveLength(1),
    );
    const wf = started.info.runningWorkflows[0]!.workflowId;
    const firstRun = started.info.runningWorkflows[0]!.runId;
    const latest = await eventually(async () => {
      const w = await describeWf(wf);
      expect(w.runId).not.toBe(firstRun);
      expect(w.status).toBe("Running");
      return w;
    });
    // The first run closed (ContinuedAsNew): the schedule still counts the workflow as running.
    expect((await describeSchedule(id)).info.runningWorkflows.map((w) => w.workflowId)).toEqual([
      wf,
    ]);
    await finish(wf);
    const d = await scheduleSettles(id, (s) => expect(s.info.runningWorkflows).toEqual([]));
    expect(d.info.recentActions[0]).toMatchObject({
      workflowId: wf,
      status: "Completed",
      runId: latest.runId,
    });
  });
});

describe("exactly once", () => {
  it("an action committed before a crash is delivered after the restart, once", async () => {
    const id = uniqueId("sched-crash-commit");
    await createSchedule(id, { every: "1h" });
    await scheduleStub(id).unsafeCrashAt("afterCommit");
    const res = await post(`/api/v1/schedules/${id}/trigger`, {});
    expect(res.status).toBe(500);
    // The crash: the object restarts from SQLite; the committed start is still in its outbox.
    await abortAllDurableObjects();
    const rows = await scheduleStub(id).unsafeOutbox();
    expect(rows.filter((r) => r.kind === "start")).toHaveLength(1);
    await runDurableObjectAlarm(scheduleStub(id));
    const d = await scheduleSettles(id, (s) => expect(s.info.runningWorkflows).toHaveLength(1));
    expect(d.info.actionCount).toBe(1);
    const wf = d.info.runningWorkflows[0]!;
    expect((await describeWf(wf.workflowId)).runId).toBe(wf.runId);
  });

  it("a start redelivered after a crash that lost its reply starts one workflow", async () => {
    const id = uniqueId("sched-crash-delivery");
    await createSchedule(id, { every: "1h" });
    await scheduleStub(id).unsafeCrashAt("afterDelivery");
    expect((await post(`/api/v1/schedules/${id}/trigger`, {})).status).toBe(200);
    // The start reached the execution, but its reply was lost: the row stays, counted as failed
    // (polled without evictions), until the alarm retries it a second later. That retry runs in
    // real time: on a slow machine it may go out before this poll sees the row. Either way, one
    // workflow must start: the row's target is read in the same poll that sees it.
    const failed = await waitInPlace(async () => {
      const rows = await scheduleStub(id).unsafeOutbox();
      if (rows.length === 0) return undefined; // already retried (and, once in a while, redelivered)
      expect(rows).toEqual([expect.objectContaining({ kind: "start" })]);
      if (rows[0]!.attempts < 1) throw new Error("not tried yet");
      return rows[0]!;
    });
    const wfId =
      failed?.target ??
      (
        await scheduleSettles(id, (s) => expect(s.info.runningWorkflows).toHaveLength(1), {
          evict: false,
        })
      ).info.runningWorkflows[0]!.workflowId;
    const first = await describeWf(wfId);
    expect(first.status).toBe("Running");
    // Redelivered: the same request id, so the execution starts nothing new (with idConflictPolicy
    // Fail a second start would be refused AlreadyStarted, and the action marked StartFailed).
    expect(await scheduleStub(id).unsafeDeliverOutbox()).toBe(0);
    const d = await scheduleSettles(id, (s) => expect(s.info.runningWorkflows).toHaveLength(1));
    expect(d.info.runningWorkflows[0]).toEqual({ workflowId: wfId, runId: first.runId });
    expect(d.info.recentActions[0]).toMatchObject({
      workflowId: wfId,
      status: "Running",
      runId: first.runId,
    });
    expect((await describeWf(wfId)).runId).toBe(first.runId);
  });
});
