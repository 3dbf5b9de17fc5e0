/**
 * Crash-point matrix, part 1: start and the activity transitions. Each cell crashes the object once
 * at one point of one transition kind, recovers it the way production does, and checks the run ends
 * exactly as a crash-free run of the same workflow (see crash-harness.ts).
 */
import { beforeAll, describe, it } from "vitest";
import { CRASH_POINTS } from "../../src/execution/crash-points";
import { expectSameAsBaseline, type Outcome, runScenario, type Scenario } from "./crash-harness";

const scenarios: Scenario[] = [
  { kind: "start", steps: ["activity", "sleep"], stages: ["timer"] },
  { kind: "activitySchedule", steps: ["sleep", "activity", "sleep"], stages: ["timer", "timer"] },
  { kind: "activityStart", steps: ["activity", "sleep"], stages: ["timer"] },
  { kind: "activityComplete", steps: ["activity", "sleep"], stages: ["timer"] },
  { kind: "activityFail", steps: ["retried", "declined", "sleep"], stages: ["retry", "timer"] },
  { kind: "activityTimeout", steps: ["parked", "sleep"], stages: ["scheduleToStart", "timer"] },
];

describe.each(scenarios)("crash at a $kind transition", (scenario) => {
  let baseline: Outcome;
  beforeAll(async () => {
    baseline = await runScenario(scenario, null);
  }, 30_000);

  it.each(CRASH_POINTS)("%s: recovers to the crash-free outcome", async (point) => {
    expectSameAsBaseline(await runScenario(scenario, point), baseline, point);
  });
});
