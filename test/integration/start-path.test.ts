/**
 * The start path does only what it must (issue 14): a brand-new object creates its whole schema in
 * one `exec`, inside the run's first transaction, reads nothing it cannot have (no runs, no request
 * ids), and writes its identity and the start's retention in one meta statement. These pin what
 * that shortcut must still produce: the same tables as an object upgraded in place, the same meta
 * rows, the same answers.
 */
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, post, result, stub, uniqueId } from "../helpers";

const wf = (id: string) => `/api/v1/workflows/${encodeURIComponent(id)}`;

type SchemaEntry = { type: string; name: string };

/** Tables and indexes of an execution object (workerd's own `_cf_` tables left out). */
async function schemaOf(workflowId: string): Promise<SchemaEntry[]> {
  return runInDurableObject(stub(workflowId), (_obj, state) =>
    state.storage.sql
      .exec<SchemaEntry>(
        "SELECT type, name FROM sqlite_master WHERE name NOT LIKE '_cf_%' ORDER BY type, name",
      )
      .toArray(),
  );
}

async function metaOf(workflowId: string): Promise<Record<string, string>> {
  return runInDurableObject(stub(workflowId), (_obj, state) =>
    Object.fromEntries(
      state.storage.sql
        .exec<{ key: string; value: string }>("SELECT key, value FROM meta")
        .toArray()
        .map((r) => [r.key, r.value]),
    ),
  );
}

async function columnsOf(workflowId: string, table: string): Promise<string[]> {
  return runInDurableObject(stub(workflowId), (_obj, state) =>
    state.storage.sql
      .exec<{ name: string }>(`SELECT name FROM pragma_table_info('${table}')`)
      .toArray()
      .map((c) => c.name),
  );
}

describe("the start of a brand-new workflow id", () => {
  it("creates every table and index at the current schema version", async () => {
    const workflowId = uniqueId("fresh-schema");
    const res = await post("/api/v1/workflows", {
      workflowType: "sleeper",
      workflowId,
      input: { sleeps: ["1h"] },
    });
    expect(res.status).toBe(201);
    const names = (await schemaOf(workflowId)).map((e) => `${e.type} ${e.name}`);
    for (const table of [
      "meta",
      "runs",
      "events",
      "timers",
      "activities",
      "outbox",
      "children",
      "updates",
      "requests",
    ]) {
      expect(names).toContain(`table ${table}`);
    }
    expect(names).toContain("index timers_by_fire_at");
    expect(names).not.toContain("index outbox_by_run"); // dropped in schema 6 (an index row per outbox row)
    expect((await metaOf(workflowId)).schema_version).toBe("6");
  });

  it("writes its identity and the namespace's retention to meta", async () => {
    const workflowId = uniqueId("fresh-meta");
    await post("/api/v1/workflows", { workflowType: "sleeper", workflowId, input: { sleeps: [] } });
    const meta = await metaOf(workflowId);
    expect(meta.namespace).toBe("default");
    expect(meta.workflow_id).toBe(workflowId);
    expect(Number(meta.retention_ms)).toBeGreaterThan(0);
  });

  it("answers a repeated requestId with the first run, and a second run gets run_no 2", async () => {
    const workflowId = uniqueId("fresh-request");
    const body = { workflowType: "sleeper", workflowId, input: { sleeps: [] }, requestId: "r-1" };
    const first = await post("/api/v1/workflows", body);
    expect(first.status).toBe(201);
    const firstRun = ((await first.json()) as { runId: string }).runId;
    const again = await post("/api/v1/workflows", body);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ runId: firstRun, started: false });
    await result(workflowId);
    const second = await post("/api/v1/workflows", { ...body, requestId: "r-2" });
    expect(second.status).toBe(201);
    const runs = await runInDurableObject(stub(workflowId), (_obj, state) =>
      state.storage.sql
        .exec<{ run_id: string; run_no: number }>("SELECT run_id, run_no FROM runs ORDER BY run_no")
        .toArray(),
    );
    expect(runs.map((r) => r.run_no)).toEqual([1, 2]);
    expect(runs[0]!.run_id).toBe(firstRun);
  });
});

describe("an object created before this schema shortcut", () => {
  it("is upgraded in place from version 4 (no close_notify column) and keeps working", async () => {
    const workflowId = uniqueId("old-schema");
    await post("/api/v1/workflows", {
      workflowType: "sleeper",
      workflowId,
      input: { sleeps: ["1h"] },
    });
    await runInDurableObject(stub(workflowId), (_obj, state) => {
      const sql = state.storage.sql;
      sql.exec("ALTER TABLE runs DROP COLUMN close_notify");
      sql.exec("ALTER TABLE activities DROP COLUMN deadline_ms");
      sql.exec("CREATE INDEX outbox_by_run ON outbox (run_id)");
      sql.exec("UPDATE meta SET value = '4' WHERE key = 'schema_version'");
    });
    await abortAllDurableObjects(); // the next activation upgrades it
    const described = await api(wf(workflowId));
    expect(described.status).toBe(200);
    expect(await columnsOf(workflowId, "runs")).toContain("close_notify");
    expect(await columnsOf(workflowId, "activities")).toContain("deadline_ms");
    expect((await schemaOf(workflowId)).map((e) => e.name)).not.toContain("outbox_by_run");
    expect((await metaOf(workflowId)).schema_version).toBe("6");
    const terminated = await post(`${wf(workflowId)}/terminate`, { reason: "done" });
    expect(terminated.status).toBe(200);
    expect(await result(workflowId)).toMatchObject({ status: "Terminated" });
  });
});
