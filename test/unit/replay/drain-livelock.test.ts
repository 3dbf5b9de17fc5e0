/**
 * A workflow task always ends: code whose conditions keep making each other true (two loops that
 * never wait on anything recorded) fails its task with a message naming the cause, instead of
 * spinning the runtime, and the execution with it, forever.
 */
// The drains yield with a zero timeout; run those as setImmediate (Node clamps timeouts to 1 ms).
import "../helpers/immediate-timeouts";
import { describe, expect, it } from "vitest";
import { defineWorkflow } from "../../../sdk/workflow/index";
import { MAX_DRAIN_ROUNDS } from "../../../src/replay/drain";
import { WorkflowTaskError } from "../../../src/replay/runtime";
import { drive, HistoryBuilder, replay } from "../helpers/history-builder";

/** Two loops, each awaiting the condition the other just made true: never waits on history. */
const pingPong = defineWorkflow("pingPong", async (ctx) => {
  let flag = false;
  const ping = async () => {
    for (;;) {
      await ctx.condition(() => flag);
      flag = false;
    }
  };
  const pong = async () => {
    for (;;) {
      await ctx.condition(() => !flag);
      flag = true;
    }
  };
  await Promise.all([ping(), pong()]);
});

/** A loop that consumes many condition rounds, then waits on a timer: must not be cut short. */
const manyRounds = defineWorkflow("manyRounds", async (ctx, n: number) => {
  let flag = false;
  let turns = 0;
  const pong = (async () => {
    while (turns < n) {
      await ctx.condition(() => !flag);
      flag = true;
    }
  })();
  while (turns < n) {
    await ctx.condition(() => flag);
    flag = false;
    turns += 1;
  }
  await pong;
  await ctx.sleep(1000);
  return turns;
});

describe("drain: a workflow task always ends", () => {
  it("fails the task of conditions that flip each other forever, naming the cause", async () => {
    const history = new HistoryBuilder().started("pingPong").build();
    const err = await replay(pingPong, history).then(
      () => expect.fail("the task ended without an error"),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowTaskError);
    expect((err as Error).message).toMatch(
      new RegExp(`ConditionLivelock: conditions kept coming true for ${MAX_DRAIN_ROUNDS} rounds`),
    );
  }, 20_000);

  it("lets a task take many condition rounds below the bound", async () => {
    const { close } = await drive(manyRounds, { input: 1000 });
    expect(close).toEqual({ type: "CompleteWorkflow", result: "1000" });
  });
});
