/**
 * Messages and lifecycle in workerd: signals, queries, updates, cancellation, termination, child
 * workflows, continue-as-new, patching and workflow timeouts. Runs warm and cold (in cold mode every
 * poll may evict all objects, so each step also survives a crash).
 */
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import type { ResultResponse } from "../../sdk/common/wire";
import { abortsSeen, codeVersion, gatesPassed, releaseHung } from "../fixtures/workflows";
import {
  api,
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

const wf = (id: string) => `/api/v1/workflows/${encodeURIComponent(id)}`;

function signal(workflowId: string, name: string, body: Record<string, unknown> = {}) {
  return post(`${wf(workflowId)}/signals/${name}`, body);
}

function query(workflowId: string, name: string, body: Record<string, unknown> = {}) {
  return post(`${wf(workflowId)}/queries/${name}`, body);
}

function update(workflowId: string, name: string, body: Record<string, unknown> = {}) {
  return post(`${wf(workflowId)}/updates/${name}`, body);
}

async function errorOf(res: Response) {
  const body = (await res.json()) as { error: { code: string; message: string } };
  return { status: res.status, ...body.error };
}

function count(types: string[], type: string): number {
  return types.filter((t) => t === type).length;
}

/** Waits until the history holds an event of `type` and returns the history. */
async function untilEvent(workflowId: string, type: string, runId?: string) {
  return eventually(async () => {
    const events = await history(workflowId, runId);
    if (!events.some((e) => e.eventType === type)) throw new Error(`no ${type} yet`);
    return events;
  });
}

describe("signals", () => {
  it("buffers signals sent before the handler exists and delivers all in order", async () => {
    const workflowId = uniqueId("collect");
    // A minute's sleep: the timer must still be there when the test sees it (it runs out in real
    // time too), and the two signals must come before it fires.
    await start({ workflowType: "collector", workflowId, input: { n: 3, wait: "1m" } });
    await waitForTimer(workflowId);
    // No handler yet (it is set after the sleep): these two are buffered.
    expect((await signal(workflowId, "item", { input: "a" })).status).toBe(202);
    expect((await signal(workflowId, "item", { input: "b" })).status).toBe(202);
    await skipTime(workflowId, 60_000);
    await untilEvent(workflowId, "TimerFired");
    expect((await describeWf(workflowId)).status).toBe("Running");
    // The handler exists now.
    expect((await signal(workflowId, "item", { input: "c" })).status).toBe(202);
    expect(await result(workflowId)).toMatchObject({
      status: "Completed",
      result: ["a", "b", "c"],
    });
    const types = await eventTypes(workflowId);
    expect(count(types, "WorkflowExecutionSignaled")).toBe(3);
    const signaled = (await history(workflowId)).filter(
      (e) => e.eventType === "WorkflowExecutionSignaled",
    );
    expect(signaled.map((e) => e.attributes.signalName)).toEqual(["item", "item", "item"]);
  });

  it("delivers a signal retried with the same requestId once", async () => {
    const workflowId = uniqueId("dedupe");
    await start({ workflowType: "collector", workflowId, input: { n: 2, wait: "1m" } });
    await waitForTimer(workflowId);
    for (let i = 0; i < 3; i++) {
      expect((await signal(workflowId, "item", { input: "x", requestId: "r-1" })).status).toBe(202);
    }
    expect((await signal(workflowId, "item", { input: "y", requestId: "r-2" })).status).toBe(202);
    await skipTime(workflowId, 60_000);
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: ["x", "y"] });
    expect(count(await eventTypes(workflowId), "WorkflowExecutionSignaled")).toBe(2);
  });

  it("signal-with-start starts a new execution with the signal first in its history", async () => {
    const workflowId = uniqueId("sws-new");
    const res = await post("/api/v1/workflows", {
      workflowType: "collector",
      workflowId,
      input: { n: 1, wait: "1m" },
      signal: { name: "item", input: "first" },
    });
    expect(res.status).toBe(201);
    const types = await eventTypes(workflowId);
    expect(types.slice(0, 2)).toEqual(["WorkflowExecutionStarted", "WorkflowExecutionSignaled"]);
    await waitForTimer(workflowId);
    await skipTime(workflowId, 60_000);
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: ["first"] });
  });

  it("signal-with-start on a running id signals that run and starts nothing", async () => {
    const workflowId = uniqueId("sws-running");
    const first = await start({
      workflowType: "collector",
      workflowId,
      input: { n: 2, wait: "1m" },
    });
    await signal(workflowId, "item", { input: "one" });
    const res = await post("/api/v1/workflows", {
      workflowType: "collector",
      workflowId,
      input: { n: 99 },
      signal: { name: "item", input: "two" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ runId: first.runId, started: false });
    await waitForTimer(workflowId);
    await skipTime(workflowId, 60_000);
    expect(await result(workflowId)).toMatchObject({
      status: "Completed",
      result: ["one", "two"],
      runId: first.runId,
    });
  });

  it("signals another execution from workflow code", async () => {
    const target = uniqueId("target");
    const sender = uniqueId("sender");
    await start({ workflowType: "collector", workflowId: target, input: { n: 1, wait: "1h" } });
    await start({ workflowType: "signaller", workflowId: sender, input: { target } });
    expect(await result(sender)).toMatchObject({ status: "Completed", result: "sent" });
    const senderTypes = await eventTypes(sender);
    expect(count(senderTypes, "SignalExternalWorkflowExecutionInitiated")).toBe(1);
    expect(count(senderTypes, "ExternalWorkflowExecutionSignaled")).toBe(1);
    // The signal waits in the buffer until the target's hour-long sleep is skipped.
    expect(count(await eventTypes(target), "WorkflowExecutionSignaled")).toBe(1);
    await skipTime(target, 3_600_000);
    expect(await result(target)).toMatchObject({
      status: "Completed",
      result: ["from-signaller"],
    });
    expect(count(await eventTypes(target), "WorkflowExecutionSignaled")).toBe(1);
  });
});

