/**
 * @module fast-check settings shared by the property tests. SUNDIAL_PROPERTY_RUNS sets the number
 * of cases (`npm run test:deep` runs 10,000); a failure prints its seed and path, and
 * SUNDIAL_PROPERTY_SEED=<seed> SUNDIAL_PROPERTY_PATH=<path> replays exactly that case.
 * SUNDIAL_PROPERTY_NO_SHRINK=1 reports the first failing case as found (faster, less readable).
 */
import type fc from "fast-check";

/** The test runs in Node, but the test tsconfig carries Workers types only. */
const env: Record<string, string | undefined> =
  (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};

function integer(name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === "") return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got "${text}"`);
  return value;
}

/** The number of cases of a property: `fallback` unless SUNDIAL_PROPERTY_RUNS says otherwise. */
export function propertyRuns(fallback: number): number {
  return integer("SUNDIAL_PROPERTY_RUNS") ?? fallback;
}

/** fast-check parameters: the run count, and the seed and path of a failure to replay, when given. */
export function propertyParameters<T>(runs: number): fc.Parameters<T> {
  const seed = integer("SUNDIAL_PROPERTY_SEED");
  const path = env.SUNDIAL_PROPERTY_PATH;
  return {
    numRuns: runs,
    ...(seed !== undefined ? { seed } : {}),
    ...(path ? { path } : {}),
    endOnFailure: env.SUNDIAL_PROPERTY_NO_SHRINK === "1",
    // An async case that has not settled after 10 s (normal cases take milliseconds) fails with
    // its seed and path instead of holding the whole run until the test's timeout.
    timeout: 10_000,
  };
}
