import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { QueryError } from "../../src/visibility/query";
import {
  countVisibility,
  decodePageToken,
  encodePageToken,
  listVisibility,
  PageTokenError,
  upsertVisibility,
  type VisibilityRow,
} from "../../src/visibility/store";

const db = env.VISIBILITY;

let nsCounter = 0;
/** A namespace of its own per test: the D1 database is shared by the tests of this file. */
function freshNamespace(): string {
  nsCounter += 1;
  return `vis-${nsCounter}-${crypto.randomUUID().slice(0, 8)}`;
}

function row(namespace: string, over: Partial<VisibilityRow> = {}): VisibilityRow {
  return {
    namespace,
    workflowId: "wf-1",
    runId: "run-1",
    workflowType: "loanApplication",
    status: "Running",
    startTime: "2024-05-01T10:00:00.000Z",
    closeTime: null,
    executionTime: "2024-05-01T10:00:00.000Z",
    taskQueue: "default",
    historyLength: 3,
    memo: null,
    searchAttributes: {},
    version: 1,
    ...over,
  };
}

async function ids(namespace: string, query: string): Promise<string[]> {
  const all: string[] = [];
  let token: string | null = null;
  do {
    const page = await listVisibility(db, {
      namespace,
      query,
      pageSize: 1000,
      nextPageToken: token,
    });
    all.push(...page.executions.map((e) => e.workflowId));
    token = page.nextPageToken;
  } while (token);
  return all.sort();
}

async function tableCounts(): Promise<{ executions: number; attributes: number }> {
  const e = await db.prepare("SELECT COUNT(*) AS n FROM executions").first<{ n: number }>();
  const s = await db.prepare("SELECT COUNT(*) AS n FROM search_attributes").first<{ n: number }>();
  return { executions: e?.n ?? -1, attributes: s?.n ?? -1 };
}

