import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { codeVersion } from "../fixtures/workflows";
import {
  assertIncreasingIds,
  describeWf,
  eventTypes,
  eventually,
  history,
  post,
  result,
  skipTime,
  start,
  stub,
  timers,
  uniqueId,
  waitForTimer,
} from "../helpers";

afterEach(() => {
  codeVersion.value = 1;
});

describe("durable sleep", () => {
  it("sleeps an hour by firing the alarm, not by waiting", async () => {
    const workflowId = uniqueId("sleep");
    await start({ workflowType: "sleeper", workflowId, input: { sleeps: ["1h"] } });
    const timer = await waitForTimer(workflowId, "timer");
    expect((await describeWf(workflowId)).status).toBe("Running");
    // Once the outbox (visibility row) is delivered, the alarm is the timer's.
    await eventually(async () => {
      const alarm = await runInDurableObject(stub(workflowId), (_obj, state) =>
        state.storage.getAlarm(),
      );
      expect(alarm).toBe(timer.fireAtMs);
    });

    await skipTime(workflowId, 3_600_000);
    const body = await result(workflowId);
    expect(body.status).toBe("Completed");
    // Workflow time is the time of the task: the hour, plus however late the alarm ran.
    const { elapsedMs } = (body as unknown as { result: { elapsedMs: number } }).result;
    expect(elapsedMs).toBeGreaterThanOrEqual(3_600_000);
    expect(elapsedMs).toBeLessThan(3_660_000);
    const events = await history(workflowId);
    assertIncreasingIds(events);
    expect(events.map((e) => e.eventType)).toEqual([
      "WorkflowExecutionStarted",
      "TimerStarted",
      "TimerFired",
      "WorkflowExecutionCompleted",
    ]);
    expect(events[1]?.attributes).toMatchObject({ durationMs: 3_600_000 });
  });

  it("multiplexes many timers over the one alarm, earliest first", async () => {
    const workflowId = uniqueId("timers");
    // Minutes apart: each timer is due in real time too (the test clock only skips ahead), and none
    // may fire on its own before the skips below, however slow the machine.
    const sleeps = ["5m", "1m", "3m", "2m", "4m", "1d"];
    await start({ workflowType: "sleeper", workflowId, input: { sleeps } });
    await eventually(async () => {
      const rows = (await timers(workflowId)).filter((t) => t.kind === "timer");
      if (rows.length !== sleeps.length) throw new Error(`${rows.length} timers`);
    });
    const rows = await timers(workflowId);
    const earliest = Math.min(...rows.map((t) => t.fireAtMs));
    await eventually(async () => {
      const alarm = await runInDurableObject(stub(workflowId), (_obj, state) =>
        state.storage.getAlarm(),
      );
      expect(alarm).toBe(earliest);
    });

    // Each alarm fires what is due and re-arms the alarm for the next timer.
    await skipTime(workflowId, 60_000);
    await skipTime(workflowId, 60_000);
    let fired = (await eventTypes(workflowId)).filter((t) => t === "TimerFired");
    expect(fired).toHaveLength(2);
    const nextTimer = Math.min(...(await timers(workflowId)).map((t) => t.fireAtMs));
    expect(nextTimer).toBe(earliest + 120_000);
    // The alarm is in real time; the test has moved the execution's clock 2 min ahead of it.
    await eventually(async () => {
      const next = await runInDurableObject(stub(workflowId), (_obj, state) =>
        state.storage.getAlarm(),
      );
      expect(next).toBe(nextTimer - 120_000);
    });

    await skipTime(workflowId, 86_400_000);
    expect(await result(workflowId)).toMatchObject({ status: "Completed" });
    fired = (await eventTypes(workflowId)).filter((t) => t === "TimerFired");
    expect(fired).toHaveLength(sleeps.length);
    // Only the closed run's deletion at close + retention (src/retention) is left.
    expect((await timers(workflowId)).map((t) => t.kind)).toEqual(["retention"]);
  });

  it("replays now(), random() and uuid() to the same values", async () => {
    const workflowId = uniqueId("determinism");
    // A minute: the test waits for the timer, which runs out in real time too.
    await start({ workflowType: "sleeper", workflowId, input: { sleeps: ["1m"] } });
    await waitForTimer(workflowId, "timer");
    await skipTime(workflowId, 60_000);
    const first = (await result(workflowId)) as { status: string; result: Record<string, unknown> };
    expect(first.status).toBe("Completed");
    const events = await history(workflowId);
    expect(first.result.startedMs).toBe(Date.parse(events[0]?.timestamp ?? ""));
    expect(first.result.elapsedMs).toBeGreaterThanOrEqual(60_000);
    await abortAllDurableObjects();
    const replayed = await stub(workflowId).unsafeReplay();
    expect(replayed.historyLength).toBe(events.length);
    // A query on the closed run replays the code from its history: the values drawn again must be
    // the recorded ones (replay matches CompleteWorkflow by type only, so the result alone proves nothing).
    const res = await post(`/api/v1/workflows/${workflowId}/queries/values`, {});
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ result: first.result });
  });
});

