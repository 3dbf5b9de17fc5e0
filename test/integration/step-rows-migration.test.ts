/**
 * Objects written before the cheaper steps (schema 5) keep working after an upgrade: a history of
 * one row per event, an activity's dispatch lease as a `timers` row, the outbox indexed by run. The
 * object is put back in that shape, evicted (its constructor migrates it in place), and the run
 * carries on: the old lease fires, the history reads and replays the same, the run completes.
 */
import { abortAllDurableObjects, env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { eventually, history, result, skipTime, start, stub, timers, uniqueId } from "../helpers";
import { unbatchEvents } from "./event-rows";

/** Rewrites the object as schema 5 left it (see the module comment). */
async function backToSchema5(workflowId: string): Promise<void> {
  await runInDurableObject(stub(workflowId), (_obj, state) => {
    const sql = state.storage.sql;
    unbatchEvents(sql);
    // The dispatch lease as its timer row; the column gone.
    const acts = sql
      .exec<{ run_id: string; seq: number; attempt: number; deadline_ms: number }>(
        "SELECT run_id, seq, attempt, deadline_ms FROM activities WHERE deadline_ms IS NOT NULL",
      )
      .toArray();
    for (const a of acts) {
      sql.exec(
        "INSERT INTO timers (key, run_id, kind, fire_at_ms, data) VALUES (?, ?, 'activity', ?, ?)",
        `act:${a.run_id}:${a.seq}:Redispatch`,
        a.run_id,
        a.deadline_ms,
        JSON.stringify({ seq: a.seq, attempt: a.attempt, type: "Redispatch" }),
      );
    }
    sql.exec("ALTER TABLE activities DROP COLUMN deadline_ms");
    sql.exec("CREATE INDEX IF NOT EXISTS outbox_by_run ON outbox (run_id)");
    sql.exec("UPDATE meta SET value = '5' WHERE key = 'schema_version'");
    expect(sql.exec("SELECT * FROM events WHERE event_type = 'Batch'").toArray()).toEqual([]);
  });
  await abortAllDurableObjects();
}

// The rewrite reads stored attributes as text: not under encryption at rest (encrypted-* projects).
const encrypted = Boolean((env as { SUNDIAL_ENCRYPTION_KEYS?: string }).SUNDIAL_ENCRYPTION_KEYS);

describe.skipIf(encrypted)("schema 5 objects after the cheaper-steps upgrade", () => {
  it("migrate in place: old history rows, an old lease timer and the old index keep working", async () => {
    const workflowId = uniqueId("schema5");
    // "parked": a Queue nobody consumes here, so each activity waits, Scheduled, on its lease.
    const { runId } = await start({
      workflowType: "sequence",
      workflowId,
      input: { types: ["echo", "echo"], options: { taskQueue: "parked" } },
    });
    const lease = await eventually(async () => {
      const t = (await timers(workflowId)).find((x) => x.key.endsWith(":1:Redispatch"));
      if (!t) throw new Error("no lease yet");
      return t;
    });
    const before = await history(workflowId);
    await backToSchema5(workflowId);

    // Migrated by the constructor: the column back, the index gone, version 6.
    expect(await history(workflowId)).toEqual(before);
    await runInDurableObject(stub(workflowId), (_obj, state) => {
      const sql = state.storage.sql;
      const columns = sql
        .exec<{ name: string }>("SELECT name FROM pragma_table_info('activities')")
        .toArray()
        .map((c) => c.name);
      expect(columns).toContain("deadline_ms");
      expect(
        sql.exec("SELECT name FROM sqlite_master WHERE name = 'outbox_by_run'").toArray(),
      ).toEqual([]);
      expect(
        sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'schema_version'").one()
          .value,
      ).toBe("6");
    });

    // The old lease timer row fires: the task is sent again, its next lease on the row.
    const now = await stub(workflowId).unsafeAdvanceClock(0);
    await skipTime(workflowId, Math.max(0, lease.fireAtMs - now));
    const renewed = await eventually(async () => {
      const t = (await timers(workflowId)).find((x) => x.key.endsWith(":1:Redispatch"));
      if (!t || t.fireAtMs <= lease.fireAtMs) throw new Error("lease not renewed yet");
      return t;
    });
    expect(renewed.fireAtMs - lease.fireAtMs).toBeGreaterThanOrEqual(10_000);

    // Both activities run (reported by hand: nobody consumes "parked"); the run replays its old
    // rows and completes.
    for (const seq of [1, 2]) {
      const token = { namespace: "default", workflowId, runId, seq, attempt: 1 };
      const started = await eventually(async () => {
        const s = await stub(workflowId).activityStarted(token, `d-${seq}`);
        if (!s) throw new Error(`activity ${seq} not scheduled yet`);
        return s;
      });
      expect(started).toMatchObject({ attempt: 1 });
      await abortAllDurableObjects(); // each report on a fresh instance: a replay of mixed rows
      await stub(workflowId).activityCompleted(token, JSON.stringify(`r${seq}`));
    }
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: ["r1", "r2"] });
    const all = await history(workflowId);
    expect(all.slice(0, before.length)).toEqual(before);
    expect(all.map((e) => e.eventId)).toEqual(all.map((_, i) => i + 1));
  });
});
