/**
 * Visibility end to end through the engine: executions started, signalled and terminated over
 * HTTP write their rows to D1 from their outbox; list and count filter them with every operator
 * of API.md's query language. Each describe block uses a namespace of its own, so its counts are
 * exact. Rows are made visible deterministically: once the execution reached the wanted state,
 * `unsafeDeliverOutbox` delivers what its outbox still holds (instead of waiting for the
 * background delivery or the alarm's retry).
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { ResultResponse, WorkflowDescription } from "../../sdk/common/wire";
import { api, eventually, mode, post, registerNamespace, stub } from "../helpers";

interface ListEntry {
  workflowId: string;
  runId: string;
  workflowType: string;
  status: string;
  startTime: string;
  closeTime: string | null;
  taskQueue: string;
  historyLength: number;
  memo: unknown;
  searchAttributes: Record<string, unknown>;
}
interface ListBody {
  executions: ListEntry[];
  nextPageToken: string | null;
}

function newNamespace(name: string): string {
  return `vis-${name}-${mode}-${crypto.randomUUID().slice(0, 8)}`;
}

function base(ns: string): string {
  return `/api/v1/namespaces/${ns}/workflows`;
}

async function startIn(ns: string, body: Record<string, unknown>): Promise<string> {
  const res = await post(base(ns), body);
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { runId: string }).runId;
}

/**
 * Delivers the run's outbox now, then waits until the index lists the run as describe sees it
 * (status and search attributes; history length once closed): a row the object had already sent
 * to the visibility queue (its settle timer fired) reaches D1 through the queue's consumer, not
 * through this delivery.
 */
async function deliver(ns: string, workflowId: string): Promise<void> {
  expect(await stub(workflowId, ns).unsafeDeliverOutbox()).toBe(0);
  await eventually(async () => {
    const d = await describeIn(ns, workflowId);
    const { body } = await list(ns, `WorkflowId = '${workflowId}'`);
    const row = body.executions[0];
    expect(row, `${workflowId} is not listed yet`).toBeDefined();
    expect([row!.status, row!.searchAttributes]).toEqual([d.status, d.searchAttributes]);
    if (d.status !== "Running") expect(row!.historyLength).toBe(d.historyLength);
  });
}

async function describeIn(ns: string, workflowId: string): Promise<WorkflowDescription> {
  const res = await api(`${base(ns)}/${workflowId}`);
  expect(res.status).toBe(200);
  return res.json();
}

/** Waits (bounded, evicting in cold mode) until the execution closed; returns its result body. */
async function closed(ns: string, workflowId: string): Promise<ResultResponse> {
  return eventually(async () => {
    const res = await api(`${base(ns)}/${workflowId}/result`);
    const body = (await res.json()) as ResultResponse;
    if (body.status === "Running") throw new Error(`${workflowId} still running`);
    return body;
  });
}

async function list(ns: string, query?: string, extra: Record<string, string> = {}) {
  const params = new URLSearchParams({ ...(query !== undefined ? { query } : {}), ...extra });
  const res = await api(`${base(ns)}?${params}`);
  return { status: res.status, body: (await res.json()) as ListBody };
}

async function count(ns: string, query?: string) {
  const params = new URLSearchParams(query !== undefined ? { query } : {});
  const res = await api(`/api/v1/namespaces/${ns}/workflow-count?${params}`);
  return { status: res.status, body: (await res.json()) as { count: number } };
}

async function listIds(ns: string, query: string): Promise<string[]> {
  const { status, body } = await list(ns, query);
  expect(status, JSON.stringify(body)).toBe(200);
  expect(body.nextPageToken).toBeNull();
  return body.executions.map((e) => e.workflowId);
}