describe("queries", () => {
  it("answers from warm and from replayed state and records nothing", async () => {
    const workflowId = uniqueId("query");
    await start({ workflowType: "approval", workflowId, input: { item: "laptop", timeout: "1h" } });
    await waitForTimer(workflowId);
    const before = await history(workflowId);

    const warm = await query(workflowId, "state");
    expect(warm.status).toBe(200);
    const warmBody = (await warm.json()) as { result: { status: string; item: string } };
    expect(warmBody.result).toMatchObject({ item: "laptop", status: "waiting" });

    await abortAllDurableObjects();
    const cold = await query(workflowId, "state");
    expect(cold.status).toBe(200);
    expect(await cold.json()).toEqual(warmBody);
    expect(await history(workflowId)).toEqual(before);
  });

  it("rejects an unknown query with 400 and records nothing", async () => {
    const workflowId = uniqueId("query-unknown");
    await start({ workflowType: "approval", workflowId, input: { item: "desk" } });
    await waitForTimer(workflowId);
    const before = await history(workflowId);
    const err = await errorOf(await query(workflowId, "nope"));
    expect(err).toMatchObject({ status: 400, code: "InvalidArgument" });
    expect(err.message).toContain("nope");
    expect(await history(workflowId)).toEqual(before);
  });
});

