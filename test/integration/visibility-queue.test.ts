/**
 * Visibility rows through the visibility queue (VISIBILITY_QUEUE, wrangler.toml; consumed by the
 * engine Worker, src/visibility/consumer.ts): a run's row arrives through the queue and is listed;
 * a batch of rows is one D1 call; an older or repeated row never overwrites a newer one; a
 * malformed message is acked and logged without holding back the rest of its batch; a row whose
 * retention has passed is not written again; and an engine without the binding (the fixture's
 * LimitedWorkflowExecution) still writes its rows to D1 directly.
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import type { WorkflowExecutionBase } from "../../src/engine";
import {
  consumeVisibilityBatch,
  VISIBILITY_QUEUE_NAME,
  visibilityConsumerStats,
} from "../../src/visibility/consumer";
import {
  VISIBILITY_MESSAGE_VERSION,
  type VisibilityMessage,
} from "../../src/visibility/queue-message";
import worker from "../fixtures/worker";
import { api, eventually, mode, start, startRequest, uniqueId } from "../helpers";

const NS = `visq-${mode}-${crypto.randomUUID().slice(0, 8)}`;

function message(
  workflowId: string,
  over: Partial<VisibilityMessage["row"]> = {},
  deleteAtMs: number | null = null,
): VisibilityMessage {
  return {
    v: VISIBILITY_MESSAGE_VERSION,
    row: {
      namespace: NS,
      workflowId,
      runId: `${workflowId}-run`,
      workflowType: "queued",
      status: "Running",
      startTime: "2026-01-01T00:00:00.000Z",
      closeTime: null,
      executionTime: null,
      taskQueue: "default",
      historyLength: 3,
      memo: null,
      searchAttributes: {},
      parent: null,
      version: 12,
      ...over,
    },
    deleteAtMs,
  };
}

interface D1Row {
  status: string;
  version: number;
  search_attributes: string | null;
}

async function stored(workflowId: string): Promise<D1Row | null> {
  return env
    .VISIBILITY!.prepare(
      "SELECT status, version, search_attributes FROM executions WHERE namespace = ? AND workflow_id = ?",
    )
    .bind(NS, workflowId)
    .first<D1Row>();
}

async function attributeRows(
  workflowId: string,
): Promise<Array<{ name: string; version: number }>> {
  const { results } = await env
    .VISIBILITY!.prepare(
      "SELECT name, version FROM search_attributes WHERE namespace = ? AND workflow_id = ? ORDER BY name",
    )
    .bind(NS, workflowId)
    .all<{ name: string; version: number }>();
  return results;
}

/** The run's status as the list API shows it (default namespace), or null while not listed. */
async function listed(workflowId: string): Promise<string | null> {
  const query = encodeURIComponent(`WorkflowId = '${workflowId}'`);
  const res = await api(`/api/v1/workflows?query=${query}`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { executions: Array<{ workflowId: string; status: string }> };
  return body.executions.find((e) => e.workflowId === workflowId)?.status ?? null;
}

/** Hands a batch to the Worker's queue handler as the queue would, and says what it acked. */
async function consume(queue: string, bodies: unknown[]) {
  const batch = createMessageBatch(
    queue,
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch as never, env as never, ctx);
  return getQueueResult(batch, ctx);
}

describe("visibility rows through the queue", () => {
  it("a run's row arrives through the queue and is listed", async () => {
    const rows = visibilityConsumerStats.rows;
    const workflowId = uniqueId("visq-run");
    await start({ workflowType: "steps", workflowId, input: { n: 2, local: true } });
    await eventually(async () => expect(await listed(workflowId)).toBe("Completed"));
    // Written by the consumer (this isolate's), not by the execution.
    expect(visibilityConsumerStats.rows).toBeGreaterThan(rows);
  });

  it("many rows sent together are written in fewer D1 calls than rows", async () => {
    const before = { ...visibilityConsumerStats };
    const ids = Array.from({ length: 40 }, (_, i) => `visq-many-${i}-${crypto.randomUUID()}`);
    await env.VISIBILITY_QUEUE!.sendBatch(ids.map((id) => ({ body: message(id) })));
    await eventually(async () => {
      for (const id of ids) expect((await stored(id))?.status).toBe("Running");
    });
    const rows = visibilityConsumerStats.rows - before.rows;
    const calls = visibilityConsumerStats.d1Calls - before.d1Calls;
    expect(rows).toBeGreaterThanOrEqual(ids.length);
    expect(calls).toBeLessThan(rows);
  });

  it("a batch is one D1 call, whatever its size", async () => {
    const before = visibilityConsumerStats.d1Calls;
    const ids = Array.from({ length: 100 }, (_, i) => `visq-batch-${i}-${crypto.randomUUID()}`);
    const result = await consume(
      VISIBILITY_QUEUE_NAME,
      ids.map((id) => message(id)),
    );
    expect(result.retryBatch.retry).toBe(false);
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toHaveLength(100);
    expect(visibilityConsumerStats.d1Calls - before).toBe(1);
    for (const id of ids) expect((await stored(id))?.status).toBe("Running");
  });

  it("an older or repeated row does not overwrite a newer one, search attributes included", async () => {
    const id = `visq-order-${crypto.randomUUID()}`;
    const newer = message(id, {
      status: "Completed",
      closeTime: "2026-01-01T00:01:00.000Z",
      version: 42,
      searchAttributes: { Stage: { type: "keyword", value: "done" } },
    });
    const older = message(id, {
      version: 12,
      searchAttributes: {
        Stage: { type: "keyword", value: "early" },
        Old: { type: "int", value: 1 },
      },
    });
    await env.VISIBILITY_QUEUE!.send(newer);
    await eventually(async () => expect((await stored(id))?.version).toBe(42));
    // Late, out of order, repeated: the older row and the same newer row again, in one batch,
    // with a marker row that shows the batch was written.
    const marker = `visq-marker-${crypto.randomUUID()}`;
    await env.VISIBILITY_QUEUE!.sendBatch([
      { body: older },
      { body: newer },
      { body: older },
      { body: message(marker) },
    ]);
    await eventually(async () => expect(await stored(marker)).not.toBeNull());
    const row = await stored(id);
    expect(row).toMatchObject({ status: "Completed", version: 42 });
    expect(JSON.parse(row!.search_attributes!)).toEqual({
      Stage: { type: "keyword", value: "done" },
    });
    expect(await attributeRows(id)).toEqual([{ name: "Stage", version: 42 }]);
    // Both orders in one batch: the greater version wins.
    const both = `visq-both-${crypto.randomUUID()}`;
    await consume(VISIBILITY_QUEUE_NAME, [
      message(both, { ...newer.row, workflowId: both, runId: `${both}-run` }),
      message(both, { ...older.row, workflowId: both, runId: `${both}-run` }),
    ]);
    expect(await stored(both)).toMatchObject({ status: "Completed", version: 42 });
    expect(await attributeRows(both)).toEqual([{ name: "Stage", version: 42 }]);
  });

  it("a malformed message is acked, logged and does not hold back its batch", async () => {
    const valid = `visq-valid-${crypto.randomUUID()}`;
    const bad = message(`visq-bad-${crypto.randomUUID()}`, { status: "Sleeping" });
    const badSa = message(`visq-badsa-${crypto.randomUUID()}`, {
      searchAttributes: { X: { type: "int", value: "not a number" as never } },
    });
    const bodies = [null, "text", { v: 99 }, { v: 1, row: [] }, bad, badSa, message(valid)];
    const result = await consume(VISIBILITY_QUEUE_NAME, bodies);
    expect(result.retryBatch.retry).toBe(false);
    expect(result.retryMessages).toEqual([]);
    expect([...result.explicitAcks].sort()).toEqual(bodies.map((_, i) => `m${i}`).sort());
    expect(await stored(valid)).not.toBeNull();
    expect(await stored(bad.row.workflowId)).toBeNull();
    expect(await stored(badSa.row.workflowId)).toBeNull();
    // Through the real queue too: the valid row behind the malformed ones arrives.
    const dropped = visibilityConsumerStats.dropped;
    const behind = `visq-behind-${crypto.randomUUID()}`;
    await env.VISIBILITY_QUEUE!.sendBatch([
      { body: { v: 1, row: { namespace: 7 } } },
      { body: message(behind) },
    ]);
    await eventually(async () => expect(await stored(behind)).not.toBeNull());
    expect(visibilityConsumerStats.dropped).toBeGreaterThan(dropped);
  });

  it("a row whose retention has passed (or is a minute away) is not written back", async () => {
    const gone = `visq-gone-${crypto.randomUUID()}`;
    const kept = `visq-kept-${crypto.randomUUID()}`;
    const closed = { status: "Completed", closeTime: "2026-01-01T00:01:00.000Z", version: 14 };
    const result = await consume(VISIBILITY_QUEUE_NAME, [
      message(gone, closed, Date.now() + 1000),
      message(kept, closed, Date.now() + 3_600_000),
    ]);
    expect(result.explicitAcks).toHaveLength(2);
    expect(await stored(gone)).toBeNull();
    expect(await stored(kept)).not.toBeNull();
  });

  it("a batch D1 refuses is retried whole, with a delay, nothing acked", async () => {
    // D1 refusing the write (a trigger aborts it), as when D1 is unavailable: all or nothing.
    const failing = `visq-refused-${crypto.randomUUID()}`;
    const other = `visq-other-${crypto.randomUUID()}`;
    const trigger = `visq_refuse_${crypto.randomUUID().replace(/-/g, "")}`;
    await env.VISIBILITY!.exec(
      `CREATE TRIGGER ${trigger} BEFORE INSERT ON executions WHEN NEW.workflow_id = '${failing}' BEGIN SELECT RAISE(ABORT, 'refused (test)'); END`,
    );
    try {
      const batch = createMessageBatch(VISIBILITY_QUEUE_NAME, [
        { id: "a", timestamp: new Date(), attempts: 3, body: message(failing) },
        { id: "b", timestamp: new Date(), attempts: 1, body: message(other) },
      ]);
      const ctx = createExecutionContext();
      // getQueueResult does not report delays: watch the retry calls (they still go through).
      const delays = batch.messages.map((m) => vi.spyOn(m, "retry"));
      await consumeVisibilityBatch(batch, env.VISIBILITY);
      const result = await getQueueResult(batch, ctx);
      expect(result.explicitAcks).toEqual([]);
      expect(result.retryBatch.retry).toBe(false);
      expect(result.retryMessages).toEqual([{ msgId: "a" }, { msgId: "b" }]);
      expect(delays.map((d) => d.mock.calls)).toEqual([
        [[{ delaySeconds: 20 }]],
        [[{ delaySeconds: 5 }]],
      ]);
      expect(await stored(failing)).toBeNull();
      expect(await stored(other)).toBeNull();
    } finally {
      await env.VISIBILITY!.exec(`DROP TRIGGER ${trigger}`);
    }
  });

  it("a Worker consuming the queue without a D1 binding acks (drops) what it gets", async () => {
    const batch = createMessageBatch(VISIBILITY_QUEUE_NAME, [
      {
        id: "x",
        timestamp: new Date(),
        attempts: 1,
        body: message(`visq-nodb-${crypto.randomUUID()}`),
      },
    ]);
    const ctx = createExecutionContext();
    await consumeVisibilityBatch(batch, undefined);
    const result = await getQueueResult(batch, ctx);
    expect(result.ackAll).toBe(true);
    expect(result.retryMessages).toEqual([]);
  });

  it("an engine without the binding writes its rows to D1 directly", async () => {
    const workflowId = uniqueId("visq-direct");
    const ns = env.LIMITED_EXECUTION as unknown as DurableObjectNamespace<WorkflowExecutionBase>;
    const rows = visibilityConsumerStats.rows;
    const reply = await ns
      .get(ns.idFromName(`default/${workflowId}`))
      .start(startRequest(workflowId, "steps", { n: 2, local: true }));
    expect(reply.ok).toBe(true);
    await eventually(async () => expect(await listed(workflowId)).toBe("Completed"));
    expect(visibilityConsumerStats.rows).toBe(rows);
  });
});
