/**
 * The first activity task of a start leaves after the answer, from memory (issue 14, start path):
 * the transaction that wrote its outbox row keeps the row as written (id, queue, message), so the
 * send neither reads the outbox back nor parses the body it had just serialised. What it sends is
 * what an activity Worker gets (every queue-activity test goes through this path); here, what it
 * costs the object's storage, exactly (deterministic counts, not timings). Warm only: the counters
 * belong to one object instance, and the cold project evicts objects.
 */
import { describe, expect, it, vi } from "vitest";
import { eventually, mode, start, stub, uniqueId } from "../helpers";
import { outboxDrained } from "./outbox-drained";

/** A start whose first task goes to a Queue nobody consumes ("parked"), once its outbox is empty. */
async function startedAndSent(input: unknown) {
  const workflowId = uniqueId("send-mem");
  await start({ workflowType: "steps", workflowId, taskQueue: "parked", input });
  await outboxDrained(workflowId);
  return stub(workflowId).unsafeStorageCounts();
}

describe.skipIf(mode !== "warm")("the send of a start's first task", () => {
  it("reads no outbox row back: 12 statements from start to sent (13 with the read)", async () => {
    const counts = await startedAndSent({ n: 1, local: false });
    // The start's transaction and alarm time, the visibility row's delivery (with its exact
    // re-arm) and the task row's delete; the rows written are unchanged. (The test's own polls of
    // the outbox are not counted: their number depends on the machine's speed.)
    expect(counts.statements).toBe(12);
    expect(counts.writeStatements).toBe(9);
    expect(counts.rowsWritten).toBe(19);
    expect(counts.alarmWrites).toBe(2);
  });
});

describe("after a start's first task went out", () => {
  // Without D1 (the bench, an engine with no VISIBILITY) nothing else re-arms: the alarm stayed at
  // the task's retry time and woke the object a second after the start for nothing; now half-way
  // there the send's re-arm sets it to the lease. With D1 bound (these tests) the visibility row's
  // delivery re-arms exactly too, when it finishes after the send: this passes before the change
  // when the race goes that way.
  it("the alarm waits for the task's dispatch lease, not for its retry a second later", async () => {
    const workflowId = uniqueId("send-rearm");
    await start({ workflowType: "steps", workflowId, taskQueue: "parked", input: { n: 1 } });
    await eventually(async () => {
      if ((await stub(workflowId).unsafeAlarm()).outbox > 0) throw new Error("not sent yet");
    });
    const lease = (await stub(workflowId).unsafeTimers()).find((t) =>
      t.key.endsWith(":Redispatch"),
    );
    expect(lease).toBeDefined();
    await vi.waitFor(
      async () => expect((await stub(workflowId).unsafeAlarm()).alarm).toBe(lease?.fireAtMs),
      { timeout: 5_000, interval: 50 },
    );
  });
});
