/**
 * @module Retention (issue #11): a closed run is deleted at close + retention by its own object's
 * alarm; when no run is left the object keeps no storage and no alarm, and the id starts afresh.
 * Runs of a continue-as-new chain, an earlier run of a reused id and a child each follow their own
 * close time; a skip to just under the retention deletes nothing. Retention here is 1 h, given in
 * the start request as the API will give the namespace's.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import {
  api,
  describeWf,
  eventually,
  evictIfCold,
  result,
  skipTime,
  startRequest,
  stub,
  timers,
  uniqueId,
} from "../helpers";

const HOUR = 3_600_000;

async function startWithRetention(
  workflowId: string,
  workflowType: string,
  input: unknown,
  retentionMs: number | null = HOUR,
): Promise<string> {
  const reply = await stub(workflowId).start(
    startRequest(workflowId, workflowType, input, retentionMs !== null ? { retentionMs } : {}),
  );
  if (!reply.ok) throw new Error(reply.error.message);
  return reply.runId;
}

/** The object's raw storage: its tables (workerd's own excluded) and its alarm. */
async function storageOf(workflowId: string): Promise<{ tables: string[]; alarm: number | null }> {
  return runInDurableObject(stub(workflowId), async (_obj, state) => ({
    tables: state.storage.sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
      )
      .toArray()
      .map((t) => t.name),
    alarm: await state.storage.getAlarm(),
  }));
}

async function listRows(workflowId: string): Promise<Array<{ run_id: string }>> {
  const { results } = await env
    .VISIBILITY!.prepare("SELECT run_id FROM executions WHERE workflow_id = ?")
    .bind(workflowId)
    .all<{ run_id: string }>();
  return results;
}

/** Waits until the list index holds exactly `runIds` for the workflow. */
async function listHolds(workflowId: string, runIds: string[]): Promise<void> {
  await eventually(async () => {
    expect((await listRows(workflowId)).map((r) => r.run_id).sort()).toEqual([...runIds].sort());
  });
}

/**
 * Moves the object's clock past its retention and lets the alarm delete it. Not skipTime: its
 * test hooks would recreate the tables this checks are gone.
 */
async function skipPastRetention(workflowId: string, ms: number): Promise<void> {
  await evictIfCold();
  await stub(workflowId).unsafeAdvanceClock(ms);
  await runDurableObjectAlarm(stub(workflowId));
  await vi.waitFor(
    async () => {
      expect(await storageOf(workflowId)).toEqual({ tables: [], alarm: null });
    },
    { timeout: 10_000, interval: 20 },
  );
}

async function runStatus(workflowId: string, runId: string): Promise<number> {
  const res = await api(`/api/v1/workflows/${workflowId}/history?runId=${runId}`);
  await res.body?.cancel();
  return res.status;
}