describe("updates", () => {
  it("rejects through the validator with 400, accepts, and dedupes by updateId", async () => {
    const workflowId = uniqueId("update");
    await start({ workflowType: "approval", workflowId, input: { item: "car", timeout: "1h" } });
    await waitForTimer(workflowId);
    const before = await history(workflowId);

    const rejected = await errorOf(await update(workflowId, "extend", { input: { by: "-5m" } }));
    expect(rejected.status).toBe(400);
    expect(rejected.message).toContain("positive duration");
    expect(await history(workflowId)).toEqual(before);

    const accepted = await update(workflowId, "extend", { input: { by: "30m" }, updateId: "u-1" });
    expect(accepted.status).toBe(200);
    const { result: deadline } = (await accepted.json()) as { result: string };
    const state = (await (await query(workflowId, "state")).json()) as {
      result: { deadline: string };
    };
    expect(state.result.deadline).toBe(deadline);

    await abortAllDurableObjects();
    const again = await update(workflowId, "extend", { input: { by: "30m" }, updateId: "u-1" });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ result: deadline });
    const types = await eventTypes(workflowId);
    expect(count(types, "WorkflowExecutionUpdateAccepted")).toBe(1);
    expect(count(types, "WorkflowExecutionUpdateCompleted")).toBe(1);

    await signal(workflowId, "approve", { input: { approved: true, by: "Grace" } });
    expect(await result(workflowId)).toMatchObject({
      status: "Completed",
      result: { item: "car", approved: true, by: "Grace", decidedBy: "signal" },
    });
  });

  it("answers 400 for an unknown update and records nothing", async () => {
    const workflowId = uniqueId("update-unknown");
    await start({ workflowType: "approval", workflowId, input: { item: "pen" } });
    await waitForTimer(workflowId);
    const before = await history(workflowId);
    expect((await update(workflowId, "shorten", { input: {} })).status).toBe(400);
    expect(await history(workflowId)).toEqual(before);
  });
});

describe("cancellation", () => {
  it.each(["timer", "signal", "activity"] as const)(
    "ends a workflow waiting on a %s Canceled, after cleanup in a non-cancellable scope",
    async (on) => {
      const workflowId = uniqueId(`cancel-${on}`);
      await start({ workflowType: "cancellable", workflowId, input: { on } });
      if (on === "timer") await waitForTimer(workflowId);
      if (on === "activity") {
        // Wait until the activity runs and has heartbeated.
        await eventually(async () => {
          const [pending] = (await describeWf(workflowId)).pendingActivities;
          if (!pending?.lastHeartbeat) throw new Error("no heartbeat yet");
        });
      }
      const res = await post(`${wf(workflowId)}/cancel`, { reason: "user asked" });
      expect(res.status).toBe(202);

      const body = await result(workflowId);
      expect(body.status).toBe("Canceled");
      const events = await history(workflowId);
      const types = events.map((e) => e.eventType);
      expect(count(types, "WorkflowExecutionCancelRequested")).toBe(1);
      expect(types.at(-1)).toBe("WorkflowExecutionCanceled");
      // The cleanup (a local activity) ran after the cancel request.
      const requested = types.indexOf("WorkflowExecutionCancelRequested");
      const marker = events.findIndex((e) => e.eventType === "MarkerRecorded");
      expect(marker).toBeGreaterThan(requested);
      if (on === "timer") expect(count(types, "TimerCanceled")).toBe(1);
      if (on === "activity") {
        expect(count(types, "ActivityTaskCancelRequested")).toBe(1);
        // The running attempt learns of it through its heartbeat and sees its AbortSignal fire.
        await eventually(async () => {
          if (![...abortsSeen].some((k) => k.startsWith(`${workflowId}/`))) {
            throw new Error("activity has not seen its abort signal yet");
          }
        });
      }
      // Only the closed run's deletion at close + retention (src/retention) is left.
      expect((await timers(workflowId)).map((t) => t.kind)).toEqual(["retention"]);
      const desc = await describeWf(workflowId);
      expect(desc.pendingActivities).toEqual([]);
      expect(desc.pendingTimers).toEqual([]);
    },
  );

  it("answers 409 to a cancel of a closed workflow and 404 to an unknown one", async () => {
    const workflowId = uniqueId("cancel-closed");
    await start({ workflowType: "oneActivity", workflowId, input: { type: "echo", input: 1 } });
    expect(await result(workflowId)).toMatchObject({ status: "Completed" });
    const before = await history(workflowId);
    expect((await errorOf(await post(`${wf(workflowId)}/cancel`, {}))).status).toBe(409);
    expect(await history(workflowId)).toEqual(before);
    expect((await errorOf(await post(`${wf(uniqueId("nobody"))}/cancel`, {}))).status).toBe(404);
  });
});