describe("visibility through the engine", () => {
  const ns = newNamespace("ops");
  /** Every row of the namespace, as the unfiltered list returns them (newest first). */
  let all: ListEntry[] = [];
  const byId = (id: string) => all.find((e) => e.workflowId === id)!;

  /** The ids (in list order) of the rows `pred` selects: what a filtered list must return. */
  function expected(pred: (e: ListEntry) => boolean): string[] {
    return all.filter(pred).map((e) => e.workflowId);
  }

  /** list and count of `query` both select exactly `ids` (list in newest-first order). */
  async function expectQuery(query: string, ids: string[]): Promise<void> {
    expect(await listIds(ns, query), query).toEqual(ids);
    const c = await count(ns, query);
    expect(c.status).toBe(200);
    expect(c.body.count, query).toBe(ids.length);
  }

  beforeAll(async () => {
    await registerNamespace(ns);
    // Completed (twice), failed, terminated, running, and one that upserts from its code.
    await startIn(ns, {
      workflowType: "sleeper",
      workflowId: "done-1",
      input: { sleeps: [] },
      memo: { note: "first", tags: ["a", "b"] },
      searchAttributes: { CustomerId: "c-1", Priority: 1, Region: "eu" },
    });
    await startIn(ns, {
      workflowType: "sleeper",
      workflowId: "done-2",
      input: { sleeps: [] },
      searchAttributes: { CustomerId: "c-2", Priority: 5, Region: "us" },
    });
    await startIn(ns, {
      workflowType: "nonRetryable",
      workflowId: "failed-1",
      searchAttributes: { CustomerId: "x-3", Priority: 3 },
    });
    await startIn(ns, {
      workflowType: "sleeper",
      workflowId: "term-1",
      input: { sleeps: ["1h"] },
      searchAttributes: { CustomerId: "c-4", Priority: 10, Region: "eu" },
    });
    await startIn(ns, {
      workflowType: "sleeper",
      workflowId: "run-1",
      input: { sleeps: ["1h"] },
      memo: { note: "still going" },
      // Explicitly typed: text (matched as "contains") and a datetime.
      searchAttributes: {
        CustomerId: "c-5",
        Priority: 7,
        Notes: { type: "text", value: "Needs a Second Review" },
        DueAt: { type: "datetime", value: "2030-01-01T12:00:00+01:00" },
      },
    });
    await startIn(ns, {
      workflowType: "tagger",
      workflowId: "tag-1",
      input: { stage: "review", score: 42 },
      searchAttributes: { CustomerId: "c-6" },
    });

    const terminated = await post(`${base(ns)}/term-1/terminate`, { reason: "test" });
    expect(terminated.status).toBe(200);

    expect((await closed(ns, "done-1")).status).toBe("Completed");
    expect((await closed(ns, "done-2")).status).toBe("Completed");
    expect((await closed(ns, "failed-1")).status).toBe("Failed");
    expect((await closed(ns, "term-1")).status).toBe("Terminated");
    // The tagger's first workflow task (with its upsert) ran: describe reads the object itself.
    await eventually(async () => {
      const d = await describeIn(ns, "tag-1");
      expect(d.searchAttributes).toMatchObject({ Stage: "review", Score: 42 });
    });
    const ids = ["done-1", "done-2", "failed-1", "term-1", "run-1", "tag-1"];
    for (const id of ids) await deliver(ns, id);
    const page = await list(ns);
    expect(page.status).toBe(200);
    all = page.body.executions;
  }, 60_000);

  it("lists every execution once, newest first, with its final status", async () => {
    expect(all.map((e) => e.workflowId).sort()).toEqual(
      ["done-1", "done-2", "failed-1", "run-1", "tag-1", "term-1"].sort(),
    );
    const statuses = Object.fromEntries(all.map((e) => [e.workflowId, e.status]));
    expect(statuses).toEqual({
      "done-1": "Completed",
      "done-2": "Completed",
      "failed-1": "Failed",
      "term-1": "Terminated",
      "run-1": "Running",
      "tag-1": "Running",
    });
    // Newest first: start time descending, workflow id descending on ties.
    const sorted = [...all].sort(
      (a, b) => b.startTime.localeCompare(a.startTime) || b.workflowId.localeCompare(a.workflowId),
    );
    expect(all.map((e) => e.workflowId)).toEqual(sorted.map((e) => e.workflowId));
    // Started in this order, so newest first is the reverse (ties break on id descending).
    expect(all.at(-1)?.workflowId).toBe("done-1");
    expect((await count(ns)).body.count).toBe(6);
  });

  it("matches describe: run, type, times, task queue, history length, memo and search attributes", async () => {
    for (const entry of all) {
      const d = await describeIn(ns, entry.workflowId);
      expect(entry).toMatchObject({
        runId: d.runId,
        workflowType: d.workflowType,
        status: d.status,
        startTime: d.startTime,
        closeTime: d.closeTime,
        taskQueue: d.taskQueue,
        memo: d.memo,
        searchAttributes: d.searchAttributes,
      });
      if (d.status !== "Running") expect(entry.historyLength).toBe(d.historyLength);
      if (d.status === "Running") expect(entry.closeTime).toBeNull();
      else expect(entry.closeTime).not.toBeNull();
    }
    expect(byId("done-1").memo).toEqual({ note: "first", tags: ["a", "b"] });
    expect(byId("run-1").memo).toEqual({ note: "still going" });
    expect(byId("done-2").memo).toEqual({});
    expect((await describeIn(ns, "done-1")).memo).toEqual({ note: "first", tags: ["a", "b"] });
    expect(byId("done-1").searchAttributes).toEqual({
      CustomerId: "c-1",
      Priority: 1,
      Region: "eu",
    });
    expect(byId("tag-1").searchAttributes).toEqual({
      CustomerId: "c-6",
      Stage: "review",
      Score: 42,
      Reviewed: false,
    });
  });

  it("filters on ExecutionStatus with =, !=, IN", async () => {
    await expectQuery(
      "ExecutionStatus = 'Completed'",
      expected((e) => e.status === "Completed"),
    );
    await expectQuery("ExecutionStatus = 'Failed'", ["failed-1"]);
    await expectQuery("ExecutionStatus = 'Terminated'", ["term-1"]);
    await expectQuery(
      "ExecutionStatus != 'Running'",
      expected((e) => e.status !== "Running"),
    );
    await expectQuery(
      "ExecutionStatus IN ('Failed', 'Terminated')",
      expected((e) => e.workflowId === "failed-1" || e.workflowId === "term-1"),
    );
    await expectQuery("ExecutionStatus = 'Canceled'", []);
  });

  it("filters on WorkflowType and TaskQueue", async () => {
    await expectQuery(
      "WorkflowType = 'sleeper'",
      expected((e) => e.workflowType === "sleeper"),
    );
    await expectQuery(
      "WorkflowType != 'sleeper'",
      expected((e) => e.workflowType !== "sleeper"),
    );
    await expectQuery(
      "WorkflowType IN ('tagger', 'nonRetryable')",
      expected((e) => e.workflowType !== "sleeper"),
    );
    await expectQuery("WorkflowType STARTS_WITH 'non'", ["failed-1"]);
    await expectQuery(
      "TaskQueue = 'default'",
      expected(() => true),
    );
  });

  it("filters on WorkflowId with =, <, >, <=, >=, IN, STARTS_WITH", async () => {
    await expectQuery("WorkflowId = 'done-1'", ["done-1"]);
    await expectQuery(
      "WorkflowId STARTS_WITH 'done-'",
      expected((e) => e.workflowId.startsWith("done-")),
    );
    await expectQuery(
      "WorkflowId IN ('run-1', 'term-1', 'nope')",
      expected((e) => ["run-1", "term-1"].includes(e.workflowId)),
    );
    await expectQuery(
      "WorkflowId >= 'run-1' AND WorkflowId < 'term'",
      expected((e) => e.workflowId >= "run-1" && e.workflowId < "term"),
    );
    await expectQuery(
      "WorkflowId > 'run-1'",
      expected((e) => e.workflowId > "run-1"),
    );
    await expectQuery(
      "WorkflowId <= 'done-2'",
      expected((e) => e.workflowId <= "done-2"),
    );
  });

  it("filters on StartTime and CloseTime as instants", async () => {
    const t = (id: string) => byId(id).startTime;
    const mid = t("failed-1");
    await expectQuery(
      `StartTime > '${mid}'`,
      expected((e) => e.startTime > mid),
    );
    await expectQuery(
      `StartTime >= '${mid}'`,
      expected((e) => e.startTime >= mid),
    );
    await expectQuery(
      `StartTime < '${mid}'`,
      expected((e) => e.startTime < mid),
    );
    await expectQuery(
      `StartTime <= '${mid}'`,
      expected((e) => e.startTime <= mid),
    );
    await expectQuery(
      `StartTime = '${mid}'`,
      expected((e) => e.startTime === mid),
    );
    await expectQuery(
      `StartTime >= '${t("done-2")}' AND StartTime <= '${t("run-1")}'`,
      expected((e) => e.startTime >= t("done-2") && e.startTime <= t("run-1")),
    );
    // Running executions have no close time: no CloseTime comparison selects them.
    await expectQuery(
      "CloseTime >= '2000-01-01T00:00:00Z'",
      expected((e) => e.closeTime !== null),
    );
    const termClose = byId("term-1").closeTime!;
    await expectQuery(
      `CloseTime <= '${termClose}'`,
      expected((e) => e.closeTime !== null && e.closeTime <= termClose),
    );
    await expectQuery(
      `CloseTime > '${termClose}'`,
      expected((e) => e.closeTime !== null && e.closeTime > termClose),
    );
    // An instant in another zone is the same instant.
    const plusTwo = new Date(Date.parse(mid) + 2 * 3600_000).toISOString().replace("Z", "+02:00");
    await expectQuery(
      `StartTime >= '${plusTwo}'`,
      expected((e) => e.startTime >= mid),
    );
  });

  it("filters on search attributes given at start", async () => {
    const pr = (e: ListEntry) => e.searchAttributes.Priority as number | undefined;
    await expectQuery("CustomerId = 'c-1'", ["done-1"]);
    await expectQuery(
      "CustomerId STARTS_WITH 'c-'",
      expected((e) => String(e.searchAttributes.CustomerId).startsWith("c-")),
    );
    await expectQuery(
      "CustomerId != 'c-1'",
      expected((e) => e.workflowId !== "done-1"),
    );
    await expectQuery(
      "Priority >= 5",
      expected((e) => (pr(e) ?? -1) >= 5),
    );
    await expectQuery(
      "Priority > 5",
      expected((e) => (pr(e) ?? -1) > 5),
    );
    await expectQuery(
      "Priority < 5",
      expected((e) => pr(e) !== undefined && pr(e)! < 5),
    );
    await expectQuery(
      "Priority <= 5",
      expected((e) => pr(e) !== undefined && pr(e)! <= 5),
    );
    await expectQuery("Priority = 7", ["run-1"]);
    // "A != v": A is set and differs, so executions without Priority are not selected.
    await expectQuery(
      "Priority != 5",
      expected((e) => pr(e) !== undefined && pr(e) !== 5),
    );
    await expectQuery(
      "Priority IN (1, 10)",
      expected((e) => pr(e) === 1 || pr(e) === 10),
    );
    await expectQuery(
      "Region IN ('eu')",
      expected((e) => e.searchAttributes.Region === "eu"),
    );
    await expectQuery("Unknown = 'x'", []);
    await expectQuery("Notes = 'second review'", ["run-1"]);
    await expectQuery("Notes != 'second review'", []);
    await expectQuery("DueAt = '2030-01-01T11:00:00Z'", ["run-1"]);
    await expectQuery("DueAt > '2030-01-01T11:00:00.001Z'", []);
    // Describe and list show the plain values.
    expect(byId("run-1").searchAttributes).toMatchObject({
      Notes: "Needs a Second Review",
      DueAt: "2030-01-01T11:00:00.000Z",
    });
  });

  it("filters on search attributes upserted by workflow code", async () => {
    await expectQuery("Stage = 'review'", ["tag-1"]);
    await expectQuery("Score >= 40", ["tag-1"]);
    await expectQuery("Reviewed = false", ["tag-1"]);
    await expectQuery("Stage = 'review' AND CustomerId = 'c-6' AND ExecutionStatus = 'Running'", [
      "tag-1",
    ]);
  });

  it("combines with AND, OR and parentheses", async () => {
    await expectQuery(
      "(ExecutionStatus = 'Running' OR ExecutionStatus = 'Terminated') AND Region = 'eu'",
      ["term-1"],
    );
    await expectQuery(
      "WorkflowType = 'sleeper' AND (Priority < 2 OR Priority > 8)",
      expected((e) => e.workflowId === "done-1" || e.workflowId === "term-1"),
    );
    await expectQuery(
      "ExecutionStatus = 'Failed' OR Stage = 'review' OR WorkflowId = 'done-2'",
      expected((e) => ["failed-1", "tag-1", "done-2"].includes(e.workflowId)),
    );
    // AND binds tighter than OR.
    await expectQuery(
      "ExecutionStatus = 'Completed' OR ExecutionStatus = 'Running' AND Priority = 7",
      expected((e) => e.status === "Completed" || e.workflowId === "run-1"),
    );
  });

  it("reflects later changes: a signal leads to a new upsert and the close", async () => {
    const res = await post(`${base(ns)}/tag-1/signals/finish`, { input: { stage: "approved" } });
    expect(res.status).toBe(202);
    const outcome = await closed(ns, "tag-1");
    expect(outcome).toMatchObject({ status: "Completed", result: "approved" });
    await deliver(ns, "tag-1");
    await expectQuery("Stage = 'approved' AND ExecutionStatus = 'Completed'", ["tag-1"]);
    await expectQuery("Stage = 'review'", []);
    // Score was removed by the upsert with null.
    await expectQuery("Score >= 0", []);
    await expectQuery("Reviewed = true", ["tag-1"]);
    const entry = (await list(ns, "WorkflowId = 'tag-1'")).body.executions[0]!;
    expect(entry.searchAttributes).toEqual({
      CustomerId: "c-6",
      Stage: "approved",
      Reviewed: true,
    });
    expect((await describeIn(ns, "tag-1")).searchAttributes).toEqual(entry.searchAttributes);
    expect(entry.closeTime).not.toBeNull();
  });

  it("rejects injection attempts with 400 and changes nothing", async () => {
    const before = (await list(ns)).body.executions;
    for (const query of [
      "WorkflowId = 'x' OR '1'='1",
      "WorkflowId = 'x'; DROP TABLE executions",
      "WorkflowId = 'x' -- comment",
      "WorkflowId = 'x'' OR 1=1 --",
      "ExecutionStatus = 'Running') OR (1=1",
      "1 = 1",
      "WorkflowId BETWEEN 'a' AND 'z'",
    ]) {
      const l = await list(ns, query);
      expect(l.status, query).toBe(400);
      expect((l.body as unknown as { error: { code: string } }).error.code).toBe("InvalidArgument");
      expect((await count(ns, query)).status, query).toBe(400);
    }
    // A quote inside a literal is data, not SQL.
    await expectQuery("WorkflowId = 'x\\' OR \\'1\\'=\\'1'", []);
    await expectQuery("WorkflowId = 'done-1\\' --'", []);
    expect((await list(ns)).body.executions).toEqual(before);
    expect((await count(ns)).body.count).toBe(6);
  });
});

