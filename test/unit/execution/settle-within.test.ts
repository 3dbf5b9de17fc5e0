import { describe, expect, it } from "vitest";
import { settleWithin } from "../../../src/execution/settle-within";

describe("settleWithin", () => {
  it("answers the value or error of work that settles in time", async () => {
    expect(await settleWithin(async () => 7, 1000)).toEqual({ kind: "value", value: 7 });
    const err = new Error("boom");
    expect(await settleWithin(() => Promise.reject(err), 1000)).toEqual({
      kind: "error",
      error: err,
    });
    expect(
      await settleWithin(() => {
        throw err;
      }, 1000),
    ).toEqual({ kind: "error", error: err });
  });

  it("abandons work that never settles at the deadline", async () => {
    expect(await settleWithin(() => new Promise(() => {}), 20)).toEqual({ kind: "timeout" });
  });

  it("ignores a settlement after the deadline (a late rejection is not unhandled)", async () => {
    let reject: (e: unknown) => void = () => {};
    const outcome = await settleWithin(
      () =>
        new Promise((_, r) => {
          reject = r;
        }),
      10,
    );
    expect(outcome).toEqual({ kind: "timeout" });
    reject(new Error("late"));
    await new Promise((resolve) => setTimeout(resolve, 10));
  });

  it("stops at once when the stop signal fires, or was already aborted", async () => {
    const stop = new AbortController();
    const pending = settleWithin(() => new Promise(() => {}), 60_000, stop.signal);
    stop.abort();
    expect(await pending).toEqual({ kind: "stopped" });
    expect(await settleWithin(async () => 1, 1000, stop.signal)).toEqual({ kind: "stopped" });
  });
});
