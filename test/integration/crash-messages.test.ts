/**
 * Crash-point matrix, part 2: timers and the messages from clients (signal, update, cancel,
 * terminate). Clients retry with the same requestId/updateId after a crash (see crash-harness.ts).
 */
import { beforeAll, describe, it } from "vitest";
import { CRASH_POINTS } from "../../src/execution/crash-points";
import { expectSameAsBaseline, type Outcome, runScenario, type Scenario } from "./crash-harness";

const scenarios: Scenario[] = [
  { kind: "timer", steps: ["sleep", "activity", "sleep"], stages: ["timer", "timer"] },
  { kind: "signal", steps: ["signal", "activity", "sleep"], stages: ["signal", "timer"] },
  { kind: "update", steps: ["update", "activity", "sleep"], stages: ["update", "timer"] },
  { kind: "cancel", steps: ["cancelWait"], stages: ["cancel", "timer"] },
  // Terminated once the timer fired (not racing the run's own progress, which would vary the history).
  { kind: "terminate", steps: ["sleep", "cancelWait"], stages: ["timer", "terminate"] },
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
