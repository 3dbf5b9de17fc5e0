/**
 * Each overlap policy in workerd with time skipping, against a long-running action (scheduledWork
 * waits for a "finish" signal): the schedule learns of closes from the executions' close notices.
 */
import { describe, expect, it } from "vitest";
import { describeWf, uniqueId } from "../helpers";
import {
  createSchedule,
  describeSchedule,
  finish,
  scheduleSettles,
  skipScheduleTime,
} from "./schedule-helpers";

const HOUR = 3_600_000;

/** Creates an hourly schedule with `overlap` and takes three actions an hour apart. */
async function threeActions(overlap: string) {
  const id = uniqueId(`sched-${overlap}`);
  await createSchedule(id, { every: "1h", policies: { overlap } });
  const times = (await describeSchedule(id)).info.nextActionTimes.slice(0, 3);
  const wf = times.map((t) => `${id}-${t}`);
  await skipScheduleTime(id, HOUR);
  await scheduleSettles(id, (d) =>
    expect(d.info.runningWorkflows.map((w) => w.workflowId)).toEqual([wf[0]]),
  );
  await skipScheduleTime(id, HOUR);
  await skipScheduleTime(id, HOUR);
  return { id, wf };
}

const running = (d: { info: { runningWorkflows: { workflowId: string }[] } }) =>
  d.info.runningWorkflows.map((w) => w.workflowId).sort();

describe("overlap policies", () => {
  it("Skip starts none while one runs", async () => {
    const { id, wf } = await threeActions("Skip");
    const d = await scheduleSettles(id, (s) => expect(s.info.overlapSkipped).toBe(2));
    expect(running(d)).toEqual([wf[0]]);
    expect(d.info.actionCount).toBe(1);
    await finish(wf[0]!);
    const after = await scheduleSettles(id, (s) =>
      expect(s.info.recentActions[0]?.status).toBe("Completed"),
    );
    expect(after.info.runningWorkflows).toEqual([]);
    expect(after.info.actionCount).toBe(1);
  });

  it("BufferOne starts exactly one after the running one closes", async () => {
    const { id, wf } = await threeActions("BufferOne");
    let d = await scheduleSettles(id, (s) => expect(s.info.overlapSkipped).toBe(1));
    expect(d.info.bufferedActions).toBe(1);
    await finish(wf[0]!);
    d = await scheduleSettles(id, (s) => expect(running(s)).toEqual([wf[1]]));
    expect(d.info.bufferedActions).toBe(0);
    expect(d.info.actionCount).toBe(2);
    await finish(wf[1]!);
    d = await scheduleSettles(id, (s) => expect(s.info.runningWorkflows).toEqual([]));
    expect(d.info.actionCount).toBe(2);
  });

  it("BufferAll starts every buffered action in order, one after another", async () => {
    const { id, wf } = await threeActions("BufferAll");
    let d = await scheduleSettles(id, (s) => expect(s.info.bufferedActions).toBe(2));
    expect(d.info.overlapSkipped).toBe(0);
    await finish(wf[0]!);
    d = await scheduleSettles(id, (s) => expect(running(s)).toEqual([wf[1]]));
    expect(d.info.bufferedActions).toBe(1);
    await finish(wf[1]!);
    d = await scheduleSettles(id, (s) => expect(running(s)).toEqual([wf[2]]));
    await finish(wf[2]!);
    d = await scheduleSettles(id, (s) => expect(s.info.runningWorkflows).toEqual([]));
    expect(d.info.actionCount).toBe(3);
    expect(d.info.recentActions.map((a) => a.workflowId)).toEqual([wf[2], wf[1], wf[0]]);
  });

  it("CancelOther cancels the running one, then starts the new one once it closed", async () => {
    const id = uniqueId("sched-CancelOther");
    await createSchedule(id, { every: "1h", policies: { overlap: "CancelOther" } });
    const times = (await describeSchedule(id)).info.nextActionTimes.slice(0, 2);
    const wf = times.map((t) => `${id}-${t}`);
    await skipScheduleTime(id, HOUR);
    await scheduleSettles(id, (s) => expect(running(s)).toEqual([wf[0]]));
    await skipScheduleTime(id, HOUR);
    const d = await scheduleSettles(id, (s) => expect(running(s)).toEqual([wf[1]]));
    expect(d.info.recentActions.find((a) => a.workflowId === wf[0])?.status).toBe("Canceled");
    expect((await describeWf(wf[0]!)).status).toBe("Canceled");
    expect((await describeWf(wf[1]!)).status).toBe("Running");
    expect(d.info.actionCount).toBe(2);
  });

  it("TerminateOther terminates the running one, then starts the new one", async () => {
    const id = uniqueId("sched-TerminateOther");
    await createSchedule(id, { every: "1h", policies: { overlap: "TerminateOther" } });
    const times = (await describeSchedule(id)).info.nextActionTimes.slice(0, 2);
    const wf = times.map((t) => `${id}-${t}`);
    await skipScheduleTime(id, HOUR);
    await scheduleSettles(id, (s) => expect(running(s)).toEqual([wf[0]]));
    await skipScheduleTime(id, HOUR);
    const d = await scheduleSettles(id, (s) => expect(running(s)).toEqual([wf[1]]));
    expect(d.info.recentActions.find((a) => a.workflowId === wf[0])?.status).toBe("Terminated");
    expect((await describeWf(wf[0]!)).status).toBe("Terminated");
    expect(d.info.actionCount).toBe(2);
  });

  it("AllowAll runs them side by side", async () => {
    const { id, wf } = await threeActions("AllowAll");
    const d = await scheduleSettles(id, (s) => expect(running(s)).toEqual([...wf].sort()));
    expect(d.info.actionCount).toBe(3);
    expect(d.info.overlapSkipped).toBe(0);
    for (const w of wf) expect((await describeWf(w)).status).toBe("Running");
  });
});
