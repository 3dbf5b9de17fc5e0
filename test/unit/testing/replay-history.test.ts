/**
 * replayHistory in plain Node: histories recorded by a real `wrangler dev` and written by `sundial
 * history export` (test/fixtures/histories/) replay against the example code; edited copies (a
 * command reordered, an activity type changed, a timer removed) and a changed workflow throw
 * DeterminismViolationError with both sides and the workflow's source position.
 */
import { describe, expect, it } from "vitest";
import * as approvalModule from "../../../examples/approval";
import { exampleWorkflows } from "../../../examples/index";
import { loanApplication } from "../../../examples/loan-application";
import type { WireEvent } from "../../../sdk/common/wire";
import { defineWorkflow } from "../../../sdk/workflow/index";
import {
  DeterminismViolationError,
  type HistoryFixture,
  HistoryFormatError,
  ReplayFailedError,
  replayHistories,
  replayHistory,
} from "../../../src/testing/index";
import { groupTasks, parseHistory } from "../../../src/testing/wire-history";
import { historyFixture } from "./fixtures.mjs";

const fixture = historyFixture;

/** A copy of `f` with its events replaced (ids renumbered from 1, as a real history has them). */
function edited(f: HistoryFixture, edit: (events: WireEvent[]) => WireEvent[]): HistoryFixture {
  const events = edit(structuredClone(f.events)).map((e, i) => ({ ...e, eventId: i + 1 }));
  return { ...f, events };
}

async function violation(promise: Promise<unknown>): Promise<DeterminismViolationError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeterminismViolationError);
  return err as DeterminismViolationError;
}

describe("replayHistory on recorded fixtures", () => {
  it("replays a completed loanApplication (activities, a timer) against the current code", async () => {
    const run = await replayHistory([loanApplication], fixture("loan-application"));
    expect(run).toMatchObject({ workflowId: "loan-fixture", workflowType: "loanApplication" });
  });

  it("replays approval (an update, a signal, canceled timers, a local activity) given a module's exports", async () => {
    await replayHistory(approvalModule, fixture("approval"));
    await replayHistory(exampleWorkflows, fixture("approval"));
  });

  it("rebuilds the recorded tasks from wire events (timestamps, inputs after commands)", () => {
    const tasks = groupTasks(parseHistory(fixture("loan-application")).events);
    expect(tasks.map((t) => t.map((e) => e.eventId))).toEqual([
      [1, 2],
      [3, 4, 5],
      [6, 7, 8],
      [9, 10],
      [11, 12, 13],
      [14, 15, 16],
    ]);
  });
});

describe("replayHistory: tasks recorded in the same millisecond", () => {
  it("splits tasks where an input follows a command, not only where the time changes", async () => {
    const f = fixture("approval");
    const sameMs = edited(f, (events) =>
      events.map((e) => ({ ...e, timestamp: f.events[0]!.timestamp })),
    );
    const tasks = groupTasks(parseHistory(sameMs).events);
    expect(tasks.map((t) => t.map((e) => e.eventId))).toEqual([
      [1, 2],
      [3, 4, 5, 6],
      [7, 8, 9, 10],
    ]);
    await replayHistory(approvalModule, sameMs);
  });
});

