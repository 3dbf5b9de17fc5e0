import { describe, expect, it } from "vitest";
import { DurationError, optionalMs, toMs } from "../../../sdk/common/duration";

describe("toMs", () => {
  it.each([
    ["500ms", 500],
    ["30s", 30_000],
    ["5m", 300_000],
    ["1h", 3_600_000],
    ["2d", 172_800_000],
    ["1w", 604_800_000],
    ["1.5s", 1500],
    ["10 minutes", 600_000],
    ["1 hour", 3_600_000],
    ["3 secs", 3000],
    ["250", 250],
    [" 2 H ", 7_200_000],
    ["0s", 0],
  ])("converts %j to %i ms", (input, expected) => {
    expect(toMs(input)).toBe(expected);
  });

  it("passes numbers of milliseconds through", () => {
    expect(toMs(0)).toBe(0);
    expect(toMs(1500)).toBe(1500);
  });

  it("rounds fractional milliseconds", () => {
    expect(toMs(1.6)).toBe(2);
    expect(toMs("0.4ms")).toBe(0);
    expect(toMs("1.0005s")).toBe(1001);
  });

  it.each(["", "   ", "abc", "-1s", "1.5.3s", "10 fortnights", "1e3ms", "s"])(
    "throws DurationError for %j",
    (input) => {
      expect(() => toMs(input)).toThrow(DurationError);
    },
  );

  it.each([-5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
    "throws DurationError for %d",
    (input) => {
      expect(() => toMs(input)).toThrow(DurationError);
    },
  );

  it("throws a TypeError naming the bad value", () => {
    expect(() => toMs("abc")).toThrow(TypeError);
    expect(() => toMs("abc")).toThrow('Invalid duration "abc"');
    expect(() => toMs(-5)).toThrow("Invalid duration -5");
  });
});

describe("optionalMs", () => {
  it("passes undefined through and converts the rest", () => {
    expect(optionalMs(undefined)).toBeUndefined();
    expect(optionalMs("2s")).toBe(2000);
  });
});
