import { describe, expect, it } from "vitest";
import { withinLocalBudget } from "../../../src/execution/local-budget";
import type { Command } from "../../../src/replay/commands";

const local = (seq: number): Command => ({
  type: "RunLocalActivity",
  seq,
  activityType: "noop",
  input: "null",
  startToCloseTimeoutMs: 1000,
  retry: {} as never,
});
const timer = (seq: number): Command => ({ type: "StartTimer", seq, durationMs: 1000 });

describe("withinLocalBudget", () => {
  it("takes everything within the budget", () => {
    const cmds = [local(1), timer(2), local(3)];
    expect(withinLocalBudget(cmds, 2)).toEqual(cmds);
  });

  it("cuts 1,000 local activities issued at once to the budget, in order", () => {
    const cmds = Array.from({ length: 1000 }, (_, i) => local(i + 1));
    const taken = withinLocalBudget(cmds, 500);
    expect(taken).toHaveLength(500);
    expect(taken.at(-1)).toEqual(local(500));
  });

  it("stops before the first local activity past the budget, keeping other commands before it", () => {
    expect(withinLocalBudget([timer(1), local(2), timer(3)], 0)).toEqual([timer(1)]);
    expect(withinLocalBudget([local(1), timer(2)], 0)).toEqual([]);
    expect(withinLocalBudget([timer(1), timer(2)], 0)).toEqual([timer(1), timer(2)]);
  });
});
