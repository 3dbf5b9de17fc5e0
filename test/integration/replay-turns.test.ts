/**
 * Cold replay's drains in workerd (issue 14): a drain waits for one event-loop turn, and in workerd
 * the turns of one task come from one interval timer (src/replay/drain.ts) instead of a timeout
 * each. A turn must still be a full macrotask: every microtask workflow code queued has run before
 * the next recorded event is delivered, however deep its chains. Runs in the test Worker's isolate
 * (workerd), warm and cold alike; no engine involved.
 */
import { describe, expect, it } from "vitest";
import { defineWorkflow, type WorkflowDefinition } from "../../sdk/workflow/index";
import type { HistoryEvent } from "../../src/history/events";
import { EventLoopTurns } from "../../src/replay/drain";
import { NonDeterminismError, WorkflowRuntime } from "../../src/replay/runtime";

/** Runs `depth` microtask hops, then `done()`. */
function chain(depth: number, done: () => void): void {
  void (async () => {
    for (let i = 0; i < depth; i++) await null;
    done();
  })();
}

describe("EventLoopTurns in workerd", () => {
  it("resolves a turn only after every queued microtask ran, turn after turn", async () => {
    const turns = new EventLoopTurns();
    try {
      for (let round = 0; round < 50; round++) {
        let finished = false;
        chain(3000, () => {
          finished = true;
        });
        await turns.next();
        expect(finished).toBe(true);
      }
    } finally {
      turns.stop();
    }
  });

  it("a waiter left when the turns stop still gets its turn", async () => {
    const turns = new EventLoopTurns();
    const waited = turns.next();
    turns.stop();
    await expect(waited).resolves.toBeUndefined();
  });
});

/**
 * Before each local activity it starts a chain of CHAIN microtasks; the activity's type says
 * whether the previous step's chain had finished. Where a drain waits for every microtask (as the
 * run that recorded the history did) every step is "settled".
 */
const CHAIN = 2000;
const spinSteps = defineWorkflow("spinSteps", async (ctx, n: number) => {
  let finished = 0;
  for (let i = 0; i < n; i++) {
    const type = finished === i ? "settled" : "early";
    chain(CHAIN, () => {
      finished += 1;
    });
    await ctx.localActivity(type, i);
  }
  return finished;
});

function history(n: number, type = "settled"): HistoryEvent[] {
  const at = 1_700_000_000_000;
  const events: HistoryEvent[] = [
    {
      eventId: 1,
      taskId: 1,
      eventType: "WorkflowExecutionStarted",
      timestampMs: at,
      attributes: {
        workflowType: "spinSteps",
        input: String(n),
        taskQueue: "default",
        attempt: 1,
        firstExecutionRunId: "r",
        randomSeed: 1,
      },
    },
  ];
  for (let i = 0; i < n; i++) {
    events.push({
      eventId: events.length + 1,
      taskId: 1,
      eventType: "MarkerRecorded",
      timestampMs: at,
      attributes: {
        seq: i + 1,
        markerName: "LocalActivity",
        activityType: type,
        attempt: 1,
        result: String(i),
      },
    });
  }
  events.push({
    eventId: events.length + 1,
    taskId: 1,
    eventType: "WorkflowExecutionCompleted",
    timestampMs: at,
    attributes: { result: String(n) },
  });
  return events;
}

function runtime(): WorkflowRuntime {
  return new WorkflowRuntime(spinSteps as unknown as WorkflowDefinition, {
    namespace: "default",
    workflowId: "w",
    runId: "r",
    startTimeMs: 1_700_000_000_000,
    started: history(0)[0]!.attributes as never,
  });
}

describe("a replay's drains are full event-loop turns in workerd", () => {
  it("replays a history whose every step needs the previous step's deep chain finished", async () => {
    const rt = runtime();
    await rt.applyTask(history(40), true);
    expect(rt.closed).toBe(true);
    expect(rt.unmatched).toHaveLength(0);
    expect(rt.appliedEvents).toBe(42);
  });

  it("still diverges where the recorded steps say otherwise", async () => {
    const err = await runtime()
      .applyTask(history(3, "early"), true)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonDeterminismError);
  });
});