describe("termination", () => {
  it("terminates at once during a running activity and ignores its late completion", async () => {
    const workflowId = uniqueId("terminate");
    await start({
      workflowType: "oneActivity",
      workflowId,
      input: { type: "gated", options: { startToCloseTimeout: "1h" } },
    });
    // (ActivityTaskStarted is written with the outcome, as in Temporal: watch the pending state.)
    await eventually(async () => {
      const [pending] = (await describeWf(workflowId)).pendingActivities;
      if (pending?.state !== "Started") throw new Error("activity not started yet");
    });

    const res = await post(`${wf(workflowId)}/terminate`, { reason: "operator" });
    expect(res.status).toBe(200);
    const desc = await describeWf(workflowId);
    expect(desc.status).toBe("Terminated");
    const events = await history(workflowId);
    expect(events.at(-1)).toMatchObject({
      eventType: "WorkflowExecutionTerminated",
      attributes: { reason: "operator" },
    });
    expect(desc.pendingActivities).toEqual([]);

    // Let the activity finish; its completion reaches a terminated run and changes nothing.
    releaseHung();
    await eventually(async () => {
      if (!gatesPassed.has(workflowId)) throw new Error("activity still waiting");
    });
    // A later task on the same queue: the local consumer has finished the earlier batch by then.
    const barrier = uniqueId("barrier");
    await start({ workflowType: "oneActivity", workflowId: barrier, input: { type: "echo" } });
    expect(await result(barrier)).toMatchObject({ status: "Completed" });
    expect(await history(workflowId)).toEqual(events);
    expect(await result(workflowId)).toMatchObject({
      status: "Terminated",
      failure: { message: "Workflow terminated: operator" },
    });
  });

  it("answers 409 to terminating a closed workflow and changes nothing", async () => {
    const workflowId = uniqueId("terminate-closed");
    await start({ workflowType: "oneActivity", workflowId, input: { type: "echo" } });
    await result(workflowId);
    const before = await history(workflowId);
    expect((await errorOf(await post(`${wf(workflowId)}/terminate`, {}))).status).toBe(409);
    expect(await history(workflowId)).toEqual(before);
  });
});

describe("child workflows", () => {
  it("gathers the children's results; each child is started and reported once", async () => {
    const workflowId = uniqueId("fan");
    await start({ workflowType: "fanOut", workflowId, input: { items: [1, 2, 3] } });
    expect(await result(workflowId)).toMatchObject({
      status: "Completed",
      result: { results: [1, 4, 9], sum: 14, failures: [] },
    });
    const types = await eventTypes(workflowId);
    expect(count(types, "StartChildWorkflowExecutionInitiated")).toBe(3);
    expect(count(types, "ChildWorkflowExecutionStarted")).toBe(3);
    expect(count(types, "ChildWorkflowExecutionCompleted")).toBe(3);
    for (let i = 0; i < 3; i++) {
      const child = await describeWf(`${workflowId}-item-${i}`);
      expect(child).toMatchObject({
        status: "Completed",
        workflowType: "fanOutChild",
        parent: { workflowId },
      });
      expect(count(await eventTypes(child.workflowId), "WorkflowExecutionStarted")).toBe(1);
    }
  });

  it("surfaces a child's failure as ChildWorkflowFailure", async () => {
    const workflowId = uniqueId("fan-fail");
    await start({ workflowType: "fanOut", workflowId, input: { items: [2, -1] } });
    const body = await result(workflowId);
    expect(body).toMatchObject({
      status: "Completed",
      result: {
        results: [4, null],
        failures: [{ index: 1, type: "ChildWorkflowFailure", cause: "negative: -1" }],
      },
    });
    expect(count(await eventTypes(workflowId), "ChildWorkflowExecutionFailed")).toBe(1);
    expect((await describeWf(`${workflowId}-item-1`)).status).toBe("Failed");
  });

  it.each([
    ["Terminate", "Terminated"],
    ["RequestCancel", "Canceled"],
  ] as const)("applies parent close policy %s to a running child", async (policy, childStatus) => {
    const workflowId = uniqueId(`parent-${policy}`);
    const kid = `${workflowId}-kid`;
    await start({ workflowType: "parentOfSleeper", workflowId, input: { policy } });
    await waitForTimer(kid);
    await untilEvent(workflowId, "ChildWorkflowExecutionStarted");
    expect((await post(`${wf(workflowId)}/terminate`, { reason: "stop" })).status).toBe(200);
    const kidResult = await result(kid);
    expect(kidResult.status).toBe(childStatus);
    expect((await describeWf(workflowId)).status).toBe("Terminated");
  });

  it("leaves the child running under parent close policy Abandon", async () => {
    const workflowId = uniqueId("parent-Abandon");
    const kid = `${workflowId}-kid`;
    await start({ workflowType: "parentOfSleeper", workflowId, input: { policy: "Abandon" } });
    await waitForTimer(kid);
    await untilEvent(workflowId, "ChildWorkflowExecutionStarted");
    expect((await post(`${wf(workflowId)}/terminate`, {})).status).toBe(200);
    // Had a terminate been sent, the child would end Terminated; it sleeps on and completes.
    expect((await describeWf(kid)).status).toBe("Running");
    await skipTime(kid, 3_600_000);
    expect(await result(kid)).toMatchObject({ status: "Completed" });
  });
});

