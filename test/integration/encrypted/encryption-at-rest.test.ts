/**
 * @module Encryption at rest (issue #11), run by the "encrypted-warm" and "encrypted-cold" projects
 * (SUNDIAL_ENCRYPTION_KEYS set, vitest.config.ts): one secret carried through every kind of payload
 * (input, memo, signal, update and its result, activity input, heartbeat and result, local activity,
 * child input and result, workflow result, failure message and details) is in no raw SQLite row of
 * the executions and in no D1 row, while the API answers it in plaintext; after a key rotation old
 * payloads still decode (replay, cold) and new ones carry the new key id.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { aesKeyId } from "../../../src/codec/aes-gcm";
import { envelopeBytes, envelopeCodecs } from "../../../src/codec/codec";
import {
  api,
  describeWf,
  eventTypes,
  eventually,
  evictIfCold,
  history,
  post,
  result,
  start,
  stub,
  uniqueId,
} from "../../helpers";

const K1 = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

/** Every row of every table of the object, raw (the test reads `state.storage.sql` unwrapped). */
async function rawRows(workflowId: string): Promise<Record<string, Record<string, unknown>[]>> {
  return runInDurableObject(stub(workflowId), (_obj, state) => {
    const sql = state.storage.sql;
    const tables = sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
      )
      .toArray();
    return Object.fromEntries(
      tables.map((t) => [t.name, sql.exec(`SELECT * FROM "${t.name}"`).toArray()]),
    );
  });
}

async function d1Rows(workflowId: string): Promise<unknown[]> {
  const db = env.VISIBILITY!;
  const executions = await db
    .prepare("SELECT * FROM executions WHERE workflow_id = ?")
    .bind(workflowId)
    .all();
  const attributes = await db
    .prepare("SELECT * FROM search_attributes WHERE workflow_id = ?")
    .bind(workflowId)
    .all();
  return [...executions.results, ...attributes.results];
}

async function untilEvent(workflowId: string, type: string): Promise<void> {
  await eventually(async () => {
    if (!(await eventTypes(workflowId)).includes(type)) throw new Error(`no ${type} yet`);
  });
}

async function signal(workflowId: string, name: string, input: unknown): Promise<void> {
  const res = await post(`/api/v1/workflows/${workflowId}/signals/${name}`, { input });
  expect(res.status).toBe(202);
}

/** The key id of each stored event's attributes, by event type. */
async function eventKeyIds(workflowId: string): Promise<Array<[string, string]>> {
  const rows = (await rawRows(workflowId)).events as Array<{
    event_type: string;
    attributes: string;
  }>;
  return rows.map((r) => {
    expect(envelopeCodecs(r.attributes)).toEqual(["aes256gcm"]);
    return [r.event_type, aesKeyId(envelopeBytes(r.attributes))];
  });
}