describe("retention", () => {
  it("deletes a closed execution at close + retention, leaving nothing; the id starts again", async () => {
    const workflowId = uniqueId("ret");
    const runId = await startWithRetention(workflowId, "napper", {});
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: "rested" });
    await listHolds(workflowId, [runId]);
    const closeMs = Date.parse((await describeWf(workflowId)).closeTime!);
    const retention = (await timers(workflowId)).filter((t) => t.kind === "retention");
    expect(retention).toEqual([
      { key: `retention:${runId}`, kind: "retention", fireAtMs: closeMs + HOUR },
    ]);

    // A minute under the hour: nothing goes. (Not a second under: the hour runs out in real time
    // too, counted from the close, and the reads below must come before it, however slow the machine.)
    await skipTime(workflowId, HOUR - 60_000);
    expect((await describeWf(workflowId)).status).toBe("Completed");
    await listHolds(workflowId, [runId]);
    expect((await storageOf(workflowId)).tables).toContain("events");

    await skipPastRetention(workflowId, 61_000);
    const described = await api(`/api/v1/workflows/${workflowId}`);
    expect(described.status).toBe(404);
    await described.body?.cancel();
    expect(await listRows(workflowId)).toEqual([]);
    const listed = await api(
      `/api/v1/workflows?query=${encodeURIComponent(`WorkflowId = "${workflowId}"`)}`,
    );
    expect(((await listed.json()) as { executions: unknown[] }).executions).toEqual([]);
    // Still nothing after the reads, and nothing woke it.
    expect(await storageOf(workflowId)).toEqual({ tables: [], alarm: null });

    // The same id starts afresh.
    const again = await startWithRetention(workflowId, "napper", {});
    expect(again).not.toBe(runId);
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: "rested" });
    expect((await describeWf(workflowId)).runId).toBe(again);
    await listHolds(workflowId, [again]);
  });

  it("runs of a continue-as-new chain each follow their own close time", async () => {
    const workflowId = uniqueId("ret-chain");
    const first = await startWithRetention(workflowId, "napper", { for: "30m", next: 1 });
    await skipTime(workflowId, 30 * 60_000);
    const second = (await describeWf(workflowId)).runId;
    expect(second).not.toBe(first);
    await skipTime(workflowId, 30 * 60_000);
    expect(await result(workflowId)).toMatchObject({ status: "Completed" });
    await listHolds(workflowId, [first, second]);

    // The first run closed 30 min before the second: it goes alone.
    await skipTime(workflowId, 31 * 60_000);
    expect(await runStatus(workflowId, first)).toBe(404);
    expect(await runStatus(workflowId, second)).toBe(200);
    expect((await describeWf(workflowId)).runId).toBe(second);
    await listHolds(workflowId, [second]);

    await skipPastRetention(workflowId, 30 * 60_000);
    expect(await listRows(workflowId)).toEqual([]);
  });

  it("an earlier run of a reused id goes at its own time; the running one is untouched", async () => {
    const workflowId = uniqueId("ret-reuse");
    const old = await startWithRetention(workflowId, "napper", {});
    expect(await result(workflowId)).toMatchObject({ status: "Completed" });
    const running = await startWithRetention(workflowId, "napper", { for: "2h" });
    await skipTime(workflowId, HOUR + 1000);
    expect(await runStatus(workflowId, old)).toBe(404);
    expect(await describeWf(workflowId)).toMatchObject({ runId: running, status: "Running" });
    await listHolds(workflowId, [running]);
    await skipTime(workflowId, HOUR);
    expect(await result(workflowId)).toMatchObject({ status: "Completed" });
    await skipPastRetention(workflowId, HOUR + 1000);
  });

  it("a child inherits its parent's retention and follows its own close time", async () => {
    const workflowId = uniqueId("ret-parent");
    await startWithRetention(workflowId, "vault", { secret: "s", child: true });
    const childId = `${workflowId}-kid`;
    await eventually(async () => {
      expect((await describeWf(childId)).status).toBe("Completed");
    });
    const closeMs = Date.parse((await describeWf(childId)).closeTime!);
    const retention = (await timers(childId)).filter((t) => t.kind === "retention");
    expect(retention.map((t) => t.fireAtMs)).toEqual([closeMs + HOUR]);
    await skipPastRetention(childId, HOUR + 1000);
    // The parent (still running) is untouched.
    expect((await describeWf(workflowId)).status).toBe("Running");
  });

  it("without a retention in the request, the engine default (30 days) applies", async () => {
    const workflowId = uniqueId("ret-default");
    await startWithRetention(workflowId, "napper", {}, null);
    expect(await result(workflowId)).toMatchObject({ status: "Completed" });
    const closeMs = Date.parse((await describeWf(workflowId)).closeTime!);
    const retention = (await timers(workflowId)).filter((t) => t.kind === "retention");
    expect(retention.map((t) => t.fireAtMs)).toEqual([closeMs + 30 * 24 * HOUR]);
  });
});