describe("replayHistory on edited fixtures: DeterminismViolationError shows both sides", () => {
  it("a changed activity type", async () => {
    const changed = edited(fixture("loan-application"), (events) => {
      events[4]!.attributes.activityType = "creditCheckV2";
      return events;
    });
    const err = await violation(replayHistory([loanApplication], changed));
    expect(err.divergence).toMatchObject({
      eventId: 5,
      expected: "#5 ActivityTaskScheduled(seq 2, creditCheckV2)",
      produced: "ScheduleActivity(seq 2, creditCheck)",
      commandIndex: 1,
    });
    expect(err.divergence.source).toMatch(/examples\/loan-application\.ts:\d+:\d+$/);
    expect(err.message).toContain(
      "expected (history)   #5 ActivityTaskScheduled(seq 2, creditCheckV2)",
    );
    expect(err.message).toMatch(
      /produced \(code\)\s+ScheduleActivity\(seq 2, creditCheck\)\s+at .*examples\/loan-application\.ts:\d+/,
    );
    console.log(err.message);
  });

  it("a removed timer", async () => {
    const removed = edited(fixture("loan-application"), (events) =>
      events.filter((e) => e.eventType !== "TimerStarted"),
    );
    const err = await violation(replayHistory([loanApplication], removed));
    expect(err.divergence).toMatchObject({
      eventId: 9,
      expected: "#9 ActivityTaskScheduled(seq 4, automatedApproval)",
      produced: "StartTimer(seq 3)",
    });
    expect(err.divergence.source).toMatch(/examples\/loan-application\.ts:\d+:\d+$/);
  });

  it("a reordered command", async () => {
    const reordered = edited(fixture("approval"), (events) => {
      // UpdateCompleted, TimerCanceled → TimerCanceled, UpdateCompleted
      const [completed, canceled] = [events[3]!, events[4]!];
      events[3] = canceled;
      events[4] = completed;
      return events;
    });
    const err = await violation(replayHistory(approvalModule, reordered));
    expect(err.divergence).toMatchObject({
      eventId: 4,
      expected: "#4 TimerCanceled(seq 1)",
      produced: "CompleteUpdate(ext-1)",
    });
    expect(err.message).toContain("expected (history)");
    expect(err.message).toContain("produced (code)");
  });

  it("changed workflow code: the source position is the line that now issues the command", async () => {
    // The recorded loan, against code that sleeps before the credit check instead of after it.
    const changed = defineWorkflow("loanApplication", async (ctx, input: { applicant: string }) => {
      const acts = ctx.proxyActivities<{
        notifyApplicant(i: unknown): Promise<void>;
        creditCheck(i: unknown): Promise<{ creditScore: number }>;
      }>({ startToCloseTimeout: "10s" });
      await acts.notifyApplicant({ applicant: input.applicant });
      await ctx.sleep("1s"); // moved up
      return acts.creditCheck({ applicant: input.applicant });
    });
    const err = await violation(replayHistory([changed], fixture("loan-application")));
    expect(err.divergence).toMatchObject({
      eventId: 5,
      expected: "#5 ActivityTaskScheduled(seq 2, creditCheck)",
      produced: "StartTimer(seq 2)",
    });
    expect(err.divergence.source).toMatch(/test\/unit\/testing\/replay-history\.test\.ts:\d+:\d+$/);
    console.log(err.message);
  });
});

describe("replayHistories and bad input", () => {
  it("reports every history, ok or not, without throwing", async () => {
    const bad = edited(fixture("loan-application"), (events) =>
      events.filter((e) => e.eventType !== "TimerStarted"),
    );
    const results = await replayHistories(exampleWorkflows, [
      fixture("loan-application"),
      bad,
      fixture("approval"),
    ]);
    expect(results.map((r) => [r.workflowId, r.ok, r.error?.name])).toEqual([
      ["loan-fixture", true, undefined],
      ["loan-fixture", false, "DeterminismViolationError"],
      ["approval-fixture", true, undefined],
    ]);
  });

  it("an unknown workflow type is a ReplayFailedError; a non-history a HistoryFormatError", async () => {
    await expect(replayHistory([], fixture("approval"))).rejects.toBeInstanceOf(ReplayFailedError);
    await expect(replayHistory([loanApplication], { events: [] })).rejects.toBeInstanceOf(
      HistoryFormatError,
    );
    const gap = edited(fixture("approval"), (events) => events);
    gap.events[2]!.eventId = 7;
    await expect(replayHistory(approvalModule, gap)).rejects.toThrow(/eventId 7/);
  });
});
