/**
 * Issue 9 items 8 and 10 in workerd, warm and cold (the cold project evicts every object between
 * polls, so each step below also runs from a replay).
 */
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { strayGate } from "../fixtures/determinism-workflows";
import {
  describeWf,
  eventTypes,
  eventually,
  evictIfCold,
  history,
  mode,
  post,
  result,
  resultNoEviction,
  skipTime,
  start,
  stub,
  uniqueId,
  waitForTimer,
} from "../helpers";

async function query(workflowId: string, name: string): Promise<unknown> {
  const res = await post(
    `/api/v1/workflows/${encodeURIComponent(workflowId)}/queries/${encodeURIComponent(name)}`,
    {},
  );
  if (res.status !== 200) throw new Error(`query ${name}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { result: unknown }).result;
}

describe("item 8: determinism holes", () => {
  it("a condition predicate reading Date.now() sees workflow time", async () => {
    const workflowId = uniqueId("predicate");
    await start({ workflowType: "predicateClock", workflowId });
    await waitForTimer(workflowId);
    // Before: the predicate saw the real clock and the run completed at once.
    expect((await describeWf(workflowId)).status).toBe("Running");
    await evictIfCold();
    await skipTime(workflowId, 60_000);
    const body = (await result(workflowId)) as { status: string; result: number };
    expect(body.status).toBe("Completed");
    // The TimerFired task's time: a minute of skipped time plus the real time the test took.
    expect(body.result).toBeGreaterThanOrEqual(60_000);
    expect(body.result).toBeLessThan(70_000);
  });

  it("a query calling ctx.random() does not advance the run's generator", async () => {
    const workflowId = uniqueId("query-random");
    await start({ workflowType: "queryRandom", workflowId });
    await waitForTimer(workflowId);
    const answers = [
      await query(workflowId, "roll"),
      await query(workflowId, "roll"),
      await query(workflowId, "roll"),
    ];
    await evictIfCold();
    answers.push(await query(workflowId, "roll"));
    expect(new Set(answers).size).toBe(1);
    await skipTime(workflowId, 60_000);
    // The run's first draw is the value the queries saw on their throwaway fork.
    const body = await result(workflowId);
    expect(body).toMatchObject({ status: "Completed", result: answers[0] });
    // Cold replay of the closed run agrees with what the warm run recorded.
    await abortAllDurableObjects();
    expect((await result(workflowId)) as unknown).toEqual(body);
  });

  it("setTimeout in workflow code is a durable timer; clearTimeout cancels it", async () => {
    const workflowId = uniqueId("set-timeout");
    const { runId } = await start({ workflowType: "timeoutUser", workflowId });
    const timer = await waitForTimer(workflowId);
    const [started] = await history(workflowId);
    expect(timer.fireAtMs - Date.parse(started?.timestamp ?? "")).toBe(30_000);
    await evictIfCold();
    await skipTime(workflowId, 30_000);
    expect(await result(workflowId)).toEqual({
      status: "Completed",
      result: { fired: false },
      runId,
    });
    expect(await eventTypes(workflowId)).toEqual([
      "WorkflowExecutionStarted",
      "TimerStarted",
      "TimerCanceled",
      "TimerStarted",
      "TimerFired",
      "WorkflowExecutionCompleted",
    ]);
  });

  it("awaiting fetch() fails the workflow task with a message naming the cause", async () => {
    const workflowId = uniqueId("fetch");
    await start({ workflowType: "fetcher", workflowId });
    const failure = await eventually(async () => {
      const d = await describeWf(workflowId);
      if (!d.workflowTaskFailure) throw new Error("no task failure yet");
      return d.workflowTaskFailure;
    });
    expect(failure.type).toBe("DeterminismViolation");
    expect(failure.message).toMatch(/fetch\(\).*activity/);
    const events = await history(workflowId);
    const failed = events.find((e) => e.eventType === "WorkflowTaskFailed");
    expect(failed?.attributes).toMatchObject({
      cause: "WorkflowError",
      failure: { type: "DeterminismViolation" },
    });
    expect((await describeWf(workflowId)).status).toBe("Running");
  });
});

describe("item 8: Date(), performance.now() and crypto.getRandomValues", () => {
  it("are deterministic in workflow code: a cold replay gives the same values", async () => {
    const workflowId = uniqueId("more-globals");
    await start({ workflowType: "moreGlobals", workflowId });
    await waitForTimer(workflowId);
    await skipTime(workflowId, 60_000);
    const body = (await result(workflowId)) as unknown as {
      result: Array<{ date: string; perf: number; bytes: number[] }>;
    };
    const [first, second] = body.result;
    const events = await history(workflowId);
    const startedAt = Date.parse(events[0]?.timestamp ?? "");
    const firedAt = Date.parse(events.find((e) => e.eventType === "TimerFired")?.timestamp ?? "");
    expect(first?.date).toBe(new Date(startedAt).toString());
    expect(second?.date).toBe(new Date(firedAt).toString());
    expect([first?.perf, second?.perf]).toEqual([0, firedAt - startedAt]);
    expect(first?.bytes).toHaveLength(6);
    expect(second?.bytes).not.toEqual(first?.bytes);
    // A query on the closed run replays it from scratch: the same values come back.
    await abortAllDurableObjects();
    expect(await query(workflowId, "samples")).toEqual(body.result);
  });
});

describe("item 8: code resuming between workflow tasks", () => {
  it("fails the task at once, naming the cause, instead of leaving its commands unrecorded", async () => {
    const workflowId = uniqueId("stray");
    strayGate.release = undefined;
    await start({ workflowType: "strayAwait", workflowId });
    const failure = await eventually(async () => {
      // The foreign promise resolves between tasks inside the object, as its own I/O would. After
      // an eviction (cold) the promise is gone with the old runtime: a query replays the run and
      // the replayed code awaits a new one.
      await runInDurableObject(stub(workflowId), () => strayGate.release?.());
      if (mode === "cold") await post(`/api/v1/workflows/${workflowId}/queries/any`, {});
      const d = await describeWf(workflowId);
      if (!d.workflowTaskFailure) throw new Error("no task failure yet");
      return d.workflowTaskFailure;
    });
    expect(failure.type).toBe("DeterminismViolation");
    expect(failure.message).toMatch(/awaited a promise the runtime did not create/);
    // Before: the sleep's StartTimer sat in memory, unrecorded, until some other event arrived.
    expect(await eventTypes(workflowId)).not.toContain("TimerStarted");
  });
});

describe("item 10: Temporal's semantics for everyday code", () => {
  it("sleep(0), sleep(negative) and condition(fn, negative) are 1 ms timers", async () => {
    const workflowId = uniqueId("sleep-zero");
    await start({ workflowType: "sleepsZero", workflowId });
    // Each 1 ms timer is due at once: the object's alarm fires it without any time skipped.
    // Polled without the cold project's evictions: an eviction during an alarm's handler makes
    // workerd retry that alarm with a growing backoff (2 s, 4 s, ...), and three alarms in a row
    // under evictions every 200 ms took up to 17 s of the 20 s wait (CI logs).
    expect(await resultNoEviction(workflowId)).toMatchObject({
      status: "Completed",
      result: { ok: false },
    });
    const started = (await history(workflowId)).filter((e) => e.eventType === "TimerStarted");
    expect(started.map((e) => e.attributes.durationMs)).toEqual([1, 1, 1]);
    expect((await describeWf(workflowId)).workflowTaskFailure).toBeNull();
  });

  it("a signal name built at run time and starting with a digit works end to end", async () => {
    const workflowId = uniqueId("dynamic-signal");
    await start({ workflowType: "dynamicSignal", workflowId });
    const name = (await eventually(() => query(workflowId, "signalName"))) as string;
    expect(name).toMatch(/^1[0-9a-f-]{36}$/);
    await evictIfCold();
    const res = await post(
      `/api/v1/workflows/${encodeURIComponent(workflowId)}/signals/${encodeURIComponent(name)}`,
      { input: 7 },
    );
    expect(res.status).toBe(202);
    expect(await result(workflowId)).toMatchObject({
      status: "Completed",
      result: { name, got: 7 },
    });
  });

  it("handler names: empty or longer than 256 characters are a 400", async () => {
    const workflowId = uniqueId("names");
    await start({ workflowType: "dynamicSignal", workflowId });
    const long = await post(`/api/v1/workflows/${workflowId}/signals/${"x".repeat(257)}`, {});
    expect(long.status).toBe(400);
    expect(await long.json()).toMatchObject({ error: { code: "InvalidArgument" } });
    const ok = await post(`/api/v1/workflows/${workflowId}/signals/${"x".repeat(256)}`, {});
    expect(ok.status).toBe(202);
    // The engine checks the same rule for every caller of the object, not only the API.
    expect(await stub(workflowId).signal("", "1")).toMatchObject({
      ok: false,
      error: { code: "InvalidArgument" },
    });
    expect(await stub(workflowId).signal("x".repeat(257), "1")).toMatchObject({ ok: false });
    expect(await stub(workflowId).signal("2fa", "1")).toEqual({ ok: true });
  });

  it("a start without input gives undefined (the default parameter applies); explicit null stays null", async () => {
    const absentId = uniqueId("no-input");
    const nullId = uniqueId("null-input");
    await start({ workflowType: "defaultInput", workflowId: absentId });
    await start({ workflowType: "defaultInput", workflowId: nullId, input: null });
    expect(await result(absentId)).toMatchObject({ status: "Completed", result: { who: "world" } });
    expect(await result(nullId)).toMatchObject({ status: "Completed", result: { who: null } });
    const [absentStarted] = await history(absentId);
    const [nullStarted] = await history(nullId);
    expect(absentStarted?.attributes).not.toHaveProperty("input");
    expect(nullStarted?.attributes).toHaveProperty("input", null);
  });

  it("a signal, update or query without input gives undefined to its handler; null stays null", async () => {
    const workflowId = uniqueId("no-message-input");
    await start({ workflowType: "defaultMessages", workflowId });
    const path = `/api/v1/workflows/${workflowId}`;
    expect(await eventually(() => query(workflowId, "echo"))).toBe("default");
    const q = await post(`${path}/queries/echo`, { input: null });
    expect(await q.json()).toEqual({ result: null });
    const u1 = await post(`${path}/updates/echo`, {});
    expect(await u1.json()).toMatchObject({ result: "default" });
    await evictIfCold();
    const u2 = await post(`${path}/updates/echo`, { input: null });
    expect(await u2.json()).toMatchObject({ result: null });
    expect((await post(`${path}/signals/give`, {})).status).toBe(202);
    expect((await post(`${path}/signals/give`, { input: null })).status).toBe(202);
    expect(await result(workflowId)).toMatchObject({
      status: "Completed",
      result: ["default", null],
    });
    const signalled = (await history(workflowId)).filter(
      (e) => e.eventType === "WorkflowExecutionSignaled",
    );
    expect(signalled[0]?.attributes).not.toHaveProperty("input");
    expect(signalled[1]?.attributes).toHaveProperty("input", null);
  });
});
