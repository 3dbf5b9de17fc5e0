/**
 * @module Waiting for an execution's outbox to drain without being counted: the tests that pin the
 * engine's storage counts (sql-counter.ts) polled the `unsafeAlarm` hook, whose outbox count is a
 * statement on the counted SQL. How many polls it takes depends on how fast the background
 * delivery is, so a slow machine added statements to the pinned counts. This reads the table with
 * the object's raw SQL, which the counter does not wrap.
 */
import { runInDurableObject } from "cloudflare:test";
import { stub, waitInPlace } from "../helpers";

export async function outboxDrained(workflowId: string): Promise<void> {
  await waitInPlace(async () => {
    const left = await runInDurableObject(
      stub(workflowId),
      (_obj, state) =>
        state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n,
    );
    if (left > 0) throw new Error(`${workflowId}: ${left} outbox rows not delivered yet`);
  });
}
