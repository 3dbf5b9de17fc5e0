import { describe, expect, it } from "vitest";
import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  type DurableFailure,
  type FailureInfo,
  fromFailure,
  isDurableFailure,
  TerminatedFailure,
  TimeoutFailure,
  toFailure,
  withoutStacks,
} from "../../../sdk/common/failures";

/** Serializes through JSON, as history and the wire do. */
function roundTrip(err: unknown): DurableFailure {
  return fromFailure(JSON.parse(JSON.stringify(toFailure(err))) as FailureInfo);
}

describe("toFailure", () => {
  it("records an ApplicationFailure's type, flags, details and stack", () => {
    const err = ApplicationFailure.nonRetryable("card declined", "CardDeclined", { code: 42 });

    expect(toFailure(err)).toEqual({
      message: "card declined",
      type: "CardDeclined",
      source: "ApplicationFailure",
      nonRetryable: true,
      details: { code: 42 },
      stack: err.stack,
    });
  });

  it("records an ActivityFailure with its activity and cause", () => {
    const cause = ApplicationFailure.retryable("flaky", "Flaky");
    const err = new ActivityFailure(
      "Activity charge failed",
      "charge",
      "7",
      "MaximumAttemptsReached",
      { cause },
    );

    expect(toFailure(err)).toMatchObject({
      message: "Activity charge failed",
      type: "ActivityFailure",
      source: "ActivityFailure",
      activityType: "charge",
      activityId: "7",
      retryState: "MaximumAttemptsReached",
      cause: { type: "Flaky", source: "ApplicationFailure", nonRetryable: false },
    });
  });

  it("records a TimeoutFailure's timeout type and last heartbeat details", () => {
    expect(toFailure(new TimeoutFailure("too slow", "Heartbeat", { row: 9 }))).toMatchObject({
      type: "TimeoutFailure",
      source: "TimeoutFailure",
      timeoutType: "Heartbeat",
      details: { row: 9 },
    });
  });

  it("records a foreign error under its name, without a source", () => {
    const info = toFailure(new RangeError("out of range"));

    expect(info).toMatchObject({ message: "out of range", type: "RangeError" });
    expect(info.source).toBeUndefined();
    expect(info.stack).toContain("RangeError: out of range");
  });

  it("records thrown non-errors as messages", () => {
    expect(toFailure("plain string")).toEqual({ message: "plain string", type: "Error" });
    expect(toFailure({ code: 1 })).toEqual({ message: '{"code":1}', type: "Error" });
    expect(toFailure(undefined)).toEqual({ message: "undefined", type: "Error" });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(toFailure(circular)).toEqual({ message: "[object Object]", type: "Error" });
  });

  it("stops following causes after 8 levels", () => {
    let err = new Error("level 0");
    for (let i = 1; i <= 12; i++) err = new Error(`level ${i}`, { cause: err });

    let info: FailureInfo | undefined = toFailure(err);
    let depth = 0;
    while (info?.cause) {
      info = info.cause;
      depth += 1;
    }
    expect(depth).toBe(8);
  });
});