describe("upsertVisibility", () => {
  it("inserts a row that list returns describe-shaped", async () => {
    const ns = freshNamespace();
    const result = await upsertVisibility(
      db,
      row(ns, {
        memo: { note: "hi" },
        searchAttributes: { CustomerId: { type: "keyword", value: "c-7" } },
      }),
    );
    expect(result).toEqual({ applied: true });
    const page = await listVisibility(db, { namespace: ns });
    expect(page).toEqual({
      executions: [
        {
          workflowId: "wf-1",
          runId: "run-1",
          workflowType: "loanApplication",
          status: "Running",
          startTime: "2024-05-01T10:00:00.000Z",
          closeTime: null,
          executionTime: "2024-05-01T10:00:00.000Z",
          taskQueue: "default",
          historyLength: 3,
          memo: { note: "hi" },
          searchAttributes: { CustomerId: "c-7" },
          parent: null,
        },
      ],
      nextPageToken: null,
    });
  });

  it("is idempotent: the same write twice leaves one row", async () => {
    const ns = freshNamespace();
    const r = row(ns, { searchAttributes: { Tags: { type: "keyword", value: ["a", "b"] } } });
    expect(await upsertVisibility(db, r)).toEqual({ applied: true });
    expect(await upsertVisibility(db, r)).toEqual({ applied: false });
    expect(await countVisibility(db, { namespace: ns })).toBe(1);
    expect(await countVisibility(db, { namespace: ns, query: "Tags = 'b'" })).toBe(1);
    const rows = await db
      .prepare("SELECT COUNT(*) AS n FROM search_attributes WHERE namespace = ?")
      .bind(ns)
      .first<{ n: number }>();
    expect(rows?.n).toBe(2);
  });

  it("applies a newer version and ignores a late older or equal one", async () => {
    const ns = freshNamespace();
    const v1 = row(ns, { version: 1, searchAttributes: { Stage: { type: "int", value: 1 } } });
    const v2 = row(ns, {
      version: 2,
      historyLength: 5,
      searchAttributes: { Stage: { type: "int", value: 2 }, Vip: { type: "bool", value: true } },
    });
    const v3 = row(ns, {
      version: 7,
      status: "Completed",
      closeTime: "2024-05-01T10:05:00.000Z",
      historyLength: 9,
      memo: { done: true },
      searchAttributes: { Stage: { type: "int", value: 3 } },
    });
    expect((await upsertVisibility(db, v1)).applied).toBe(true);
    expect((await upsertVisibility(db, v2)).applied).toBe(true);
    expect((await upsertVisibility(db, v3)).applied).toBe(true);
    // Late outbox deliveries of older versions, and a different row claiming the same version.
    expect((await upsertVisibility(db, v2)).applied).toBe(false);
    expect((await upsertVisibility(db, v1)).applied).toBe(false);
    expect(
      (await upsertVisibility(db, { ...v2, version: 7, status: "Failed" as const })).applied,
    ).toBe(false);

    const [e] = (await listVisibility(db, { namespace: ns })).executions;
    expect(e).toMatchObject({
      status: "Completed",
      closeTime: "2024-05-01T10:05:00.000Z",
      historyLength: 9,
      memo: { done: true },
      searchAttributes: { Stage: 3 },
    });
    // The index follows the stored version only.
    expect(await countVisibility(db, { namespace: ns, query: "Stage = 3" })).toBe(1);
    expect(await countVisibility(db, { namespace: ns, query: "Stage = 2" })).toBe(0);
    expect(await countVisibility(db, { namespace: ns, query: "Stage = 1" })).toBe(0);
    expect(await countVisibility(db, { namespace: ns, query: "Vip = true" })).toBe(0);
    expect(await countVisibility(db, { namespace: ns, query: "ExecutionStatus = 'Failed'" })).toBe(
      0,
    );
  });

  it("keeps the runs of one workflow id apart", async () => {
    const ns = freshNamespace();
    await upsertVisibility(db, row(ns, { runId: "r1", status: "ContinuedAsNew", version: 4 }));
    await upsertVisibility(
      db,
      row(ns, { runId: "r2", startTime: "2024-05-01T11:00:00.000Z", version: 1 }),
    );
    const page = await listVisibility(db, { namespace: ns });
    expect(page.executions.map((e) => [e.runId, e.status])).toEqual([
      ["r2", "Running"],
      ["r1", "ContinuedAsNew"],
    ]);
  });

  it("rejects an invalid row and writes nothing", async () => {
    const ns = freshNamespace();
    await expect(upsertVisibility(db, row(ns, { status: "Sleeping" as never }))).rejects.toThrow(
      TypeError,
    );
    await expect(upsertVisibility(db, row(ns, { startTime: "yesterday" }))).rejects.toThrow(
      "startTime",
    );
    await expect(upsertVisibility(db, row(ns, { version: 1.5 }))).rejects.toThrow("version");
    await expect(
      upsertVisibility(
        db,
        row(ns, { searchAttributes: { Bad: { type: "int", value: "x" as never } } }),
      ),
    ).rejects.toThrow("an int is a safe integer");
    expect(await countVisibility(db, { namespace: ns })).toBe(0);
  });
});

