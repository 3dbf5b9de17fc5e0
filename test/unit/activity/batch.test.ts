import { describe, expect, it, vi } from "vitest";
import { runActivityBatch } from "../../../sdk/activity/batch";
import type { Activities } from "../../../sdk/activity/index";
import type { ActivityReporter, ActivityTaskMessage } from "../../../sdk/activity/protocol";

interface FakeMessage {
  id: string;
  body: ActivityTaskMessage;
  acked: boolean;
  retried: boolean;
  ack(): void;
  retry(): void;
}

function message(id: string, activityType: string): FakeMessage {
  return {
    id,
    body: {
      token: id,
      namespace: "default",
      workflowId: `wf-${id}`,
      runId: "r",
      activityId: "1",
      activityType,
      attempt: 1,
    },
    acked: false,
    retried: false,
    ack() {
      this.acked = true;
    },
    retry() {
      this.retried = true;
    },
  };
}

function batchOf(...messages: FakeMessage[]): MessageBatch<ActivityTaskMessage> {
  return { queue: "q", messages } as unknown as MessageBatch<ActivityTaskMessage>;
}

function reporter(reports: string[], failCompletionOf?: string): ActivityReporter {
  return {
    activityStarted: async () => ({ input: "null", attempt: 1, startToCloseTimeoutMs: 60_000 }),
    activityHeartbeat: async () => ({ cancelRequested: false }),
    activityCompleted: async (token) => {
      if (token === failCompletionOf) throw new Error("engine unreachable");
      reports.push(token);
      return null;
    },
    activityFailed: async (token) => {
      reports.push(token);
      return null;
    },
  };
}

function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe("runActivityBatch", () => {
  it("acks each message as soon as its own task is done, not when the batch is", async () => {
    const long = gate();
    const activities: Activities = { long: () => long.opened, short: async () => "ok" };
    const a = message("a", "long");
    const b = message("b", "short");
    const reports: string[] = [];
    let handlerDone = false;
    const handler = runActivityBatch(batchOf(a, b), activities, reporter(reports)).then(() => {
      handlerDone = true;
    });
    await vi.waitFor(() => expect(b.acked).toBe(true));
    expect(reports).toEqual(["b"]);
    expect(a.acked).toBe(false);
    // Without waitUntil, the handler holds until every message is done.
    expect(handlerDone).toBe(false);
    long.open();
    await handler;
    expect(a.acked).toBe(true);
    expect(reports).toEqual(["b", "a"]);
  });

  it("with waitUntil, returns while a long activity runs on (acked, detached), and reports it later", async () => {
    const long = gate();
    const activities: Activities = { long: () => long.opened };
    const a = message("a", "long");
    const reports: string[] = [];
    const background: Promise<unknown>[] = [];
    await runActivityBatch(batchOf(a), activities, reporter(reports), {
      waitUntil: (p) => background.push(p),
      detachAfterMs: 10,
    });
    expect(a.acked).toBe(true);
    expect(reports).toEqual([]);
    long.open();
    await Promise.all(background);
    expect(reports).toEqual(["a"]);
  });

  it("retries a message whose outcome could not be reported while it was still held", async () => {
    const a = message("a", "short");
    await runActivityBatch(batchOf(a), { short: async () => "ok" }, reporter([], "a"), {
      waitUntil: () => {},
      detachAfterMs: 60_000,
    });
    expect(a.retried).toBe(true);
    expect(a.acked).toBe(false);
  }, 10_000);
});
