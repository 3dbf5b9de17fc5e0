/**
 * Counterexamples found by replay-property.test.ts, kept as plain tests: each failed before its
 * fix. Programs are in the property's AST (see helpers/replay-program.ts).
 */
import "../helpers/immediate-timeouts";
import { describe, expect, it } from "vitest";
import { replay } from "../helpers/history-builder";
import { interpreter, type Program, stateQuery } from "../helpers/replay-program";
import { EVERY_TASK, type Schedule, simulate } from "../helpers/replay-sim";

const quiet: Schedule = { choices: [], messages: [], localBudget: 1 };

describe("replay property counterexamples", () => {
  it("answers patched() after the run closed the same way warm and cold (no marker is recorded)", async () => {
    // continueAsNew closes the run; the other branch of the race calls patched() afterwards.
    const program: Program = {
      steps: [
        { t: "race", branches: [[{ t: "continueAsNew" }], [{ t: "patched", id: "p1" }], []] },
      ],
      update: [],
    };
    const warm = await simulate(program, quiet, new Set());
    const cold = await replay(interpreter, warm.history);

    expect(warm.history.some((e) => e.eventType === "MarkerRecorded")).toBe(false);
    expect(cold.query(stateQuery.name, null)).toEqual(warm.runtime.query(stateQuery.name, null));
    expect(warm.runtime.query(stateQuery.name, null)).toMatchObject({
      log: ["0.1.0:patched=false", "0:race=2"],
    });
    expect((await simulate(program, quiet, EVERY_TASK)).history).toEqual(warm.history);
  });
});
