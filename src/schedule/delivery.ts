/**
 * @module Delivery of the schedule's outbox rows: starts, cancels and terminates to the executions
 * (their RPC, exactly as the API calls them), and the list row to the D1 index. A thrown error is a
 * transient failure (retried with backoff); an error reply is an answer (recorded).
 */

import type { EngineEnv } from "../config";
import { executionStub } from "../execution/addressing";
import type { RpcError, StartRequest } from "../execution/rpc";
import { namespaceRetentionMs } from "../namespaces/registry";
import { type ScheduleIndexRow, upsertScheduleIndex } from "./index-store";
import type { OutboxRow } from "./store";

export type DeliveryReply = { ok: true; runId?: string } | { ok: false; error: RpcError };

/** Body of a cancel or terminate row. */
export interface EndRunningBody {
  namespace: string;
  workflowId: string;
  reason: string;
}

/**
 * Test-only (the test kit's time skipping, SUNDIAL_UNSAFE=1): brings the clock of a start's target
 * execution up to the schedule's own (`nowMs`) before the start, so the workflow begins at the
 * virtual time the schedule acted at, as a workflow the kit starts does. Never moves a clock back.
 */
export async function alignStartTarget(
  env: EngineEnv,
  row: OutboxRow,
  nowMs: number,
): Promise<void> {
  if (row.kind !== "start") return;
  const req = JSON.parse(row.body) as StartRequest;
  const target = executionStub(env, req.namespace, req.workflowId);
  const behind = nowMs - (await target.unsafeAdvanceClock(0));
  if (behind > 0) await target.unsafeAdvanceClock(behind);
}

export async function deliverRow(env: EngineEnv, row: OutboxRow): Promise<DeliveryReply> {
  switch (row.kind) {
    case "start": {
      const stored = JSON.parse(row.body) as StartRequest;
      // The namespace's retention as of delivery (a cached registry read), as the API's start does.
      const req = { ...stored, retentionMs: await namespaceRetentionMs(env, stored.namespace) };
      const reply = await executionStub(env, req.namespace, req.workflowId).start(req);
      return reply.ok ? { ok: true, runId: reply.runId } : { ok: false, error: reply.error };
    }
    case "cancel": {
      const b = JSON.parse(row.body) as EndRunningBody;
      // The request id makes a redelivered cancel harmless (recorded once).
      return executionStub(env, b.namespace, b.workflowId).cancel(
        b.reason,
        `schedule-cancel:${b.workflowId}`,
      );
    }
    case "terminate": {
      const b = JSON.parse(row.body) as EndRunningBody;
      return executionStub(env, b.namespace, b.workflowId).terminate(b.reason);
    }
    case "index": {
      if (env.VISIBILITY)
        await upsertScheduleIndex(env.VISIBILITY, JSON.parse(row.body) as ScheduleIndexRow);
      return { ok: true };
    }
  }
}
