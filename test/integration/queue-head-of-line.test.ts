/**
 * No head-of-line blocking between workflows on one task queue (issue 9, item 11): a short activity
 * scheduled while another workflow's long activity runs completes without waiting for it.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { heldProbe } from "../fixtures/head-of-line";
import { describeWf, history, resultNoEviction, start, uniqueId } from "../helpers";

const releaseLater: string[] = [];
afterEach(() => {
  for (const key of releaseLater.splice(0)) heldProbe(key).released = true;
});

describe("task queue head-of-line", () => {
  it("a short activity completes while another workflow's long activity on the same queue still runs", async () => {
    const longId = uniqueId("hol-long");
    const key = longId;
    releaseLater.push(key);
    await start({ workflowType: "longQueued", workflowId: longId, input: { key } });
    await vi.waitFor(() => expect(heldProbe(key).started).toBe(true), { timeout: 10_000 });

    const shortId = uniqueId("hol-short");
    await start({ workflowType: "shortQueued", workflowId: shortId });
    expect(await resultNoEviction(shortId)).toMatchObject({
      status: "Completed",
      result: "short done",
    });

    // The long activity is still running: the short one did not wait for it.
    expect(heldProbe(key).done).toBe(false);
    expect((await describeWf(longId)).status).toBe("Running");
    expect((await history(shortId)).map((e) => e.eventType)).toContain("ActivityTaskCompleted");

    heldProbe(key).released = true;
    expect(await resultNoEviction(longId)).toMatchObject({
      status: "Completed",
      result: "long done",
    });
  });
});
