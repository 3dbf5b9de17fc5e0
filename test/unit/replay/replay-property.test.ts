/**
 * Property: a workflow's history and result do not depend on when its runtime is evicted. For
 * generated programs (see replay-program.ts) and generated interleavings of activity outcomes,
 * timers, children, signals, updates and cancellation (see replay-sim.ts), a run that keeps one warm
 * runtime, a run evicted at generated tasks and a run replayed cold before every task record the
 * same history, the same query answers and validator verdicts, and end the same way; replaying
 * the final history cold matches it with nothing left over.
 *
 * Runs: SUNDIAL_PROPERTY_RUNS (default 500; `npm run test:deep` runs 10,000). A failure prints
 * its seed and path; replay it with SUNDIAL_PROPERTY_SEED=<seed> SUNDIAL_PROPERTY_PATH=<path>.
 * SUNDIAL_PROPERTY_LOG=1 prints each case's duration and history length (to find a slow case).
 */
// First: the runtime's drains use setImmediate (see the module), before the runtime loads.
import "../helpers/immediate-timeouts";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { replay } from "../helpers/history-builder";
import { propertyCaseLog, propertyParameters, propertyRuns } from "../helpers/property";
import { interpreter, type Program, programArbitrary, stateQuery } from "../helpers/replay-program";
import {
  EVERY_TASK,
  type Schedule,
  scheduleArbitrary,
  simulate,
  withoutStacksDeep,
} from "../helpers/replay-sim";

const runs = propertyRuns(500);

/** The tasks before which the runtime is evicted: a few generated ones, or "every" one (cold). */
const evictions: fc.Arbitrary<number[] | "every"> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.uniqueArray(fc.integer({ min: 2, max: 40 }), { minLength: 1, maxLength: 6 }),
  },
  { weight: 1, arbitrary: fc.constant("every" as const) },
);

describe("replay property: warm, evicted and cold runs agree", () => {
  it("records identical histories and results for generated programs and interleavings", {
    // Generous: two busy cores run 500 cases in about a minute of wall time.
    timeout: 60_000 + runs * 250,
  }, async () => {
    const parameters = propertyParameters<[Program, Schedule, number[] | "every"]>(runs);
    const log = propertyCaseLog(parameters);
    await fc.assert(
      fc.asyncProperty(
        programArbitrary(),
        scheduleArbitrary(),
        evictions,
        async (program, sched, evictAt) => {
          const startedMs = performance.now();
          const warm = await simulate(program, sched, new Set());
          expect(warm.end, "a well-behaved program never fails its task").not.toMatch(
            /^task error/,
          );
          const evicted = await simulate(
            program,
            sched,
            evictAt === "every" ? EVERY_TASK : new Set(evictAt),
          );
          expect(withoutStacksDeep(evicted.history)).toEqual(withoutStacksDeep(warm.history));
          expect(evicted.trace).toEqual(warm.trace);
          expect(evicted.end).toBe(warm.end);
          expect(evicted.localRuns).toBe(warm.localRuns);
          // The final history replays cold to the same state, with every command matched.
          const replayed = await replay(interpreter, warm.history);
          expect(replayed.unmatched).toEqual([]);
          expect(replayed.closed).toBe(warm.end === "closed");
          expect(replayed.query(stateQuery.name, null)).toEqual(
            warm.runtime.query(stateQuery.name, null),
          );
          log?.done(performance.now() - startedMs, `${warm.history.length} events, ${warm.end}`);
        },
      ),
      parameters,
    );
  });
});