describe("fromFailure", () => {
  it("round-trips an ApplicationFailure with its type, nonRetryable flag and details", () => {
    const original = ApplicationFailure.nonRetryable("card declined", "CardDeclined", {
      code: 42,
      tags: ["a"],
    });

    const revived = roundTrip(original);

    expect(revived).toBeInstanceOf(ApplicationFailure);
    expect(revived).toMatchObject({
      message: "card declined",
      type: "CardDeclined",
      nonRetryable: true,
      details: { code: 42, tags: ["a"] },
      name: "ApplicationFailure",
    });
    expect(revived.stack).toBe(original.stack);
  });

  it("round-trips an ActivityFailure with its cause chain", () => {
    const root = new TimeoutFailure("attempt timed out", "StartToClose");
    const app = new ApplicationFailure("gave up", "GaveUp", false, undefined, { cause: root });
    const original = new ActivityFailure("Activity ship failed", "ship", "3", "Timeout", {
      cause: app,
    });

    const revived = roundTrip(original);

    expect(revived).toBeInstanceOf(ActivityFailure);
    expect(revived).toMatchObject({ activityType: "ship", activityId: "3", retryState: "Timeout" });
    const cause = revived.cause as ApplicationFailure;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause).toMatchObject({ message: "gave up", type: "GaveUp", nonRetryable: false });
    expect(cause.cause).toBeInstanceOf(TimeoutFailure);
    expect(cause.cause).toMatchObject({
      message: "attempt timed out",
      timeoutType: "StartToClose",
    });
  });

  it("round-trips a TimeoutFailure with its timeout type and heartbeat details", () => {
    const revived = roundTrip(new TimeoutFailure("no heartbeat", "Heartbeat", { offset: 100 }));

    expect(revived).toBeInstanceOf(TimeoutFailure);
    expect(revived).toMatchObject({
      timeoutType: "Heartbeat",
      lastHeartbeatDetails: { offset: 100 },
    });
  });

  it("round-trips cancellation and termination", () => {
    expect(roundTrip(new CancelledFailure("cancelled"))).toBeInstanceOf(CancelledFailure);
    expect(roundTrip(new TerminatedFailure("terminated"))).toBeInstanceOf(TerminatedFailure);
    expect(toFailure(new CancelledFailure("cancelled")).type).toBe("CancelledFailure");
  });

  it("revives a foreign error as an ApplicationFailure typed with the original name", () => {
    const revived = roundTrip(new SyntaxError("bad json"));

    expect(revived).toBeInstanceOf(ApplicationFailure);
    expect(revived).toMatchObject({
      message: "bad json",
      type: "SyntaxError",
      nonRetryable: false,
    });
  });

  it("revives a foreign error's cause as well", () => {
    const revived = roundTrip(new Error("outer", { cause: new TypeError("inner") }));

    expect(revived.cause).toBeInstanceOf(ApplicationFailure);
    expect(revived.cause).toMatchObject({ message: "inner", type: "TypeError" });
  });

  it("defaults missing ActivityFailure and TimeoutFailure fields", () => {
    expect(
      fromFailure({ message: "m", type: "ActivityFailure", source: "ActivityFailure" }),
    ).toMatchObject({
      activityType: "",
      activityId: "",
      retryState: "NonRetryableFailure",
    });
    expect(
      fromFailure({ message: "m", type: "TimeoutFailure", source: "TimeoutFailure" }),
    ).toMatchObject({
      timeoutType: "StartToClose",
    });
  });

  it("revives every failure as a DurableFailure", () => {
    expect(isDurableFailure(fromFailure({ message: "m", type: "Whatever" }))).toBe(true);
    expect(isDurableFailure(new Error("m"))).toBe(false);
  });
});

describe("withoutStacks", () => {
  it("strips stacks at every level and keeps everything else", () => {
    const info = toFailure(
      new ActivityFailure("outer", "charge", "1", "NonRetryableFailure", {
        cause: new ApplicationFailure(
          "middle",
          "Middle",
          true,
          { d: 1 },
          { cause: new Error("inner") },
        ),
      }),
    );
    expect(info.stack).toBeDefined();
    expect(info.cause?.stack).toBeDefined();
    expect(info.cause?.cause?.stack).toBeDefined();

    const stripped = withoutStacks(info);

    expect(JSON.stringify(stripped)).not.toContain('"stack"');
    expect(stripped).toEqual({
      message: "outer",
      type: "ActivityFailure",
      source: "ActivityFailure",
      activityType: "charge",
      activityId: "1",
      retryState: "NonRetryableFailure",
      cause: {
        message: "middle",
        type: "Middle",
        source: "ApplicationFailure",
        nonRetryable: true,
        details: { d: 1 },
        cause: { message: "inner", type: "Error" },
      },
    });
  });

  it("does not modify its argument", () => {
    const info = toFailure(new Error("x", { cause: new Error("y") }));
    const copy = structuredClone(info);

    withoutStacks(info);

    expect(info).toEqual(copy);
  });
});