describe("encryption at rest", () => {
  it("stores no plaintext of a payload in SQLite or D1, and the API answers it in plaintext", async () => {
    const secret = `s3cr3t-${crypto.randomUUID()}`;
    const workflowId = uniqueId("vault");
    await start({
      workflowType: "vault",
      workflowId,
      input: { secret, child: true },
      memo: { note: secret },
      searchAttributes: { CustomerId: "plain-customer" },
    });
    await signal(workflowId, "deposit", `dep-${secret}`);
    const update = await post(`/api/v1/workflows/${workflowId}/updates/withdraw`, {
      input: `wd-${secret}`,
      wait: "10s",
    });
    expect(await update.json()).toMatchObject({ result: `withdrawn:wd-${secret}` });
    await untilEvent(workflowId, "ChildWorkflowExecutionCompleted");
    // Running, with payloads in the runs, events, updates and outbox tables: none in plaintext.
    const running = JSON.stringify(await rawRows(workflowId));
    expect(running).toContain("~sd1.aes256gcm.");
    expect(running).not.toContain(secret);
    const query = await post(`/api/v1/workflows/${workflowId}/queries/peek`, {});
    expect(await query.json()).toEqual({ result: [`dep-${secret}`] });

    await signal(workflowId, "finish", null);
    expect(await result(workflowId)).toMatchObject({
      status: "Completed",
      result: {
        remote: `echoed:${secret}`,
        local: `local:${secret}`,
        child: `child:${secret}`,
        items: [`dep-${secret}`],
      },
    });
    // The API decodes: history, describe and list show plaintext.
    const events = JSON.stringify(await history(workflowId));
    for (const p of [`"secret":"${secret}"`, `dep-${secret}`, `wd-${secret}`, `echoed:${secret}`]) {
      expect(events).toContain(p);
    }
    expect((await describeWf(workflowId)).memo).toEqual({ note: secret });
    await eventually(async () => {
      const res = await api(
        `/api/v1/workflows?query=${encodeURIComponent(`WorkflowId = "${workflowId}"`)}`,
      );
      const list = (await res.json()) as { executions: Array<{ memo: unknown; status: string }> };
      expect(list.executions).toMatchObject([{ status: "Completed", memo: { note: secret } }]);
    });

    // At rest: the parent's and the child's SQLite, and the D1 rows (memo encoded; search
    // attributes stay plaintext, as documented).
    const childId = `${workflowId}-kid`;
    for (const id of [workflowId, childId]) {
      const rows = await rawRows(id);
      // A transition's events share one row (event-batches.ts): at least one row to look into.
      expect(rows.events?.length).toBeGreaterThanOrEqual(1);
      expect(JSON.stringify(rows)).not.toContain(secret);
    }
    const d1 = JSON.stringify(await d1Rows(workflowId));
    expect(d1).not.toContain(secret);
    expect(d1).toContain("plain-customer");
    expect(d1).toContain("~sd1.aes256gcm.");
    const childRows = JSON.stringify(await d1Rows(childId));
    expect(childRows).toContain(childId);
    expect(childRows).not.toContain(secret);
  });

  it("encodes a failure's message and details; the API shows them", async () => {
    const secret = `s3cr3t-${crypto.randomUUID()}`;
    const workflowId = uniqueId("vault-fail");
    await start({ workflowType: "vault", workflowId, input: { secret, fail: true } });
    await untilEvent(workflowId, "MarkerRecorded");
    await signal(workflowId, "finish", null);
    const body = (await result(workflowId)) as { status: string; failure: { message: string } };
    expect(body.status).toBe("Failed");
    expect(body.failure.message).toContain(`refused ${secret}`);
    expect(JSON.stringify(await rawRows(workflowId))).not.toContain(secret);
  });

  it("after a key rotation old payloads still decode (replay) and new ones carry the new key id", async () => {
    const secret = `s3cr3t-${crypto.randomUUID()}`;
    const workflowId = uniqueId("vault-rotate");
    await start({ workflowType: "vault", workflowId, input: { secret } });
    await signal(workflowId, "deposit", "before");
    await untilEvent(workflowId, "MarkerRecorded");
    const before = await eventKeyIds(workflowId);
    expect(new Set(before.map(([, id]) => id))).toEqual(new Set(["k1"]));

    const k2 = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    await stub(workflowId).unsafePayloadKeys(
      JSON.stringify({ primary: "k2", keys: { k1: K1, k2 } }),
    );
    // Cold: the object restarts from SQLite and replays a history written under k1.
    await evictIfCold();
    await signal(workflowId, "deposit", "after");
    await signal(workflowId, "finish", null);
    expect(await result(workflowId)).toMatchObject({
      status: "Completed",
      result: { items: ["before", "after"] },
    });
    const after = await eventKeyIds(workflowId);
    expect(after.slice(0, before.length)).toEqual(before);
    const added = after.slice(before.length);
    expect(added.length).toBeGreaterThan(0);
    expect(new Set(added.map(([, id]) => id))).toEqual(new Set(["k2"]));
    // A closed run replays (a query) with both keys; its history reads back in plaintext.
    await evictIfCold();
    const query = await post(`/api/v1/workflows/${workflowId}/queries/peek`, {});
    expect(await query.json()).toEqual({ result: ["before", "after"] });
    expect(JSON.stringify(await history(workflowId))).toContain(secret);
  });
});