describe("workflow-task failures", () => {
  it("fails the workflow task on non-determinism, keeps history, and completes once the code is restored", async () => {
    const workflowId = uniqueId("nde");
    await start({ workflowType: "shapeShifter", workflowId });
    await waitForTimer(workflowId, "timer");
    const before = await history(workflowId);
    expect(before.map((e) => e.eventType)).toEqual([
      "WorkflowExecutionStarted",
      "ActivityTaskScheduled",
      "ActivityTaskStarted",
      "ActivityTaskCompleted",
      "TimerStarted",
    ]);

    // New code issues a different first activity: replaying the old history must fail the task.
    codeVersion.value = 2;
    await abortAllDurableObjects();
    await skipTime(workflowId, 60_000);
    const failed = await eventually(async () => {
      const desc = await describeWf(workflowId);
      if (!desc.workflowTaskFailure) throw new Error("no workflow-task failure yet");
      return desc;
    });
    expect(failed.status).toBe("Running");
    expect(failed.workflowTaskFailure).toMatchObject({ type: "NonDeterminismError" });
    const during = await history(workflowId);
    expect(during.slice(0, before.length)).toEqual(before);
    expect(during.slice(before.length).map((e) => e.eventType)).toEqual([
      "TimerFired",
      "WorkflowTaskFailed",
    ]);
    expect(JSON.stringify(during)).not.toContain("    at ");

    // Retried with backoff: still failing, nothing more is written.
    await skipTime(workflowId, 1000);
    expect((await history(workflowId)).length).toBe(during.length);
    expect((await describeWf(workflowId)).status).toBe("Running");

    codeVersion.value = 1;
    // The task's retry is due 2 s later, in real time too: it may have run (and completed the run)
    // before the test looks for its timer. Move the clock past it instead; the alarm, armed now,
    // runs it if it has not run yet.
    await stub(workflowId).unsafeAdvanceClock(2000);
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: "done" });
    const after = await history(workflowId);
    assertIncreasingIds(after);
    expect(after.slice(0, during.length)).toEqual(during);
    expect(after.at(-1)?.eventType).toBe("WorkflowExecutionCompleted");
    expect((await describeWf(workflowId)).workflowTaskFailure).toBeNull();
  });

  it("treats a plain Error thrown by workflow code as a task failure, not a failed execution", async () => {
    const workflowId = uniqueId("buggy");
    codeVersion.value = 2;
    await start({ workflowType: "buggy", workflowId });
    await waitForTimer(workflowId, "timer");
    await skipTime(workflowId, 60_000);
    const desc = await eventually(async () => {
      const d = await describeWf(workflowId);
      if (!d.workflowTaskFailure) throw new Error("no task failure yet");
      return d;
    });
    expect(desc).toMatchObject({
      status: "Running",
      workflowTaskFailure: { type: "TypeError", message: "bug in workflow code" },
    });
    codeVersion.value = 1;
    // As above: the retry (1 s, or 2 s after a second failure) may run before the test looks.
    await stub(workflowId).unsafeAdvanceClock(2000);
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: "fixed" });
    expect((await eventTypes(workflowId)).filter((t) => t === "WorkflowTaskFailed")).toHaveLength(
      1,
    );
  });
});

describe("deterministic platform globals in workflow code", () => {
  it("makes Date.now, new Date, Math.random and crypto.randomUUID replay to the same values", async () => {
    const workflowId = uniqueId("globals");
    await start({ workflowType: "globalsUser", workflowId });
    const timer = await waitForTimer(workflowId);
    const [started] = await history(workflowId);
    const sleptMs = timer.fireAtMs - Date.parse(started?.timestamp ?? "");
    expect(sleptMs).toBeGreaterThanOrEqual(60_000);
    expect(sleptMs).toBeLessThan(61_000);
    // A day of skipped time: workflow time runs a day ahead of the platform's from here on.
    await skipTime(workflowId, 86_400_000);
    const body = await result(workflowId);
    expect(body.status).toBe("Completed");
    const seen = (body as unknown as { result: Array<Record<string, unknown>> }).result;
    expect(seen).toHaveLength(2);
    for (const s of seen) {
      // Workflow time is the event's time, as ctx.now() says.
      expect(s.now).toBe(s.ctxNow);
      expect(s.date).toBe(new Date(s.now as number).toISOString());
      expect(s.random).toBeGreaterThanOrEqual(0);
      expect(s.random).toBeLessThan(1);
      expect(s.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    expect(seen[0]?.now).toBe(Date.parse(started?.timestamp ?? ""));
    // A query on the closed run replays its history from scratch: the same values come back.
    await abortAllDurableObjects();
    const replayed = await post(`/api/v1/workflows/${workflowId}/queries/seen`, {});
    expect(replayed.status).toBe(200);
    expect(await replayed.json()).toEqual({ result: seen });
    // Outside workflow code the globals are the real ones: the platform's clock is a day behind the
    // workflow's second sample (a leaked patch would return workflow time here).
    const second = seen[1]?.now as number;
    expect(second - Date.now()).toBeGreaterThan(43_200_000);
    expect(second - new Date().getTime()).toBeGreaterThan(43_200_000);
  });
});
