/**
 * A visibility row D1 can never store (src/visibility/upsert.ts `fitTuple`). A memo is stored as
 * JSON text, where each quote takes 2 bytes, and the row goes to D1 inside one JSON parameter,
 * where it takes 4: a memo of 900,000 quotes is a 3.6 MB parameter, past what D1 binds (local D1
 * refuses 3 MB; Cloudflare documents 2,000,000 bytes). Before, every write of such a row was
 * refused, the execution retried it from its outbox with no end, and the run was never listed.
 * Now it is listed without its memo (the list shows `{}`; describe reads the memo from the
 * execution), and without its search attributes too when they alone are past the limit. Written
 * here straight through the store, in real D1: a start whose memo alone makes such a row is
 * refused by the execution's own SQLite first (the memo takes 4 bytes per quote in its event too),
 * but a memo and search attributes upserted later, each event under SQLite's limit, can together
 * pass D1's (the row carries the attributes twice: as JSON and as index rows).
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { listVisibility, upsertVisibility, type VisibilityRow } from "../../src/visibility/store";

const db = env.VISIBILITY!;

function row(over: Partial<VisibilityRow>): VisibilityRow {
  return {
    namespace: `toobig-${crypto.randomUUID().slice(0, 8)}`,
    workflowId: "wf-1",
    runId: "run-1",
    workflowType: "tagger",
    status: "Running",
    startTime: "2026-05-01T10:00:00.000Z",
    closeTime: null,
    executionTime: "2026-05-01T10:00:00.000Z",
    taskQueue: "default",
    historyLength: 3,
    memo: null,
    searchAttributes: {},
    version: 1,
    ...over,
  };
}

async function listedIn(namespace: string, query = "") {
  const page = await listVisibility(db, { namespace, query, pageSize: 10, nextPageToken: null });
  return page.executions;
}

describe("a visibility row too big for D1", () => {
  it("is written without its memo, keeps its search attributes, and a later row brings the memo back", async () => {
    const big = row({
      memo: { pad: '"'.repeat(900_000) },
      searchAttributes: { Stage: { type: "keyword", value: "review" } },
    });
    expect(await upsertVisibility(db, big)).toEqual({ applied: true });
    const [listed] = await listedIn(big.namespace, "Stage = 'review'");
    expect(listed).toMatchObject({ workflowId: "wf-1", status: "Running", memo: {} });
    expect(listed?.searchAttributes).toMatchObject({ Stage: "review" });
    // The next version of the row fits: it is written whole.
    const next = { ...big, status: "Completed" as const, version: 2, memo: { note: "small" } };
    next.closeTime = "2026-05-01T10:00:01.000Z";
    expect(await upsertVisibility(db, next)).toEqual({ applied: true });
    expect(await listedIn(big.namespace)).toMatchObject([
      { status: "Completed", memo: { note: "small" } },
    ]);
  });

  it("drops the search attributes too when they alone are too big, and the run still lists", async () => {
    const big = row({
      memo: { pad: '"'.repeat(900_000) },
      searchAttributes: Object.fromEntries(
        Array.from({ length: 15 }, (_, i) => [
          `Notes${i}`,
          { type: "text" as const, value: '"'.repeat(60_000) },
        ]),
      ),
    });
    expect(await upsertVisibility(db, big)).toEqual({ applied: true });
    expect(await listedIn(big.namespace, "ExecutionStatus = 'Running'")).toMatchObject([
      { workflowId: "wf-1", memo: {}, searchAttributes: {} },
    ]);
  });
});
