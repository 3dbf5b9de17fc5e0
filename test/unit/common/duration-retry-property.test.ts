/**
 * Properties of the engine's pure parts: duration parsing (every unit alias, spacing and casing,
 * decimals checked against exact rational arithmetic, and "any string either parses to a whole
 * non-negative number of ms or throws DurationError") and retry policies (backoff bounded and
 * monotone, attempts counted exactly, non-retryable failures never retried, string and numeric
 * durations resolve alike). SUNDIAL_PROPERTY_RUNS / _SEED / _PATH as in replay-property.test.ts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DurationError, MAX_DURATION_MS, toMs } from "../../../sdk/common/duration";
import { mayRetry, resolveRetryPolicy, retryDelayMs } from "../../../sdk/common/retry-policy";
import { propertyParameters, propertyRuns } from "../helpers/property";

const runs = propertyRuns(500);

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ...["ms", "millisecond", "milliseconds"].map((u) => [u, 1] as const),
  ...["s", "sec", "secs", "second", "seconds"].map((u) => [u, 1000] as const),
  ...["m", "min", "mins", "minute", "minutes"].map((u) => [u, 60_000] as const),
  ...["h", "hr", "hrs", "hour", "hours"].map((u) => [u, 3_600_000] as const),
  ...["d", "day", "days"].map((u) => [u, 86_400_000] as const),
  ...["w", "week", "weeks"].map((u) => [u, 604_800_000] as const),
];

const unit = fc.constantFrom(...UNITS);
const spaces = fc.constantFrom("", " ", "  ", "\t");

/** `unit` in a random mix of upper and lower case. */
function anyCase(text: string): fc.Arbitrary<string> {
  return fc
    .array(fc.boolean(), { minLength: text.length, maxLength: text.length })
    .map((upper) =>
      [...text].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(""),
    );
}

const timeout = { timeout: 60_000 + runs * 10 };

/** `toMs(input)` is `ms`, or a DurationError when `ms` is past the longest duration (100 years). */
function expectMs(input: string | number, ms: number): void {
  if (ms > MAX_DURATION_MS) expect(() => toMs(input)).toThrow(DurationError);
  else expect(toMs(input)).toBe(ms);
}

describe("toMs (property)", () => {
  it("reads <integer><unit> with any spacing and casing as integer × unit", timeout, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        unit.chain(([name, factor]) => anyCase(name).map((cased) => [cased, factor] as const)),
        spaces,
        spaces,
        spaces,
        (n, [name, factor], before, between, after) => {
          expectMs(`${before}${n}${between}${name}${after}`, n * factor);
        },
      ),
      propertyParameters(runs),
    );
  });

  it("reads a bare integer as milliseconds, as the number itself", timeout, () => {
    // Half within the longest duration, half anywhere up to the largest safe integer.
    const integer = fc.oneof(
      fc.integer({ min: 0, max: MAX_DURATION_MS }),
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    );
    fc.assert(
      fc.property(integer, (n) => {
        expectMs(String(n), n);
        expectMs(n, n);
      }),
      propertyParameters(runs),
    );
  });

  it("rounds a decimal to the nearest millisecond of its exact value", timeout, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.stringMatching(/^\d{1,6}$/),
        unit,
        (whole, fraction, [name, factor]) => {
          const input = `${whole}.${fraction}${name}`;
          // Exactly: value = (whole·10^k + fraction) · factor / 10^k. Float arithmetic may land
          // on either side of a .5 tie, so allow half a millisecond and a sliver.
          const denominator = 10n ** BigInt(fraction.length);
          const numerator = (BigInt(whole) * denominator + BigInt(fraction)) * BigInt(factor);
          // Past the longest duration (100 years) it is refused; within 1 ms of it, either way.
          const max = BigInt(MAX_DURATION_MS);
          if (numerator > (max + 1n) * denominator) {
            expect(() => toMs(input)).toThrow(DurationError);
            return;
          }
          if (numerator >= (max - 1n) * denominator) return;
          const ms = toMs(input);
          const error = BigInt(ms) * denominator - numerator;
          const abs = error < 0n ? -error : error;
          expect(Number.isSafeInteger(ms)).toBe(true);
          expect(2000n * abs <= 1001n * denominator).toBe(true);
        },
      ),
      propertyParameters(runs),
    );
  });

  it("rounds numbers and refuses negative or non-finite ones", timeout, () => {
    fc.assert(
      fc.property(fc.double(), (x) => {
        if (Number.isFinite(x) && x >= 0) expectMs(x, Math.round(x));
        else expect(() => toMs(x)).toThrow(DurationError);
      }),
      propertyParameters(runs),
    );
  });

  it("either parses any string to whole non-negative ms or throws DurationError", timeout, () => {
    const text = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.stringMatching(/^[\s\d.a-zA-Z-]{0,20}$/),
      fc
        .tuple(fc.nat(), spaces, fc.constantFrom(...UNITS.map(([u]) => u), "x", "", "fortnight"))
        .map(([n, s, u]) => `${n}${s}${u}`),
    );
    fc.assert(
      fc.property(text, (input) => {
        let ms: number;
        try {
          ms = toMs(input);
        } catch (err) {
          expect(err).toBeInstanceOf(DurationError);
          return;
        }
        expect(Number.isInteger(ms) && ms >= 0).toBe(true);
      }),
      propertyParameters(runs),
    );
  });
});

