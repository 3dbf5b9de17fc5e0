/**
 * The first activity task of a start leaves after the answer, from memory (issue 14, start path):
 * the transaction that wrote its outbox row keeps the row as written (id, queue, message), so the
 * send neither reads the outbox back nor parses the body it had just serialised. What it sends is
 * what an activity Worker gets (every queue-activity test goes through this path); here, what it
 * costs the object's storage, exactly (deterministic counts, not timings). Warm only: the counters
 * belong to one object instance, and the cold project evicts objects.
 */
import { describe, expect, it } from "vitest";
import { eventually, mode, start, stub, uniqueId } from "../helpers";

/** A start whose first task goes to a Queue nobody consumes ("parked"), once its outbox is empty. */
async function startedAndSent(input: unknown) {
  const workflowId = uniqueId("send-mem");
  await start({ workflowType: "steps", workflowId, taskQueue: "parked", input });
  await eventually(async () => {
    if ((await stub(workflowId).unsafeAlarm()).outbox > 0) throw new Error("not sent yet");
  });
  return stub(workflowId).unsafeStorageCounts();
}

describe.skipIf(mode !== "warm")("the send of a start's first task", () => {
  it("reads no outbox row back: 14 statements from start to sent (15 with the read)", async () => {
    const counts = await startedAndSent({ n: 1, local: false });
    // The start's transaction and alarm time, the visibility row's delivery, the task row's
    // delete, the exact re-arm's wake time, and the test hook's outbox counts; the rows written
    // are unchanged.
    expect(counts.statements).toBe(14);
    expect(counts.writeStatements).toBe(9);
    expect(counts.rowsWritten).toBe(19);
    // The start's; the visibility delivery's exact re-arm; the send's when it finished last.
    expect(counts.alarmWrites).toBeGreaterThanOrEqual(2);
    expect(counts.alarmWrites).toBeLessThanOrEqual(3);
  });
});

describe("after a start's first task went out", () => {
  // Without D1 (the bench, an engine with no VISIBILITY) nothing else re-arms: the alarm stayed at
  // the task's retry time and woke the object a second after the start for nothing. With D1 bound
  // (these tests) the visibility row's delivery re-arms exactly when it finishes after the send,
  // so this passes before the change too when the race goes that way.
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
    expect((await stub(workflowId).unsafeAlarm()).alarm).toBe(lease?.fireAtMs);
  });
});
