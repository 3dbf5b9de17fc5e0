/**
 * The outbox has backoff and an end (issue 9, items 3 and 4): an unbound task queue is refused at
 * start and fails the workflow task from workflow code; a delivery that keeps failing backs off to
 * one attempt per 5 minutes, shows in describe, and is dropped when its run closes (no more alarm);
 * a wide fan-out is sent in batches the Queue accepts.
 */
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { HistoryResponse, WireEvent, WorkflowDescription } from "../../sdk/common/wire";
import {
  api,
  describeWf,
  eventually,
  history,
  mode,
  post,
  result,
  resultNoEviction,
  skipTime,
  start,
  stub,
  uniqueId,
  waitForTimer,
} from "../helpers";

const wf = (id: string) => `/api/v1/workflows/${encodeURIComponent(id)}`;

/** Every event of the latest run, page by page (a page holds at most 1000). */
async function allEvents(workflowId: string): Promise<WireEvent[]> {
  const events: WireEvent[] = [];
  let token: string | null = null;
  do {
    const q: string = token ? `?nextPageToken=${encodeURIComponent(token)}` : "";
    const page = (await (await api(`${wf(workflowId)}/history${q}`)).json()) as HistoryResponse;
    events.push(...page.events);
    token = page.nextPageToken;
  } while (token);
  return events;
}

async function alarmOf(workflowId: string): Promise<number | null> {
  return runInDurableObject(stub(workflowId), (_obj, state) => state.storage.getAlarm());
}

/** After the close, only the run's deletion at close + retention (30 days by default) wakes it. */
async function onlyRetentionWakes(workflowId: string): Promise<void> {
  expect((await stub(workflowId).unsafeTimers()).map((t) => t.kind)).toEqual(["retention"]);
  expect(await alarmOf(workflowId)).toBeGreaterThan(Date.now() + 29 * 86_400_000);
}

/** The alarm and the one outbox row's attempts, read together inside the object. */
async function rowState(workflowId: string): Promise<{ alarm: number | null; attempts: number }> {
  return runInDurableObject(stub(workflowId), async (_obj, state) => {
    const { attempts } = state.storage.sql
      .exec<{ attempts: number }>("SELECT attempts FROM outbox")
      .one();
    return { alarm: await state.storage.getAlarm(), attempts };
  });
}

async function outboxCount(workflowId: string, kind?: string): Promise<number> {
  return runInDurableObject(stub(workflowId), (_obj, state) =>
    kind === undefined
      ? state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n
      : state.storage.sql
          .exec<{ n: number }>("SELECT count(*) AS n FROM outbox WHERE kind = ?", kind)
          .one().n,
  );
}

/**
 * Puts the object back to schema version 3 (the outbox without delivery columns) holding an
 * activity task for task queue "typo" of `runId`: what an engine before this fix left behind after
 * accepting `"taskQueue": "typo"`. Then evicts it, so the constructor upgrades it in place.
 */
async function leaveOldUndeliverableRow(workflowId: string, runId: string): Promise<void> {
  await runInDurableObject(stub(workflowId), (_obj, state) => {
    const sql = state.storage.sql;
    const columns = sql
      .exec<{ name: string }>("SELECT name FROM pragma_table_info('outbox')")
      .toArray()
      .map((c) => c.name);
    sql.exec("DROP INDEX IF EXISTS outbox_by_run");
    for (const column of ["run_id", "attempts", "last_error", "next_attempt_ms"]) {
      if (columns.includes(column)) sql.exec(`ALTER TABLE outbox DROP COLUMN ${column}`);
    }
    sql.exec("UPDATE meta SET value = '3' WHERE key = 'schema_version'");
    sql.exec(
      "INSERT INTO outbox (kind, target, body) VALUES ('activity', 'typo', ?)",
      JSON.stringify({ token: "t", runId, workflowId, activityType: "echo", attempt: 1 }),
    );
  });
  await abortAllDurableObjects();
}

