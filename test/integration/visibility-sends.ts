/**
 * @module What the executions hand to their visibility queue, for the oversized-row tests: a spy on
 * the Queue binding's `send` and `sendBatch` (the prototype's: the executions run in the test's
 * isolate, so their VISIBILITY_QUEUE shares it; calls go through to the real queue). Every call is
 * recorded, refused or not, so a row that went to the queue anyway shows up. Also a run of the
 * `tagger` fixture with a memo of any size, checked in the list and describe.
 */
import { env } from "cloudflare:test";
import { afterAll, expect, type MockInstance, vi } from "vitest";
import type { WorkflowDescription } from "../../sdk/common/wire";
import { utf8Bytes } from "../../src/common/payload-size";
import type { VisibilityMessage } from "../../src/visibility/queue-message";
import { api, describeWf, evictIfCold, post, startRequest, stub, waitInPlace } from "../helpers";

type QueueSend = (body: unknown, options?: unknown) => Promise<void>;
type QueueSendBatch = (messages: Iterable<{ body: unknown }>, options?: unknown) => Promise<void>;

const queueProto = Object.getPrototypeOf(env.VISIBILITY_QUEUE!) as {
  send: QueueSend;
  sendBatch: QueueSendBatch;
};
const sendSpy: MockInstance<QueueSend> = vi.spyOn(queueProto, "send");
const sendBatchSpy: MockInstance<QueueSendBatch> = vi.spyOn(queueProto, "sendBatch");
afterAll(() => {
  sendSpy.mockRestore();
  sendBatchSpy.mockRestore();
});

function isVisibilityMessage(body: unknown): body is VisibilityMessage {
  return typeof body === "object" && body !== null && "row" in body && "deleteAtMs" in body;
}

/** Every visibility message of the workflow handed to a Queue binding so far (sent or refused). */
export function sentRows(workflowId: string): VisibilityMessage[] {
  const bodies = [
    ...sendSpy.mock.calls.map(([body]) => body),
    ...sendBatchSpy.mock.calls.flatMap(([messages]) => [...messages].map((m) => m.body)),
  ];
  return bodies.filter(
    (b): b is VisibilityMessage => isVisibilityMessage(b) && b.row.workflowId === workflowId,
  );
}

/** The size the engine weighs a message by (src/execution/visibility-send.ts). */
export function messageBytes(message: VisibilityMessage): number {
  return utf8Bytes(JSON.stringify(message));
}

interface ListEntry {
  workflowId: string;
  status: string;
  memo: unknown;
  searchAttributes: Record<string, unknown>;
}

/** The run as the list shows it (its D1 row), or undefined while it is not listed. */
async function listed(workflowId: string): Promise<ListEntry | undefined> {
  const query = encodeURIComponent(`WorkflowId = '${workflowId}'`);
  const res = await api(`/api/v1/workflows?query=${query}`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { executions: ListEntry[] };
  return body.executions.find((e) => e.workflowId === workflowId);
}

/** A memo whose JSON text is `padding` + 10 bytes. */
export function memoOf(padding: number): { pad: string } {
  return { pad: "x".repeat(padding) };
}

/** The memo as D1 holds it for `workflowId`. */
export async function storedMemo(workflowId: string): Promise<string | null | undefined> {
  const row = await env
    .VISIBILITY!.prepare("SELECT memo FROM executions WHERE workflow_id = ?")
    .bind(workflowId)
    .first<{ memo: string | null }>();
  return row?.memo;
}

/**
 * Runs `tagger` with a memo of `padding` bytes to its close, checking that the list shows each of
 * its two rows (Running with the attributes set by workflow code, then Completed) with the memo
 * intact, and describe too. Waits in place: an eviction would lose the listing's settle wait (it
 * would then wait for the alarm); the cold project evicts once between the two rows instead.
 */
export async function runTagger(workflowId: string, padding: number): Promise<void> {
  const memo = memoOf(padding);
  // The start RPC, as the API calls it: the fixture Worker's 80 KB request limit refuses such a
  // memo over HTTP (the default limit, 1 MB + 64 KB, takes it).
  const reply = await stub(workflowId).start(
    startRequest(
      workflowId,
      "tagger",
      { stage: "review", score: 7 },
      { memo: JSON.stringify(memo) },
    ),
  );
  expect(reply.ok).toBe(true);
  await waitInPlace(async () => {
    expect(await listed(workflowId)).toMatchObject({
      status: "Running",
      memo,
      searchAttributes: { Stage: "review", Score: 7, Reviewed: false },
    });
  });
  await evictIfCold();
  const signal = `/api/v1/workflows/${encodeURIComponent(workflowId)}/signals/finish`;
  expect((await post(signal, { input: { stage: "done" } })).status).toBe(202);
  await waitInPlace(async () => {
    expect(await listed(workflowId)).toMatchObject({
      status: "Completed",
      memo,
      searchAttributes: { Stage: "done", Reviewed: true },
    });
  });
  const described: WorkflowDescription = await describeWf(workflowId);
  expect(described.status).toBe("Completed");
  expect(described.memo).toEqual(memo);
}