describe("list and count filters", () => {
  const ns = freshNamespace();
  const t = (minute: number) => new Date(Date.UTC(2024, 4, 1, 10, minute)).toISOString();

  beforeAll(async () => {
    const rows: Partial<VisibilityRow>[] = [
      {
        workflowId: "loan-1",
        workflowType: "loanApplication",
        status: "Running",
        startTime: t(1),
        taskQueue: "default",
        historyLength: 4,
        searchAttributes: {
          CustomerId: { type: "keyword", value: "c-1" },
          Amount: { type: "int", value: 500 },
          Rate: { type: "double", value: 1.5 },
          Vip: { type: "bool", value: true },
          DueAt: { type: "datetime", value: "2024-06-01T00:00:00.000Z" },
          Notes: { type: "text", value: "Urgent: Review the Collateral" },
          Tags: { type: "keyword", value: ["red", "blue"] },
        },
      },
      {
        workflowId: "loan-2",
        workflowType: "loanApplication",
        status: "Completed",
        startTime: t(2),
        closeTime: t(12),
        taskQueue: "default",
        historyLength: 20,
        searchAttributes: {
          CustomerId: { type: "keyword", value: "c-2" },
          Amount: { type: "int", value: 5000 },
          Rate: { type: "double", value: 2.25 },
          Vip: { type: "bool", value: false },
          DueAt: { type: "datetime", value: "2024-07-01T00:00:00.000Z" },
          Notes: { type: "text", value: "routine" },
          Tags: { type: "keyword", value: ["green"] },
        },
      },
      {
        workflowId: "order-1",
        workflowType: "orderSaga",
        status: "Failed",
        startTime: t(3),
        closeTime: t(4),
        taskQueue: "payments",
        historyLength: 11,
        searchAttributes: { CustomerId: { type: "keyword", value: "c-10" } },
      },
      {
        workflowId: "order-2",
        workflowType: "orderSaga",
        status: "Terminated",
        startTime: t(5),
        closeTime: t(30),
        taskQueue: "payments",
        historyLength: 7,
      },
      {
        workflowId: "approval_*x",
        workflowType: "humanApproval",
        status: "TimedOut",
        startTime: t(6),
        closeTime: t(7),
        taskQueue: "default",
        historyLength: 2,
        searchAttributes: { CustomerId: { type: "keyword", value: "2024-05-01T10:00:00.000Z" } },
      },
    ];
    for (const r of rows) await upsertVisibility(db, row(ns, { runId: "r", ...r }));
  });

  it.each([
    ["", ["approval_*x", "loan-1", "loan-2", "order-1", "order-2"]],
    ["WorkflowId = 'loan-1'", ["loan-1"]],
    ["WorkflowId != 'loan-1'", ["approval_*x", "loan-2", "order-1", "order-2"]],
    ["WorkflowId > 'loan-2'", ["order-1", "order-2"]],
    ["WorkflowId >= 'loan-2'", ["loan-2", "order-1", "order-2"]],
    ["WorkflowId < 'loan-2'", ["approval_*x", "loan-1"]],
    ["WorkflowId <= 'loan-2'", ["approval_*x", "loan-1", "loan-2"]],
    ["WorkflowId IN ('loan-2', 'order-2', 'nope')", ["loan-2", "order-2"]],
    ["WorkflowId STARTS_WITH 'order-'", ["order-1", "order-2"]],
    ["WorkflowId STARTS_WITH 'approval_*'", ["approval_*x"]],
    ["WorkflowId STARTS_WITH 'approval_?'", []],
    ["WorkflowId STARTS_WITH ''", ["approval_*x", "loan-1", "loan-2", "order-1", "order-2"]],
    ["RunId = 'r'", ["approval_*x", "loan-1", "loan-2", "order-1", "order-2"]],
    ["WorkflowType = 'orderSaga'", ["order-1", "order-2"]],
    ["TaskQueue = 'payments'", ["order-1", "order-2"]],
    ["ExecutionStatus = 'Running'", ["loan-1"]],
    ["ExecutionStatus != 'Running'", ["approval_*x", "loan-2", "order-1", "order-2"]],
    ["ExecutionStatus IN ('Failed', 'terminated')", ["order-1", "order-2"]],
    ["StartTime > '2024-05-01T10:03:00Z'", ["approval_*x", "order-2"]],
    ["StartTime >= '2024-05-01T10:03:00Z'", ["approval_*x", "order-1", "order-2"]],
    ["StartTime < '2024-05-01T12:02:00+02:00'", ["loan-1"]],
    ["StartTime <= '2024-05-01 10:02'", ["loan-1", "loan-2"]],
    ["StartTime = '2024-05-01T10:05:00.000Z'", ["order-2"]],
    ["CloseTime > '2024-05-01T10:10:00Z'", ["loan-2", "order-2"]],
    ["CloseTime != '2024-05-01T10:04:00Z'", ["approval_*x", "loan-2", "order-2"]],
    ["HistoryLength >= 11", ["loan-2", "order-1"]],
    ["HistoryLength IN (2, 4)", ["approval_*x", "loan-1"]],
    ["WorkflowType = 'loanApplication' AND ExecutionStatus = 'Running'", ["loan-1"]],
    ["WorkflowType = 'orderSaga' OR ExecutionStatus = 'Running'", ["loan-1", "order-1", "order-2"]],
    [
      "TaskQueue = 'default' AND (ExecutionStatus = 'Completed' OR ExecutionStatus = 'TimedOut')",
      ["approval_*x", "loan-2"],
    ],
    // AND binds tighter than OR.
    [
      "TaskQueue = 'payments' AND ExecutionStatus = 'Completed' OR ExecutionStatus = 'TimedOut'",
      ["approval_*x"],
    ],
    [
      "TaskQueue = 'payments' AND (ExecutionStatus = 'Completed' OR ExecutionStatus = 'TimedOut')",
      [],
    ],
    ["(WorkflowId = 'loan-1' OR WorkflowId = 'order-1') AND TaskQueue = 'payments'", ["order-1"]],
  ])("built-in fields: %j", async (query, expected) => {
    expect(await ids(ns, query)).toEqual(expected);
    expect(await countVisibility(db, { namespace: ns, query })).toBe(expected.length);
  });

  it.each([
    // keyword
    ["CustomerId = 'c-1'", ["loan-1"]],
    ["CustomerId != 'c-1'", ["approval_*x", "loan-2", "order-1"]],
    ["CustomerId > 'c-1'", ["loan-2", "order-1"]],
    ["CustomerId IN ('c-2', 'c-10')", ["loan-2", "order-1"]],
    ["CustomerId STARTS_WITH 'c-1'", ["loan-1", "order-1"]],
    ["CustomerId = '2024-05-01T10:00:00.000Z'", ["approval_*x"]],
    // keyword list: any element
    ["Tags = 'blue'", ["loan-1"]],
    ["Tags IN ('green', 'red')", ["loan-1", "loan-2"]],
    ["Tags != 'red'", ["loan-2"]],
    // text: contains, case-insensitive
    ["Notes = 'review the'", ["loan-1"]],
    ["Notes = 'ROUTINE'", ["loan-2"]],
    ["Notes != 'urgent'", ["loan-2"]],
    ["Notes STARTS_WITH 'Urgent'", []],
    // int
    ["Amount = 500", ["loan-1"]],
    ["Amount > 500", ["loan-2"]],
    ["Amount >= 500", ["loan-1", "loan-2"]],
    ["Amount < 5000", ["loan-1"]],
    ["Amount <= 5000.0", ["loan-1", "loan-2"]],
    ["Amount != 500", ["loan-2"]],
    ["Amount IN (1, 5000)", ["loan-2"]],
    ["Amount = '500'", []],
    // double
    ["Rate > 2", ["loan-2"]],
    ["Rate = 1.5", ["loan-1"]],
    ["Rate < 1.5e0", []],
    // bool
    ["Vip = true", ["loan-1"]],
    ["Vip = FALSE", ["loan-2"]],
    ["Vip != true", ["loan-2"]],
    ["Vip IN (true, false)", ["loan-1", "loan-2"]],
    // datetime
    ["DueAt > '2024-06-15'", ["loan-2"]],
    ["DueAt <= '2024-06-01T02:00:00+02:00'", ["loan-1"]],
    ["DueAt = '2024-07-01T00:00:00Z'", ["loan-2"]],
    ["DueAt IN ('2024-06-01', '2024-07-01')", ["loan-1", "loan-2"]],
    // unknown attribute, and combinations with built-ins
    ["Nope = 'x'", []],
    ["WorkflowType = 'loanApplication' AND Amount > 100 AND Vip = false", ["loan-2"]],
    ["Vip = true OR TaskQueue = 'payments'", ["loan-1", "order-1", "order-2"]],
    ["`Amount` > 1000", ["loan-2"]],
  ])("search attributes: %j", async (query, expected) => {
    expect(await ids(ns, query)).toEqual(expected);
    expect(await countVisibility(db, { namespace: ns, query })).toBe(expected.length);
  });

  it("lists newest first", async () => {
    const page = await listVisibility(db, { namespace: ns });
    expect(page.executions.map((e) => e.workflowId)).toEqual([
      "approval_*x",
      "order-2",
      "order-1",
      "loan-2",
      "loan-1",
    ]);
  });

  it("never shows another namespace's rows", async () => {
    const other = freshNamespace();
    await upsertVisibility(db, row(other, { workflowId: "loan-1" }));
    expect(await ids(other, "")).toEqual(["loan-1"]);
    expect(await countVisibility(db, { namespace: ns })).toBe(5);
    expect(await countVisibility(db, { namespace: other })).toBe(1);
    expect(await countVisibility(db, { namespace: "nobody" })).toBe(0);
  });
});

