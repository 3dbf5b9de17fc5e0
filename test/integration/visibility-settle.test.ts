/**
 * A new run's listing waits a moment before its delivery to D1 (delivery.ts, VISIBILITY_SETTLE_MS):
 * a run that closes sooner is written once, closed, instead of twice, and an older listing of the
 * run still undelivered is dropped when a newer one is queued. A run still going is listed all
 * the same, and a listing whose wait was lost with the object's memory goes out from the alarm.
 */
import { describe, expect, it } from "vitest";
import {
  api,
  mode,
  post,
  skipTime,
  start,
  stub,
  uniqueId,
  waitForTimer,
  waitInPlace,
} from "../helpers";
import { outboxDrained } from "./outbox-drained";

interface ListBody {
  executions: Array<{ workflowId: string; status: string }>;
}

/** The run's status as listed (the D1 row), or null while it is not listed. */
async function listed(workflowId: string): Promise<string | null> {
  const query = encodeURIComponent(`WorkflowId = '${workflowId}'`);
  const res = await api(`/api/v1/workflows?query=${query}`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as ListBody;
  return body.executions.find((e) => e.workflowId === workflowId)?.status ?? null;
}

async function visibilityWrites(workflowId: string): Promise<number> {
  return (await stub(workflowId).unsafeCounters()).visibilityWrites;
}

describe.skipIf(mode !== "warm")("a new run's listing settles before it is written", () => {
  it("a run that closes in its first task is written to D1 once, closed", async () => {
    const workflowId = uniqueId("vis-settle-local");
    // Local activities: the start, the steps and the close are one transaction.
    await start({ workflowType: "steps", workflowId, input: { n: 3, local: true } });
    await outboxDrained(workflowId);
    expect(await visibilityWrites(workflowId)).toBe(1);
    expect(await listed(workflowId)).toBe("Completed");
  });

  it("a run still going is listed once it settled, and again when it closes", async () => {
    const workflowId = uniqueId("vis-settle-long");
    await start({ workflowType: "sleeper", workflowId, input: { sleeps: ["1h"] } });
    await waitInPlace(async () => expect(await listed(workflowId)).toBe("Running"));
    expect(await visibilityWrites(workflowId)).toBe(1);
    const path = `/api/v1/workflows/${encodeURIComponent(workflowId)}/terminate`;
    expect((await post(path, {})).status).toBe(200);
    await waitInPlace(async () => expect(await listed(workflowId)).toBe("Terminated"));
    expect(await visibilityWrites(workflowId)).toBe(2);
  });
});

describe("a listing whose wait was lost with the object's memory", () => {
  it("goes out from the alarm", async () => {
    const workflowId = uniqueId("vis-settle-evicted");
    await start({ workflowType: "sleeper", workflowId, input: { sleeps: ["1h"] } });
    await waitForTimer(workflowId);
    // Evicted (skipTime does in cold mode) before the wait ends: the alarm's pass delivers it.
    await skipTime(workflowId, 1000);
    await waitInPlace(async () => expect(await listed(workflowId)).toBe("Running"));
  });
});
