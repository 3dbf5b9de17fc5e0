/**
 * Rows written per step (issue 14, "cheaper steps"): the execution object's own count of SQLite
 * rows written (src/execution/sql-counter.ts, SUNDIAL_UNSAFE only) pins what a step costs, so a
 * change that writes more per step fails here. Exact counts: they are deterministic, not timed.
 * Warm only: the counters belong to one object instance, and the cold project evicts objects.
 */
import { describe, expect, it } from "vitest";
import { mode, result, start, stub, uniqueId } from "../helpers";
import { outboxDrained } from "./outbox-drained";

type Counts = { rowsWritten: number; statements: number; writeStatements: number };

/** Runs a `steps` workflow to its end; its object's counts once its outbox is delivered. */
async function countsOf(n: number, local: boolean): Promise<Counts> {
  const workflowId = uniqueId(`rows-${local ? "local" : "queue"}-${n}`);
  await start({ workflowType: "steps", workflowId, input: { n, local } });
  expect(await result(workflowId)).toMatchObject({ status: "Completed", result: n });
  // Delivery after the close (visibility) writes too: wait until nothing is left to send.
  await outboxDrained(workflowId);
  return stub(workflowId).unsafeStorageCounts();
}

describe.skipIf(mode !== "warm")("rows written per step", () => {
  it("a queue-activity step (eagerly dispatched) writes 3 rows: its events, the finished activity's row gone, the next one's row", async () => {
    const small = await countsOf(2, false);
    const large = await countsOf(7, false);
    // Steps 2..n are handed out eagerly by the consumer that reported the previous one.
    expect((large.rowsWritten - small.rowsWritten) / 5).toBe(3);
    expect((large.writeStatements - small.writeStatements) / 5).toBe(3);
    // Reads included: the report's two reads, the commit's three writes, the wft timer's delete,
    // the alarm's wake-up time (7); background reads (a delivery pass) may add a few.
    expect((large.statements - small.statements) / 5).toBeLessThan(8);
  });

  it("local-activity steps of one workflow task add no row: their markers share the task's one row", async () => {
    const small = await countsOf(2, true);
    const large = await countsOf(7, true);
    expect(large.rowsWritten - small.rowsWritten).toBe(0);
  });
});