describe("continue-as-new", () => {
  it("continues three times: four runs, and result follows the chain to the last", async () => {
    const workflowId = uniqueId("loop");
    // Each run sleeps a minute: its timer must still be there when the test sees it.
    const first = await start({
      workflowType: "looper",
      workflowId,
      input: { i: 0, until: 3, sleep: "1m" },
    });
    const runIds = [first.runId];
    for (let run = 0; run < 4; run++) {
      await eventually(async () => {
        const desc = await describeWf(workflowId);
        if (desc.runId !== runIds[run]) runIds.push(desc.runId);
        if (desc.runId !== runIds[run] || desc.pendingTimers.length === 0) {
          throw new Error(`run ${run} not waiting yet`);
        }
      });
      await skipTime(workflowId, 60_000);
      if (run < 3) {
        await eventually(async () => {
          const desc = await describeWf(workflowId);
          if (desc.runId === runIds[run]) throw new Error("not continued yet");
          runIds.push(desc.runId);
        });
      }
    }
    expect(new Set(runIds).size).toBe(4);

    const body = (await result(workflowId)) as ResultResponse & { result: { i: number } };
    expect(body).toMatchObject({ status: "Completed", runId: runIds[3], result: { i: 3 } });
    // A named run answers with its own close: the first one continued as new.
    const viaFirst = await api(`${wf(workflowId)}/result?runId=${runIds[0]}`);
    expect(await viaFirst.json()).toMatchObject({ status: "ContinuedAsNew", runId: runIds[0] });
    for (const [i, runId] of runIds.entries()) {
      const events = await history(workflowId, runId);
      expect(events[0]?.eventType).toBe("WorkflowExecutionStarted");
      expect(events[0]?.attributes.input).toMatchObject({ i, until: 3 });
      expect(events.at(-1)?.eventType).toBe(
        i < 3 ? "WorkflowExecutionContinuedAsNew" : "WorkflowExecutionCompleted",
      );
    }
    expect((await describeWf(workflowId)).runId).toBe(runIds[3]);
  });
});