const policy = fc.record(
  {
    initialInterval: fc.integer({ min: 1, max: 60_000 }),
    backoffCoefficient: fc.double({ min: 1, max: 10, noNaN: true }),
    maximumFactor: fc.integer({ min: 1, max: 1000 }),
    maximumAttempts: fc.integer({ min: 0, max: 20 }),
    nonRetryableErrorTypes: fc.array(fc.constantFrom("A", "B", "C"), { maxLength: 2 }),
  },
  { requiredKeys: ["initialInterval"] },
);

function resolve(p: Parameters<typeof toPolicy>[0]) {
  return resolveRetryPolicy(toPolicy(p));
}

function toPolicy(p: {
  initialInterval: number;
  backoffCoefficient?: number;
  maximumFactor?: number;
  maximumAttempts?: number;
  nonRetryableErrorTypes?: string[];
}) {
  return {
    initialInterval: p.initialInterval,
    ...(p.backoffCoefficient !== undefined ? { backoffCoefficient: p.backoffCoefficient } : {}),
    ...(p.maximumFactor !== undefined
      ? { maximumInterval: p.initialInterval * p.maximumFactor }
      : {}),
    ...(p.maximumAttempts !== undefined ? { maximumAttempts: p.maximumAttempts } : {}),
    ...(p.nonRetryableErrorTypes ? { nonRetryableErrorTypes: p.nonRetryableErrorTypes } : {}),
  };
}

describe("retry policy (property)", () => {
  it("backs off monotonically from initialInterval up to maximumInterval", timeout, () => {
    fc.assert(
      fc.property(policy, fc.integer({ min: 1, max: 5000 }), (p, attempts) => {
        const resolved = resolve(p);
        expect(retryDelayMs(resolved, 1)).toBe(resolved.initialIntervalMs);
        const previous = 0;
        for (const attempt of [1, 2, 3, 10, 50, attempts, attempts + 1, 100_000]) {
          if (attempt < previous) continue;
          const delay = retryDelayMs(resolved, attempt);
          expect(Number.isSafeInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(resolved.initialIntervalMs);
          expect(delay).toBeLessThanOrEqual(resolved.maximumIntervalMs);
        }
        for (let a = 1; a < Math.min(attempts, 200); a++) {
          expect(retryDelayMs(resolved, a + 1)).toBeGreaterThanOrEqual(retryDelayMs(resolved, a));
        }
        // A coefficient of 1 keeps the initial interval; one of 1.001 or more reaches the cap
        // (1.001^99,999 > e^99). Closer to 1 it may take longer than any real retry series.
        if (resolved.backoffCoefficient === 1) {
          expect(retryDelayMs(resolved, 100_000)).toBe(resolved.initialIntervalMs);
        } else if (resolved.backoffCoefficient >= 1.001) {
          expect(retryDelayMs(resolved, 100_000)).toBe(resolved.maximumIntervalMs);
        }
      }),
      propertyParameters(runs),
    );
  });

  it(
    "retries exactly maximumAttempts − 1 times, forever when 0, never when non-retryable",
    timeout,
    () => {
      fc.assert(
        fc.property(policy, fc.constantFrom("A", "B", "Other"), fc.boolean(), (p, type, flag) => {
          const resolved = resolve(p);
          const failure = { type, nonRetryable: flag };
          const never = flag || resolved.nonRetryableErrorTypes.includes(type);
          let retries = 0;
          let last: string = "retry";
          for (let attempt = 1; attempt <= 50 && last === "retry"; attempt++) {
            last = mayRetry(resolved, attempt, failure);
            if (last === "retry") retries += 1;
          }
          if (never) {
            expect([retries, last]).toEqual([0, "NonRetryableFailure"]);
          } else if (resolved.maximumAttempts === 0) {
            expect([retries, last]).toEqual([50, "retry"]);
          } else {
            expect([retries, last]).toEqual([
              resolved.maximumAttempts - 1,
              "MaximumAttemptsReached",
            ]);
          }
        }),
        propertyParameters(runs),
      );
    },
  );

  it("resolves string durations like the same numbers of milliseconds", timeout, () => {
    fc.assert(
      fc.property(policy, unit, (p, [name, factor]) => {
        const base = toPolicy(p);
        const initial = Math.max(1, Math.floor(p.initialInterval / factor));
        // Both resolve alike, or both are refused with the same message.
        const outcome = (initialInterval: number | string) => {
          try {
            return resolveRetryPolicy({ ...base, initialInterval });
          } catch (err) {
            return String(err);
          }
        };
        expect(outcome(`${initial}${name}`)).toEqual(outcome(initial * factor));
      }),
      propertyParameters(runs),
    );
  });
});
