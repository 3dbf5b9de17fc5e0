import { describe, expect, it, vi } from "vitest";
import {
  assertIncreasingIds,
  describeWf,
  eventTypes,
  eventually,
  history,
  result,
  skipTime,
  start,
  timers,
  uniqueId,
} from "../helpers";

describe("loanApplication", () => {
  it("runs notify → credit check → review window → approval → notify through the real Queue", async () => {
    const workflowId = uniqueId("loan");
    await start({
      workflowType: "loanApplication",
      workflowId,
      input: { applicant: "Ada", amount: 5000, reviewWindow: "1h" },
    });
    // The review window is a durable timer: fire it by running the alarm, not by waiting an hour.
    await eventually(async () => {
      const t = await timers(workflowId);
      if (!t.some((x) => x.kind === "timer")) throw new Error("timer not started yet");
    });
    await skipTime(workflowId, 60 * 60_000);
    const body = await result(workflowId);
    expect(body).toMatchObject({
      status: "Completed",
      result: { applicant: "Ada", amount: 5000, decision: "approved" },
    });
    const events = await history(workflowId);
    assertIncreasingIds(events);
    expect(events.map((e) => e.eventType)).toEqual([
      "WorkflowExecutionStarted",
      ...["ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted"],
      ...["ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted"],
      "TimerStarted",
      "TimerFired",
      ...["ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted"],
      ...["ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted"],
      "WorkflowExecutionCompleted",
    ]);
    expect(events[1]?.attributes).toMatchObject({
      activityType: "notifyApplicant",
      taskQueue: "default",
    });
    const desc = await describeWf(workflowId);
    expect(desc).toMatchObject({
      status: "Completed",
      historyLength: events.length,
      pendingActivities: [],
    });
  });

  it("declines a large loan for a low score", async () => {
    const workflowId = uniqueId("loan-big");
    await start({
      workflowType: "loanApplication",
      workflowId,
      // A minute: the test waits for the review timer, which runs out in real time too.
      input: { applicant: "Ada", amount: 1_000_000, reviewWindow: "1m" },
    });
    await eventually(async () => {
      if (!(await timers(workflowId)).some((x) => x.kind === "timer"))
        throw new Error("no timer yet");
    });
    await skipTime(workflowId, 60_000);
    expect(await result(workflowId)).toMatchObject({
      status: "Completed",
      result: { decision: "declined" },
    });
  });

  it("fails with a non-retryable InvalidApplication for bad input", async () => {
    const workflowId = uniqueId("loan-bad");
    await start({
      workflowType: "loanApplication",
      workflowId,
      input: { applicant: "Ada", amount: -1 },
    });
    expect(await result(workflowId)).toMatchObject({
      status: "Failed",
      failure: { type: "InvalidApplication" },
    });
  });
});

describe("steps", () => {
  it("runs n activities through the Queue and returns n", async () => {
    const workflowId = uniqueId("steps");
    await start({ workflowType: "steps", workflowId, input: { n: 5 } });
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: 5 });
    const types = await eventTypes(workflowId);
    expect(types.filter((t) => t === "ActivityTaskCompleted")).toHaveLength(5);
    expect(types.at(-1)).toBe("WorkflowExecutionCompleted");
  });

  it("warns once when a run's history passes the warning threshold", async () => {
    const warn = vi.spyOn(console, "warn");
    try {
      const workflowId = uniqueId("long");
      // 120 local activities give 122 events: past the fixture's 100-event threshold, once.
      await start({ workflowType: "steps", workflowId, input: { n: 120, local: true } });
      expect(await result(workflowId)).toMatchObject({ status: "Completed", result: 120 });
      const warnings = warn.mock.calls
        .map((args) => String(args[0]))
        .filter((m) => m.includes(workflowId));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain("past the warning threshold of 100");
      expect(warnings[0]).toContain("continue-as-new");
    } finally {
      warn.mockRestore();
    }
  });

  it("runs n local activities recorded as markers", async () => {
    const workflowId = uniqueId("steps-local");
    await start({ workflowType: "steps", workflowId, input: { n: 20, local: true } });
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: 20 });
    const types = await eventTypes(workflowId);
    expect(types).toEqual([
      "WorkflowExecutionStarted",
      ...Array(20).fill("MarkerRecorded"),
      "WorkflowExecutionCompleted",
    ]);
  });

  it("interleaves local and queued activities, deterministically", async () => {
    const workflowId = uniqueId("mixed");
    await start({ workflowType: "mixed", workflowId, input: { n: 3 } });
    const body = await result(workflowId);
    expect(body).toMatchObject({
      status: "Completed",
      result: { results: [0, "q0", 1, "q1", 2, "q2"], a: "p1", b: "p2" },
    });
  });
});