describe("versioning with patches", () => {
  it("replays a history recorded by old code under new code that uses patched()", async () => {
    const workflowId = uniqueId("patch-old");
    codeVersion.value = 1;
    await start({ workflowType: "versioned", workflowId });
    await waitForTimer(workflowId);
    await skipTime(workflowId, 60_000);
    await untilEvent(workflowId, "ActivityTaskCompleted");
    await eventually(async () => {
      if (count(await eventTypes(workflowId), "TimerStarted") < 2) throw new Error("no timer 2");
    });

    codeVersion.value = 2;
    await abortAllDurableObjects();
    await skipTime(workflowId, 60_000);
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: "v1" });
    const types = await eventTypes(workflowId);
    expect(types).not.toContain("WorkflowTaskFailed");
    expect(types).not.toContain("MarkerRecorded");
  });

  it("new runs take the patched branch; removing a patch still in history fails the task, not the run", async () => {
    const workflowId = uniqueId("patch-removed");
    codeVersion.value = 2;
    await start({ workflowType: "versioned", workflowId });
    await waitForTimer(workflowId);
    await skipTime(workflowId, 60_000);
    await untilEvent(workflowId, "ActivityTaskCompleted");
    const recorded = await eventually(async () => {
      const events = await history(workflowId);
      if (
        count(
          events.map((e) => e.eventType),
          "TimerStarted",
        ) < 2
      )
        throw new Error("no timer 2");
      return events;
    });
    expect(recorded.map((e) => e.eventType)).toContain("MarkerRecorded");

    codeVersion.value = 3;
    await abortAllDurableObjects();
    await skipTime(workflowId, 60_000);
    const failed = await eventually(async () => {
      const desc = await describeWf(workflowId);
      if (!desc.workflowTaskFailure) throw new Error("no workflow-task failure yet");
      return desc;
    });
    expect(failed.status).toBe("Running");
    expect(failed.workflowTaskFailure).toMatchObject({ type: "NonDeterminismError" });
    expect((await history(workflowId)).slice(0, recorded.length)).toEqual(recorded);

    codeVersion.value = 2;
    // The task's retry is due a second or two later, in real time too: it may have run (and
    // completed the run) before the test looks for it. Move the clock past it instead of waiting
    // for its timer; the alarm, armed now, runs it if it has not run yet.
    await stub(workflowId).unsafeAdvanceClock(2000);
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: "v2" });
  });
});

describe("workflow timeouts", () => {
  it.each(["executionTimeout", "runTimeout"] as const)(
    "%s ends a sleeping workflow TimedOut",
    async (field) => {
      const workflowId = uniqueId(field);
      await start({
        workflowType: "sleeper",
        workflowId,
        input: { sleeps: ["1h"] },
        [field]: "1m",
      });
      await waitForTimer(workflowId);
      // Half-way, not just under it: the deadline runs out in real time too (the test clock only
      // skips ahead), and the read must come before it does, however slow the machine.
      await skipTime(workflowId, 30_000);
      expect((await describeWf(workflowId)).status).toBe("Running");
      await skipTime(workflowId, 31_000);
      const body = await result(workflowId);
      expect(body.status).toBe("TimedOut");
      expect((await history(workflowId)).at(-1)).toMatchObject({
        eventType: "WorkflowExecutionTimedOut",
        attributes: { timeoutType: field === "runTimeout" ? "Run" : "Execution" },
      });
      // Only the closed run's deletion at close + retention (src/retention) is left.
      expect((await timers(workflowId)).map((t) => t.kind)).toEqual(["retention"]);
    },
  );

  /** Skips `steps` (ms each), then says how the chain stands. */
  async function skipThrough(workflowId: string, steps: number[]) {
    for (const ms of steps) {
      // A sleep ("timer") or a retry's delayed first task ("wft").
      await eventually(async () => {
        const kinds = (await timers(workflowId)).map((t) => t.kind);
        if (!kinds.includes("timer") && !kinds.includes("wft")) throw new Error("no timer yet");
      });
      await skipTime(workflowId, ms);
    }
    return describeWf(workflowId);
  }

  it("executionTimeout spans continue-as-new; runTimeout starts over with each run", async () => {
    const exec = uniqueId("exec-can");
    const run = uniqueId("run-can");
    const input = { i: 0, until: 1000 };
    await start({ workflowType: "looper", workflowId: exec, input, executionTimeout: "1m" });
    await start({ workflowType: "looper", workflowId: run, input, runTimeout: "1m" });
    // Each skip ends a run's 1 s sleep: it continues as new. 50 s in, both chains still run.
    for (const id of [exec, run]) {
      expect((await skipThrough(id, [30_000, 20_000])).status).toBe("Running");
    }
    // 61 s after the first start: past the execution deadline, but every run is young.
    await skipThrough(exec, [11_000]);
    const timedOut = await result(exec);
    expect(timedOut.status).toBe("TimedOut");
    expect((await history(exec)).at(-1)).toMatchObject({
      eventType: "WorkflowExecutionTimedOut",
      attributes: { timeoutType: "Execution" },
    });
    const stillRunning = await skipThrough(run, [11_000]);
    expect(stillRunning.status).toBe("Running");
    expect(stillRunning.runId).not.toBe((await history(run))[0]?.attributes.firstExecutionRunId);
  });

  it("executionTimeout spans workflow retries", async () => {
    const workflowId = uniqueId("exec-retry");
    await start({
      workflowType: "failsAfterSleep",
      workflowId,
      input: { sleep: "20s" },
      executionTimeout: "1m",
      retryPolicy: { initialInterval: "5s", backoffCoefficient: 1, maximumAttempts: 0 },
    });
    // Attempt 1 fails at 20 s, attempt 2 starts 5 s later and fails at 45 s; attempt 3 starts at 50 s.
    await skipThrough(workflowId, [20_000, 5_000, 20_000, 5_000]);
    const third = await describeWf(workflowId);
    expect(third.status).toBe("Running");
    // Attempt 3 would fail at 70 s; the execution deadline (60 s) comes first.
    await skipThrough(workflowId, [11_000]);
    expect((await result(workflowId)).status).toBe("TimedOut");
    expect((await history(workflowId)).at(-1)).toMatchObject({
      eventType: "WorkflowExecutionTimedOut",
      attributes: { timeoutType: "Execution" },
    });
  });
});

