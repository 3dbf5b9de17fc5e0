import { describe, expect, it } from "vitest";
import { DurationError } from "../../../sdk/common/duration";
import {
  mayRetry,
  type ResolvedRetryPolicy,
  resolveRetryPolicy,
  retryDelayMs,
} from "../../../sdk/common/retry-policy";

describe("resolveRetryPolicy", () => {
  it("applies Temporal's defaults", () => {
    expect(resolveRetryPolicy(undefined)).toEqual({
      initialIntervalMs: 1000,
      backoffCoefficient: 2,
      maximumIntervalMs: 100_000,
      maximumAttempts: 0,
      nonRetryableErrorTypes: [],
    });
    expect(resolveRetryPolicy({})).toEqual(resolveRetryPolicy(undefined));
  });

  it("defaults maximumInterval to 100 × initialInterval", () => {
    expect(resolveRetryPolicy({ initialInterval: "2s" }).maximumIntervalMs).toBe(200_000);
  });

  it("resolves durations given as strings", () => {
    expect(
      resolveRetryPolicy({
        initialInterval: "500ms",
        maximumInterval: "1m",
        backoffCoefficient: 1.5,
        maximumAttempts: 4,
        nonRetryableErrorTypes: ["CardDeclined"],
      }),
    ).toEqual({
      initialIntervalMs: 500,
      backoffCoefficient: 1.5,
      maximumIntervalMs: 60_000,
      maximumAttempts: 4,
      nonRetryableErrorTypes: ["CardDeclined"],
    });
  });

  it("copies nonRetryableErrorTypes", () => {
    const types = ["A"];
    const resolved = resolveRetryPolicy({ nonRetryableErrorTypes: types });
    types.push("B");
    expect(resolved.nonRetryableErrorTypes).toEqual(["A"]);
  });

  it("accepts a maximumInterval equal to the initialInterval", () => {
    expect(
      resolveRetryPolicy({ initialInterval: "1s", maximumInterval: 1000 }).maximumIntervalMs,
    ).toBe(1000);
  });

  it.each([
    [{ initialInterval: 0 }, "retry.initialInterval must be at least 1ms"],
    [{ initialInterval: "0.2ms" }, "retry.initialInterval must be at least 1ms"],
    [{ backoffCoefficient: 0.5 }, "retry.backoffCoefficient must be >= 1"],
    [{ backoffCoefficient: Number.NaN }, "retry.backoffCoefficient must be >= 1"],
    [
      { initialInterval: "10s", maximumInterval: "5s" },
      "retry.maximumInterval must be >= retry.initialInterval",
    ],
    [{ maximumAttempts: -1 }, "retry.maximumAttempts must be a non-negative integer"],
    [{ maximumAttempts: 1.5 }, "retry.maximumAttempts must be a non-negative integer"],
  ])("rejects %j", (policy, message) => {
    expect(() => resolveRetryPolicy(policy)).toThrow(TypeError);
    expect(() => resolveRetryPolicy(policy)).toThrow(message);
  });

  it("rejects an unparseable interval with a DurationError", () => {
    expect(() => resolveRetryPolicy({ initialInterval: "soon" })).toThrow(DurationError);
    expect(() => resolveRetryPolicy({ maximumInterval: -1 })).toThrow(DurationError);
  });
});

describe("retryDelayMs", () => {
  const defaults = resolveRetryPolicy(undefined);

  it("doubles from 1s after each failed attempt", () => {
    expect([1, 2, 3, 4, 5].map((attempt) => retryDelayMs(defaults, attempt))).toEqual([
      1000, 2000, 4000, 8000, 16_000,
    ]);
  });

  it("caps the delay at maximumInterval", () => {
    expect(retryDelayMs(defaults, 7)).toBe(64_000);
    expect(retryDelayMs(defaults, 8)).toBe(100_000);
    expect(retryDelayMs(defaults, 50)).toBe(100_000);
    const capped = resolveRetryPolicy({ maximumInterval: "5s" });
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(capped, attempt))).toEqual([
      1000, 2000, 4000, 5000,
    ]);
  });

  it("applies the backoff coefficient and rounds to whole milliseconds", () => {
    const policy = resolveRetryPolicy({ initialInterval: 100, backoffCoefficient: 1.5 });
    expect([1, 2, 3].map((attempt) => retryDelayMs(policy, attempt))).toEqual([100, 150, 225]);
    expect(retryDelayMs(policy, 4)).toBe(Math.round(337.5));
  });

  it("keeps a constant delay with a coefficient of 1", () => {
    const policy = resolveRetryPolicy({ initialInterval: "3s", backoffCoefficient: 1 });
    expect([1, 5, 20].map((attempt) => retryDelayMs(policy, attempt))).toEqual([3000, 3000, 3000]);
  });

  it("treats an attempt below 1 as the first", () => {
    expect(retryDelayMs(defaults, 0)).toBe(1000);
  });
});

describe("mayRetry", () => {
  const policy = (overrides: Partial<ResolvedRetryPolicy> = {}): ResolvedRetryPolicy => ({
    ...resolveRetryPolicy(undefined),
    ...overrides,
  });
  const failure = { type: "Error" };

  it("retries without limit when maximumAttempts is 0", () => {
    expect(mayRetry(policy(), 1, failure)).toBe("retry");
    expect(mayRetry(policy(), 10_000, failure)).toBe("retry");
  });

  it("stops once maximumAttempts attempts were made", () => {
    const three = policy({ maximumAttempts: 3 });
    expect(mayRetry(three, 1, failure)).toBe("retry");
    expect(mayRetry(three, 2, failure)).toBe("retry");
    expect(mayRetry(three, 3, failure)).toBe("MaximumAttemptsReached");
    expect(mayRetry(policy({ maximumAttempts: 1 }), 1, failure)).toBe("MaximumAttemptsReached");
  });

  it("does not retry a failure flagged nonRetryable", () => {
    expect(mayRetry(policy(), 1, { type: "Error", nonRetryable: true })).toBe(
      "NonRetryableFailure",
    );
  });

  it("does not retry a failure whose type is listed in nonRetryableErrorTypes", () => {
    const p = policy({ nonRetryableErrorTypes: ["CardDeclined"] });
    expect(mayRetry(p, 1, { type: "CardDeclined" })).toBe("NonRetryableFailure");
    expect(mayRetry(p, 1, { type: "cardDeclined" })).toBe("retry");
    expect(mayRetry(p, 1, { type: "Timeout" })).toBe("retry");
  });

  it("reports NonRetryableFailure before MaximumAttemptsReached", () => {
    expect(mayRetry(policy({ maximumAttempts: 1 }), 1, { type: "Error", nonRetryable: true })).toBe(
      "NonRetryableFailure",
    );
  });
});
