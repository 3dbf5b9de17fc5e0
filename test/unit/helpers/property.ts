/**
 * @module fast-check settings shared by the property tests. SUNDIAL_PROPERTY_RUNS sets the number
 * of cases (`npm run test:deep` runs 10,000); a failure prints its seed and path, and
 * SUNDIAL_PROPERTY_SEED=<seed> SUNDIAL_PROPERTY_PATH=<path> replays exactly that case.
 * SUNDIAL_PROPERTY_NO_SHRINK=1 reports the first failing case as found (faster, less readable).
 * SUNDIAL_PROPERTY_LOG=1 prints the seed, then each case's index (its path), duration and size: the
 * case a slow or stuck run is in is the one after the last line, replayable by seed and path.
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

/**
 * With SUNDIAL_PROPERTY_LOG=1: a logger of cases (`done(...)` after each), else undefined. Prints
 * the seed at once, so a run that never ends can still be replayed. The index is the case's path
 * for SUNDIAL_PROPERTY_PATH until a failure (shrinking runs count on).
 */
export function propertyCaseLog(parameters: {
  seed?: number;
}): { done(ms: number, detail: string): void } | undefined {
  if (env.SUNDIAL_PROPERTY_LOG !== "1") return undefined;
  console.log(`property seed ${parameters.seed}`);
  let index = 0;
  return {
    done(ms, detail) {
      console.log(`property case (path) ${index++}: ${ms.toFixed(1)} ms, ${detail}`);
    },
  };
}

/**
 * fast-check parameters: the run count, and the seed and path of a failure to replay, when given.
 * The seed is always explicit (drawn as fast-check would when not given), so that a log can show it.
 */
export function propertyParameters<T>(runs: number): fc.Parameters<T> {
  const seed = integer("SUNDIAL_PROPERTY_SEED") ?? (Date.now() ^ (Math.random() * 0x100000000)) | 0;
  const path = env.SUNDIAL_PROPERTY_PATH;
  return {
    numRuns: runs,
    seed,
    ...(path ? { path } : {}),
    endOnFailure: env.SUNDIAL_PROPERTY_NO_SHRINK === "1",
    // An async case that has not settled after 10 s (normal cases take milliseconds) fails with
    // its seed and path instead of holding the whole run until the test's timeout.
    timeout: 10_000,
  };
}