describe("unbound task queues", () => {
  it("refuses a start naming a task queue with no Queue binding: 400 InvalidArgument, nothing created", async () => {
    const workflowId = uniqueId("typo-start");
    const res = await post("/api/v1/workflows", {
      workflowType: "sleeper",
      workflowId,
      input: { sleeps: ["1h"] },
      taskQueue: "typo",
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("InvalidArgument");
    expect(body.error.message).toContain('"typo"');
    expect(body.error.message).toContain("SUNDIAL_TASK_QUEUES");
    expect((await api(wf(workflowId))).status).toBe(404);
  });

  it("refuses a child start on an unbound task queue with InvalidArgument", async () => {
    const workflowId = uniqueId("typo-child");
    const reply = await stub(workflowId).startChild(
      {
        namespace: "default",
        workflowId,
        workflowType: "sleeper",
        input: JSON.stringify({ sleeps: ["1h"] }),
        taskQueue: "typo",
        idReusePolicy: "AllowDuplicate",
        idConflictPolicy: "Fail",
      },
      { namespace: "default", workflowId: "parent", runId: "r", seq: 1 },
    );
    expect(reply).toMatchObject({ ok: false, error: { code: "InvalidArgument" } });
    expect((await api(wf(workflowId))).status).toBe(404);
  });

  it("fails the workflow task of an activity on an unbound task queue, naming it; nothing spins", async () => {
    const workflowId = uniqueId("typo-activity");
    await start({
      workflowType: "oneActivity",
      workflowId,
      input: { type: "echo", input: "x", options: { taskQueue: "typo" } },
    });
    const failed = await eventually(async () => {
      const e = (await history(workflowId)).find((x) => x.eventType === "WorkflowTaskFailed");
      if (!e) throw new Error("no WorkflowTaskFailed yet");
      return e;
    });
    const failure = failed.attributes.failure as { message: string; type: string };
    expect(failure.type).toBe("UnboundTaskQueue");
    expect(failure.message).toContain('task queue "typo"');
    expect(failure.message).toContain("SUNDIAL_TASK_QUEUES");
    const events = (await history(workflowId)).map((e) => e.eventType);
    expect(events).not.toContain("ActivityTaskScheduled");
    const d = await describeWf(workflowId);
    expect(d.workflowTaskFailure?.message).toContain('"typo"');
    expect(d.pendingActivities).toEqual([]);
    expect(d.pendingDeliveries).toEqual([]);
    // The task is retried by its backoff timer, not by an outbox row that can never be sent. (The
    // run's list row may still be waiting to settle: only activity rows count.)
    expect(await outboxCount(workflowId, "activity")).toBe(0);
    await skipTime(workflowId, 1000);
    // At least 2: the next retry is due 2 s later in real time too, and may come before the read.
    await eventually(async () =>
      expect((await describeWf(workflowId)).workflowTaskFailure?.attempt).toBeGreaterThanOrEqual(2),
    );

    expect((await post(`${wf(workflowId)}/terminate`, {})).status).toBe(200);
    await eventually(async () => expect(await outboxCount(workflowId)).toBe(0));
    await onlyRetentionWakes(workflowId);
  });
});

describe("outbox backoff and end", () => {
  it("upgrades an old object in place; an undeliverable row backs off to one attempt per 5 min and shows in describe", async () => {
    const workflowId = uniqueId("backoff");
    const { runId } = await start({
      workflowType: "sleeper",
      workflowId,
      input: { sleeps: ["30d"] },
    });
    await waitForTimer(workflowId);
    await eventually(async () => expect(await outboxCount(workflowId)).toBe(0));
    await leaveOldUndeliverableRow(workflowId, runId);

    // The first attempt (the alarm; the row has never been tried) fails and is counted. The early
    // retries are due 1 s, 2 s, 4 s … later, in real time too (the test clock only skips ahead): on
    // a slow machine one may run on its own between two reads. So each step reads the row's
    // attempts and the alarm together, and expects progress, not an exact count.
    await skipTime(workflowId, 0);
    let d: WorkflowDescription = await describeWf(workflowId);
    expect(d.pendingDeliveries).toHaveLength(1);
    expect(d.pendingDeliveries[0]).toMatchObject({ kind: "activity", target: "typo" });
    expect(d.pendingDeliveries[0]?.attempts).toBeGreaterThanOrEqual(1);
    expect(d.pendingDeliveries[0]?.lastError).toContain("SUNDIAL_TASK_QUEUES");

    const backoff = (attempts: number) => Math.min(1000 * 2 ** (attempts - 1), 5 * 60_000);
    /** Seconds from each read to the row's next attempt (the alarm, in real time), by attempts. */
    const waits = new Map<number, number>();
    for (;;) {
      const { alarm, attempts } = await rowState(workflowId);
      if (attempts >= 12) break;
      expect(alarm).not.toBeNull();
      const delay = (alarm as number) - Date.now();
      waits.set(attempts, Math.round(delay / 1000));
      expect(delay).toBeLessThanOrEqual(backoff(attempts));
      await skipTime(workflowId, backoff(attempts));
      d = await describeWf(workflowId);
      expect(d.pendingDeliveries[0]?.attempts).toBeGreaterThan(attempts);
    }
    // 1 s, 2 s, 4 s … doubling, then capped: at most one wake-up per 5 minutes (from 256 s on, no
    // retry runs out in real time between the reads: every count is seen).
    for (const [attempts, w] of waits) expect(w).toBeLessThanOrEqual(backoff(attempts) / 1000);
    expect([9, 10, 11].map((a) => waits.get(a))).toEqual([
      expect.any(Number),
      expect.any(Number),
      expect.any(Number),
    ]);
    expect(waits.get(9)).toBeGreaterThanOrEqual(251);
    expect([waits.get(10), waits.get(11)].every((w) => w !== undefined && w >= 295)).toBe(true);

    // An alarm before the row's next attempt time (5 min away now) does not retry it.
    await skipTime(workflowId, 0);
    d = await describeWf(workflowId);
    expect(d.pendingDeliveries[0]?.attempts).toBe(12);
    expect(d.status).toBe("Running");

    // Terminate: the run's undeliverable row goes with it, and nothing wakes the object again.
    expect((await post(`${wf(workflowId)}/terminate`, {})).status).toBe(200);
    expect((await describeWf(workflowId)).pendingDeliveries).toEqual([]);
    await eventually(async () => expect(await outboxCount(workflowId)).toBe(0));
    await onlyRetentionWakes(workflowId);
  });

  it("drops a closed run's undeliverable activity tasks when it completes, and clears the alarm", async () => {
    const workflowId = uniqueId("backoff-complete");
    const { runId } = await start({
      workflowType: "sleeper",
      workflowId,
      input: { sleeps: ["1h"] },
    });
    await waitForTimer(workflowId);
    await eventually(async () => expect(await outboxCount(workflowId)).toBe(0));
    await leaveOldUndeliverableRow(workflowId, runId);
    await skipTime(workflowId, 0);
    expect((await describeWf(workflowId)).pendingDeliveries).toHaveLength(1);

    await skipTime(workflowId, 3_600_000);
    expect(await result(workflowId)).toMatchObject({ status: "Completed" });
    await eventually(async () => expect(await outboxCount(workflowId)).toBe(0));
    await onlyRetentionWakes(workflowId);
  });
});

describe("wide fan-outs", () => {
  it(`sends 150 activity tasks of one transition in batches the Queue accepts (${mode})`, async () => {
    const workflowId = uniqueId("wide-150");
    await start({ workflowType: "wideActivities", workflowId, input: { n: 150 } });
    expect(await resultNoEviction(workflowId, { timeout: 25_000, interval: 250 })).toMatchObject({
      status: "Completed",
      result: 150,
    });
  });

  // Warm only: with no warm cache (cold project) each of the 1000 completions replays the whole
  // history, ~2.5 min of CPU for what the 150-task test above already proves in cold mode.
  it.skipIf(mode === "cold")(
    "completes wideActivities n=1000 through the Queue",
    { timeout: 300_000 },
    async () => {
      const workflowId = uniqueId("wide-1000");
      const t0 = Date.now();
      await start({ workflowType: "wideActivities", workflowId, input: { n: 1000 } });
      const body = await resultNoEviction(workflowId, { timeout: 290_000, interval: 250 });
      console.log(`wideActivities n=1000 queue (${mode}): ${Date.now() - t0} ms`);
      expect(body).toMatchObject({ status: "Completed", result: 1000 });
      const events = await allEvents(workflowId);
      const completed = events.filter((e) => e.eventType === "ActivityTaskCompleted");
      expect(completed).toHaveLength(1000);
    },
  );

  it("completes wideActivities n=1000 with local activities", { timeout: 180_000 }, async () => {
    const workflowId = uniqueId("wide-local-1000");
    const t0 = Date.now();
    await start({ workflowType: "wideActivities", workflowId, input: { n: 1000, local: true } });
    const body = await resultNoEviction(workflowId, { timeout: 170_000, interval: 250 });
    console.log(`wideActivities n=1000 local (${mode}): ${Date.now() - t0} ms`);
    expect(body).toMatchObject({ status: "Completed", result: 1000 });
    const events = await allEvents(workflowId);
    expect(events.filter((e) => e.eventType === "MarkerRecorded")).toHaveLength(1000);
  });
});
