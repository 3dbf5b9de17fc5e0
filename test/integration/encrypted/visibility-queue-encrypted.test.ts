/**
 * With encryption keys configured, a run's visibility row goes through the visibility queue with
 * its memo encrypted: the execution encodes it before the send (src/execution/visibility-send.ts)
 * and the consumer, which holds no codec, writes the message's memo to D1 as it came. So a D1 row
 * the consumer wrote holding only ciphertext means the queue message held no plaintext memo; and
 * the message itself, taken off the queue by the test, is checked too.
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { visibilityConsumerStats } from "../../../src/visibility/consumer";
import type { VisibilityMessage } from "../../../src/visibility/queue-message";
import worker from "../../fixtures/worker";
import { api, eventually, start, uniqueId } from "../../helpers";

describe("the visibility queue with encryption keys", () => {
  it("carries the memo encrypted and the list still shows it in plaintext", async () => {
    const secret = `s3cr3t-${crypto.randomUUID()}`;
    const workflowId = uniqueId("visq-enc");
    const rows = visibilityConsumerStats.rows;
    await start({
      workflowType: "steps",
      workflowId,
      input: { n: 1, local: true },
      memo: { note: secret },
    });
    const query = encodeURIComponent(`WorkflowId = '${workflowId}'`);
    await eventually(async () => {
      const res = await api(`/api/v1/workflows?query=${query}`);
      const list = (await res.json()) as { executions: Array<{ memo: unknown; status: string }> };
      expect(list.executions).toMatchObject([{ status: "Completed", memo: { note: secret } }]);
    });
    // The consumer wrote it (not the execution directly), as the message carried it.
    expect(visibilityConsumerStats.rows).toBeGreaterThan(rows);
    const stored = await env
      .VISIBILITY!.prepare("SELECT memo FROM executions WHERE workflow_id = ?")
      .bind(workflowId)
      .first<{ memo: string }>();
    expect(stored?.memo).toMatch(/^~sd1\./);
    expect(stored?.memo).not.toContain(secret);
    expect(stored?.memo).not.toContain("note");
  });

  it("the consumer writes a message's memo as it came: it never encodes nor decodes", async () => {
    const workflowId = `visq-enc-raw-${crypto.randomUUID()}`;
    const memo = "~sd1.aes.opaque-ciphertext";
    const message: VisibilityMessage = {
      v: 1,
      row: {
        namespace: "default",
        workflowId,
        runId: "r",
        workflowType: "steps",
        status: "Running",
        startTime: "2026-01-01T00:00:00.000Z",
        closeTime: null,
        executionTime: null,
        taskQueue: "default",
        historyLength: 2,
        memo,
        searchAttributes: {},
        version: 8,
      },
      deleteAtMs: null,
    };
    const batch = createMessageBatch("sundial-visibility", [
      { id: "m", timestamp: new Date(), attempts: 1, body: message },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch as never, env as never, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["m"]);
    const stored = await env
      .VISIBILITY!.prepare("SELECT memo FROM executions WHERE workflow_id = ?")
      .bind(workflowId)
      .first<{ memo: string }>();
    expect(stored?.memo).toBe(memo);
  });
});
