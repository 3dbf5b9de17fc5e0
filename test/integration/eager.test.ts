import { describe, expect, it } from "vitest";
import { decodeToken } from "../../src/execution/addressing";
import { eventually, history, result, start, stub, timers, uniqueId } from "../helpers";

describe("eager activity dispatch", () => {
  it("hands steps 2..n to the consumer that reported the previous one, history otherwise unchanged", async () => {
    const workflowId = uniqueId("eager-steps");
    await start({ workflowType: "steps", workflowId, input: { n: 5 } });
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: 5 });
    const events = await history(workflowId);
    expect(events.map((e) => e.eventType)).toEqual([
      "WorkflowExecutionStarted",
      ...Array.from({ length: 5 }, () => [
        "ActivityTaskScheduled",
        "ActivityTaskStarted",
        "ActivityTaskCompleted",
      ]).flat(),
      "WorkflowExecutionCompleted",
    ]);
    const started = events.filter((e) => e.eventType === "ActivityTaskStarted");
    // The first came through the Queue; each later one was handed out with its predecessor's report.
    expect(started.map((e) => e.attributes)).toEqual([
      { seq: 1, attempt: 1 },
      { seq: 2, attempt: 1, eager: true },
      { seq: 3, attempt: 1, eager: true },
      { seq: 4, attempt: 1, eager: true },
      { seq: 5, attempt: 1, eager: true },
    ]);
    const completed = events.filter((e) => e.eventType === "ActivityTaskCompleted");
    expect(completed.map((e) => e.attributes)).toEqual(
      [0, 1, 2, 3, 4].map((i) => ({ seq: i + 1, result: i, attempt: 1 })),
    );
  });

  it("gives nothing for another task queue or an unlisted type; a fitting offer gets the next task, started", async () => {
    const workflowId = uniqueId("eager-offer");
    // "parked" maps to a Queue nobody consumes here: the test plays the consumer.
    const { runId } = await start({
      workflowType: "sequence",
      workflowId,
      input: {
        types: ["echo", "echo", "echo", "echo"],
        options: { taskQueue: "parked", startToCloseTimeout: "10s" },
      },
    });
    const token = (seq: number) => ({ namespace: "default", workflowId, runId, seq, attempt: 1 });
    const startWhenScheduled = (seq: number) =>
      eventually(async () => {
        const started = await stub(workflowId).activityStarted(token(seq), `delivery-${seq}`);
        if (!started) throw new Error(`activity ${seq} not scheduled yet`);
        return started;
      });
    const offer = (deliveryId: string, taskQueue = "parked", activityTypes = ["echo"]) => ({
      taskQueue,
      activityTypes,
      deliveryId,
    });

    await startWhenScheduled(1);
    expect(
      await stub(workflowId).activityCompleted(
        token(1),
        JSON.stringify(0),
        offer("delivery-1", "default"),
      ),
    ).toBeNull();
    await startWhenScheduled(2);
    expect(
      await stub(workflowId).activityCompleted(
        token(2),
        JSON.stringify(1),
        offer("delivery-2", "parked", ["noop"]),
      ),
    ).toBeNull();
    await startWhenScheduled(3);

    const eager = await stub(workflowId).activityCompleted(
      token(3),
      JSON.stringify(2),
      offer("delivery-3"),
    );
    expect(eager).toMatchObject({
      namespace: "default",
      workflowId,
      runId,
      activityType: "echo",
      activityId: "4",
      attempt: 1,
      taskQueue: "parked",
      input: JSON.stringify(3),
      startToCloseTimeoutMs: 10_000,
    });
    expect(decodeToken(eager!.token)).toEqual(token(4));
    // Already started by the offering consumer: no queue message, no dispatch lease, a timeout.
    const keys = (await timers(workflowId)).map((t) => t.key);
    expect(keys.some((k) => k.includes(":4:Redispatch"))).toBe(false);
    expect(keys.some((k) => k.includes(":4:StartToClose"))).toBe(true);
    expect(await stub(workflowId).activityStarted(token(4), "delivery-3")).toBeNull();

    expect(await stub(workflowId).activityCompleted(token(4), JSON.stringify(3))).toBeNull();
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: [0, 1, 2, 3] });
    const started = (await history(workflowId)).filter(
      (e) => e.eventType === "ActivityTaskStarted",
    );
    expect(started.map((e) => e.attributes.eager ?? false)).toEqual([false, false, false, true]);
  });
});