describe("paging", () => {
  it("pages newest first with a stable tiebreak, even across identical start times", async () => {
    const ns = freshNamespace();
    const sameTime = "2024-05-01T10:00:00.000Z";
    const written: string[] = [];
    for (let i = 0; i < 23; i++) {
      const workflowId = `wf-${String(i).padStart(2, "0")}`;
      // 12 rows share one start time; the rest are spread out, some before and some after it.
      const startTime =
        i < 12 ? sameTime : new Date(Date.UTC(2024, 4, 1, 10, 0, i % 2 ? i : -i)).toISOString();
      await upsertVisibility(db, row(ns, { workflowId, runId: `run-${i % 3}`, startTime }));
      written.push(workflowId);
    }
    const full = (await listVisibility(db, { namespace: ns, pageSize: 1000 })).executions;
    expect(full).toHaveLength(23);
    const expected = [...full].sort(
      (a, b) =>
        b.startTime.localeCompare(a.startTime) ||
        b.workflowId.localeCompare(a.workflowId) ||
        b.runId.localeCompare(a.runId),
    );
    expect(full.map((e) => e.workflowId)).toEqual(expected.map((e) => e.workflowId));

    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const page = await listVisibility(db, { namespace: ns, pageSize: 5, nextPageToken: token });
      pages += 1;
      expect(page.executions.length).toBeLessThanOrEqual(5);
      seen.push(...page.executions.map((e) => e.workflowId));
      token = page.nextPageToken;
      if (pages === 2) {
        // Writes between pages: a newer run and an update of a seen row shift nothing.
        await upsertVisibility(
          db,
          row(ns, { workflowId: "newcomer", startTime: "2030-01-01T00:00:00.000Z" }),
        );
        const firstSeen = full[0]!;
        await upsertVisibility(
          db,
          row(ns, {
            workflowId: firstSeen.workflowId,
            runId: firstSeen.runId,
            startTime: firstSeen.startTime,
            status: "Completed",
            version: 2,
          }),
        );
      }
    } while (token);
    expect(pages).toBe(5);
    expect(seen).toEqual(full.map((e) => e.workflowId));
    expect(new Set(seen).size).toBe(23);
    expect(written.sort()).toEqual([...seen].sort());
  });

  it("gives no token on an exactly full last page", async () => {
    const ns = freshNamespace();
    for (let i = 0; i < 4; i++) await upsertVisibility(db, row(ns, { workflowId: `w${i}` }));
    const first = await listVisibility(db, { namespace: ns, pageSize: 2 });
    expect(first.nextPageToken).not.toBeNull();
    const second = await listVisibility(db, {
      namespace: ns,
      pageSize: 2,
      nextPageToken: first.nextPageToken,
    });
    expect(second.executions.map((e) => e.workflowId)).toEqual(["w1", "w0"]);
    expect(second.nextPageToken).toBeNull();
  });

  it("keeps the filter across pages", async () => {
    const ns = freshNamespace();
    for (let i = 0; i < 9; i++) {
      await upsertVisibility(
        db,
        row(ns, { workflowId: `w${i}`, status: i % 3 === 0 ? "Completed" : "Running" }),
      );
    }
    const query = "ExecutionStatus = 'Running'";
    const first = await listVisibility(db, { namespace: ns, query, pageSize: 4 });
    const second = await listVisibility(db, {
      namespace: ns,
      query,
      pageSize: 4,
      nextPageToken: first.nextPageToken,
    });
    expect([...first.executions, ...second.executions].map((e) => e.workflowId)).toEqual([
      "w8",
      "w7",
      "w5",
      "w4",
      "w2",
      "w1",
    ]);
    expect(second.nextPageToken).toBeNull();
  });

  it("round-trips a token with any workflow id", () => {
    const cursor = { startTime: 1714557600000, workflowId: "ü/é?&=+ 🚀", runId: "r" };
    const token = encodePageToken(cursor);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodePageToken(token)).toEqual(cursor);
  });

  it.each([
    "garbage!",
    "e30",
    btoa("[1,2]"),
    encodePageToken({ startTime: 1, workflowId: "w", runId: "r" }).slice(0, -3),
    btoa(JSON.stringify([2, 1, "w", "r"])).replace(/=+$/, ""),
    "x".repeat(5000),
  ])("rejects the malformed token %j", async (token) => {
    await expect(
      listVisibility(db, { namespace: "default", nextPageToken: token }),
    ).rejects.toBeInstanceOf(PageTokenError);
  });
});

