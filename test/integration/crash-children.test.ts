/**
 * Crash-point matrix, part 3: child workflows, continue-as-new and search-attribute upserts. A crash
 * after a delivery to the parent (`childClose`) is armed on the child, whose outbox sends the report.
 */
import { beforeAll, describe, it } from "vitest";
import { CRASH_POINTS } from "../../src/execution/crash-points";
import { expectSameAsBaseline, type Outcome, runScenario, type Scenario } from "./crash-harness";

const scenarios: Scenario[] = [
  { kind: "childStart", steps: ["sleep", "child", "sleep"], stages: ["timer", "timer"] },
  {
    kind: "childClose",
    steps: ["child", "sleep"],
    stages: ["timer"],
    armOnChild: (point) => point === "afterDelivery",
  },
  {
    kind: "continueAsNew",
    steps: ["sleep", "continue", "activity", "sleep"],
    stages: ["timer", "timer"],
  },
  { kind: "visibility", steps: ["upsert", "sleep", "upsert"], stages: ["timer"] },
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
