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