describe("injection attempts", () => {
  it.each([
    "WorkflowId = 'x'; DROP TABLE executions",
    "WorkflowId = 'x'; DELETE FROM executions",
    "WorkflowId = 'x' -- ",
    "WorkflowId = 'x' /* */",
    "WorkflowId = 'x' OR 1=1",
    "WorkflowId = '' OR ''=''",
    "WorkflowId = 'x'' OR ''1''=''1'",
    "WorkflowId = 'x\\' OR 1=1 --",
    'WorkflowId = "x" OR "1"="1" --',
    "WorkflowId = x OR WorkflowId = WorkflowId",
    "1 = 1",
    "WorkflowId IN (SELECT workflow_id FROM executions)",
    "WorkflowId = 'a' UNION SELECT * FROM executions",
    "`x` = 1); DROP TABLE executions; --",
    "(WorkflowId = 'x'))",
  ])("rejects %j and changes nothing", async (query) => {
    const ns = freshNamespace();
    await upsertVisibility(db, row(ns));
    const before = await tableCounts();
    await expect(listVisibility(db, { namespace: ns, query })).rejects.toBeInstanceOf(QueryError);
    await expect(countVisibility(db, { namespace: ns, query })).rejects.toBeInstanceOf(QueryError);
    expect(await tableCounts()).toEqual(before);
  });

  it("treats SQL inside a string literal as data", async () => {
    const ns = freshNamespace();
    const nasty = "x'; DROP TABLE executions; --";
    await upsertVisibility(db, row(ns, { workflowId: nasty }));
    await upsertVisibility(db, row(ns, { workflowId: "plain" }));
    const before = await tableCounts();
    expect(await ids(ns, `WorkflowId = "x'; DROP TABLE executions; --"`)).toEqual([nasty]);
    expect(await ids(ns, "WorkflowId = 'x\\'; DROP TABLE executions; --'")).toEqual([nasty]);
    expect(await ids(ns, 'WorkflowId = \'" OR "1"="1\'')).toEqual([]);
    expect(await ids(ns, "CustomerId = 'a\\' OR 1=1 --'")).toEqual([]);
    expect(await tableCounts()).toEqual(before);
  });

  it("treats a hostile namespace as data", async () => {
    const before = await tableCounts();
    expect(await countVisibility(db, { namespace: "x' OR '1'='1" })).toBe(0);
    expect(await tableCounts()).toEqual(before);
  });
});