describe("bad inputs to the message endpoints", () => {
  const routes = [
    (id: string) => `${wf(id)}/signals/item`,
    (id: string) => `${wf(id)}/queries/state`,
    (id: string) => `${wf(id)}/updates/extend`,
    (id: string) => `${wf(id)}/cancel`,
    (id: string) => `${wf(id)}/terminate`,
  ];

  it("answers 404 for an unknown workflow and writes no storage", async () => {
    for (const route of routes) {
      const ghost = uniqueId("ghost");
      const err = await errorOf(await post(route(ghost), {}));
      expect(err).toMatchObject({ status: 404, code: "NotFound" });
      expect(err.message).toContain(ghost);
      // The object was instantiated to answer, but holds no tables and no alarm.
      const stored = await runInDurableObject(stub(ghost), async (_obj, state) => ({
        tables: state.storage.sql
          .exec<{ n: number }>("SELECT count(*) AS n FROM sqlite_master")
          .one().n,
        alarm: await state.storage.getAlarm(),
      }));
      expect(stored).toEqual({ tables: 0, alarm: null });
    }
  });

  it("answers 400 for malformed bodies and names, 413 for oversized input, and changes nothing", async () => {
    const workflowId = uniqueId("bad-input");
    await start({ workflowType: "approval", workflowId, input: { item: "x" } });
    await waitForTimer(workflowId);
    const before = await history(workflowId);
    for (const route of routes) {
      const path = route(workflowId);
      expect((await errorOf(await post(path, "{not json"))).status).toBe(400);
      expect((await errorOf(await post(path, { unexpected: 1 }))).status).toBe(400);
      expect((await errorOf(await post(path, "[1,2]"))).status).toBe(400);
    }
    for (const kind of ["signals", "queries", "updates"]) {
      // Names are any non-empty string up to 256 characters (issue 9): a longer one is refused.
      const bad = await errorOf(await post(`${wf(workflowId)}/${kind}/${"n".repeat(257)}`, {}));
      expect(bad).toMatchObject({ status: 400, code: "InvalidArgument" });
      const big = await post(`${wf(workflowId)}/${kind}/item`, { input: "x".repeat(70_000) });
      expect((await errorOf(big)).status).toBe(413);
    }
    expect((await errorOf(await post(`${wf(workflowId)}/signals/item`, "{"))).message).not.toMatch(
      /\bat .*:\d+/,
    );
    expect(await history(workflowId)).toEqual(before);
    expect((await describeWf(workflowId)).status).toBe("Running");
  });

  it("answers 409 to a signal or update of a closed workflow", async () => {
    const workflowId = uniqueId("closed");
    await start({ workflowType: "oneActivity", workflowId, input: { type: "echo" } });
    await result(workflowId);
    const before = await history(workflowId);
    expect((await errorOf(await signal(workflowId, "item", { input: 1 }))).status).toBe(409);
    expect((await errorOf(await update(workflowId, "extend", { input: {} }))).status).toBe(409);
    expect(await history(workflowId)).toEqual(before);
  });
});