describe("search attributes at start are validated", () => {
  const ns = newNamespace("invalid");
  beforeAll(() => registerNamespace(ns));

  it.each([
    ["a reserved name", { WorkflowId: "x" }],
    ["a bad name", { "no-dash": "x" }],
    ["a nested object", { Nested: { a: 1 } }],
    ["a mistyped value", { Amount: { type: "int", value: "12" } }],
  ])("answers 400 for %s and starts nothing", async (_what, searchAttributes) => {
    const workflowId = `bad-${crypto.randomUUID().slice(0, 8)}`;
    const res = await post(base(ns), {
      workflowType: "sleeper",
      workflowId,
      input: { sleeps: [] },
      searchAttributes,
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("InvalidArgument");
    expect(body.error.message).toMatch(/search attribute/i);
    expect((await api(`${base(ns)}/${workflowId}`)).status).toBe(404);
    expect((await count(ns)).body.count).toBe(0);
  });

  it("fails the workflow task (not the execution) when workflow code upserts a bad one", async () => {
    const workflowId = `bad-upsert-${crypto.randomUUID().slice(0, 8)}`;
    await startIn(ns, {
      workflowType: "tagger",
      workflowId,
      input: { stage: "review", score: { not: "a number" } },
      searchAttributes: { CustomerId: "c-9" },
    });
    const d = await eventually(async () => {
      const d = await describeIn(ns, workflowId);
      expect(d.workflowTaskFailure?.message).toMatch(/search attribute "Score"/);
      return d;
    });
    expect(d.status).toBe("Running");
    expect(d.searchAttributes).toEqual({ CustomerId: "c-9" });
    await deliver(ns, workflowId);
    // The index keeps what was valid (set at start) rather than dropping everything.
    await expect(listIds(ns, "CustomerId = 'c-9'")).resolves.toEqual([workflowId]);
    expect((await post(`${base(ns)}/${workflowId}/terminate`, {})).status).toBe(200);
  });
});

describe("paging through the engine", () => {
  const ns = newNamespace("paging");
  const ids = ["p-0", "p-1", "p-2", "p-3", "p-4"];

  beforeAll(async () => {
    await registerNamespace(ns);
    for (const id of ids) {
      await startIn(ns, { workflowType: "sleeper", workflowId: id, input: { sleeps: [] } });
    }
    for (const id of ids) {
      await closed(ns, id);
      await deliver(ns, id);
    }
  }, 60_000);

  it("pages of 2 over 5 rows: newest first, no duplicate, no gap", async () => {
    const seen: string[] = [];
    const pages: number[] = [];
    let token: string | null = null;
    do {
      const { status, body } = await list(
        ns,
        "ExecutionStatus = 'Completed'",
        token ? { pageSize: "2", nextPageToken: token } : { pageSize: "2" },
      );
      expect(status).toBe(200);
      pages.push(body.executions.length);
      seen.push(...body.executions.map((e) => e.workflowId));
      token = body.nextPageToken;
    } while (token && pages.length < 10);
    expect(pages).toEqual([2, 2, 1]);
    expect(seen).toEqual([...ids].reverse());
    expect((await count(ns, "ExecutionStatus = 'Completed'")).body.count).toBe(5);
  });

  it("a row written meanwhile does not shift the next page", async () => {
    const first = await list(ns, undefined, { pageSize: "2" });
    expect(first.body.executions.map((e) => e.workflowId)).toEqual(["p-4", "p-3"]);
    await startIn(ns, { workflowType: "sleeper", workflowId: "p-5", input: { sleeps: ["1h"] } });
    await deliver(ns, "p-5");
    const second = await list(ns, undefined, {
      pageSize: "2",
      nextPageToken: first.body.nextPageToken!,
    });
    expect(second.body.executions.map((e) => e.workflowId)).toEqual(["p-2", "p-1"]);
    expect((await list(ns, undefined, { pageSize: "1" })).body.executions[0]?.workflowId).toBe(
      "p-5",
    );
  });
});
