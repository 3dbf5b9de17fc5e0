/**
 * @module Bounded memory per request (issue 9, item 12), warm and cold: replay and history reads go
 * page by page, a closed run's runtime rebuilt for a query is kept (bounded) so repeated queries do
 * not replay again, and requests waiting in one execution are bounded (past it: 429 + Retry-After).
 */
import { abortAllDurableObjects } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { HistoryResponse, ResultResponse, WireEvent } from "../../sdk/common/wire";
import { DEFAULT_LIMITS } from "../../src/config";
import {
  api,
  assertIncreasingIds,
  mode,
  post,
  result,
  start,
  stub,
  uniqueId,
  waitInPlace,
} from "../helpers";

const wf = (workflowId: string) => `/api/v1/workflows/${encodeURIComponent(workflowId)}`;

async function counters(workflowId: string) {
  return stub(workflowId).unsafeCounters();
}

async function query(workflowId: string, runId?: string): Promise<{ status: string }> {
  const res = await post(`${wf(workflowId)}/queries/state${runId ? `?runId=${runId}` : ""}`, {});
  expect(res.status).toBe(200);
  return ((await res.json()) as { result: { status: string } }).result;
}

/** Starts an approval (waits for the `approve` signal), optionally approves it and waits for the end. */
async function approval(workflowId: string, approveNow: boolean): Promise<string> {
  const { runId } = await start({
    workflowType: "approval",
    workflowId,
    input: { item: "car", timeout: "1h" },
  });
  if (approveNow) {
    await approve(workflowId);
    expect((await result(workflowId)).status).toBe("Completed");
  }
  return runId;
}

async function approve(workflowId: string): Promise<void> {
  const res = await post(`${wf(workflowId)}/signals/approve`, { input: { approved: true } });
  expect(res.status).toBe(202);
}

/** Every event of the run, following nextPageToken; returns the pages' sizes too. */
async function allPages(workflowId: string): Promise<{ events: WireEvent[]; pages: number[] }> {
  const events: WireEvent[] = [];
  const pages: number[] = [];
  let token: string | null = null;
  do {
    const q: string = token ? `?nextPageToken=${encodeURIComponent(token)}` : "";
    const res = await api(`${wf(workflowId)}/history${q}`);
    expect(res.status).toBe(200);
    const text = await res.text();
    const body = JSON.parse(text) as HistoryResponse;
    events.push(...body.events);
    pages.push(text.length);
    token = body.nextPageToken ?? null;
  } while (token);
  return { events, pages };
}

describe("replay and history reads are paged", () => {
  it("replays a 1,200-event history in pages of at most 500 events", async () => {
    const workflowId = uniqueId("mem-long");
    await start({ workflowType: "bigHistory", workflowId, input: { n: 1200, size: 1 } });
    const done = await result(workflowId);
    expect(done).toMatchObject({ status: "Completed", result: 1200 });
    const { historyLength } = await stub(workflowId).unsafeReplay();
    expect(historyLength).toBeGreaterThan(1200);
    const c = await counters(workflowId);
    expect(c.replays).toBeGreaterThanOrEqual(1);
    // The old code read the whole history (every row) in one query.
    expect(c.maxReplayPageRows).toBeGreaterThan(0);
    expect(c.maxReplayPageRows).toBeLessThanOrEqual(500);
    const { events } = await allPages(workflowId);
    expect(events).toHaveLength(historyLength);
    assertIncreasingIds(events);
  });

  it("ends a history page at the byte budget and hands out the rest on the next pages", async () => {
    const workflowId = uniqueId("mem-heavy");
    // 80 markers of 60 KB: 4.8 MB of history, more than one page's 4 MB.
    await start({ workflowType: "bigHistory", workflowId, input: { n: 80, size: 60_000 } });
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: 80 * 60_000 });
    const { events, pages } = await allPages(workflowId);
    assertIncreasingIds(events);
    expect(events.at(-1)?.eventType).toBe("WorkflowExecutionCompleted");
    expect(pages.length).toBeGreaterThan(1);
    // A page stops once it holds the budget: at most the budget plus one event (and JSON overhead).
    for (const bytes of pages) {
      expect(bytes).toBeLessThan(DEFAULT_LIMITS.historyPageBytes + 2 * 65_536);
    }
    // Replay of the same history still works (the whole run is one task of 80 markers).
    await stub(workflowId).unsafeReplay();
    expect((await counters(workflowId)).maxReplayPageRows).toBeLessThan(80);
  });
});

describe("the runtime rebuilt for a query is cached", () => {
  it("answers repeated queries on a closed run with one replay", async () => {
    const workflowId = uniqueId("mem-query");
    const firstRun = await approval(workflowId, true);
    const before = (await counters(workflowId)).replays;
    expect(await query(workflowId)).toMatchObject({ status: "approved" });
    expect(await query(workflowId)).toMatchObject({ status: "approved" });
    expect(await query(workflowId, firstRun)).toMatchObject({ status: "approved" });
    const after = await counters(workflowId);
    expect(after.replays - before).toBe(1);
    expect(after.queryCacheEntries).toBe(1);

    // A newer run makes the first one non-current: its cached runtime still answers.
    await approval(workflowId, false);
    const mid = (await counters(workflowId)).replays;
    expect(await query(workflowId, firstRun)).toMatchObject({ status: "approved" });
    expect(await query(workflowId, firstRun)).toMatchObject({ status: "approved" });
    expect((await counters(workflowId)).replays).toBe(mid);
    // The running run answers from its own (warm or replayed) state, not the cache.
    expect(await query(workflowId)).toMatchObject({ status: "waiting" });
  });

  it("keeps the runtime a query rebuilt for the running run as its warm runtime (cold: no warm cache)", async () => {
    const workflowId = uniqueId("mem-query-running");
    await approval(workflowId, false);
    await waitInPlace(async () =>
      expect(await query(workflowId)).toMatchObject({ status: "waiting" }),
    );
    await abortAllDurableObjects();
    const before = (await counters(workflowId)).replays;
    await query(workflowId);
    await query(workflowId);
    const res = await post(`${wf(workflowId)}/updates/extend`, { input: { by: "1m" } });
    expect(res.status).toBe(200);
    // Warm: one replay after the eviction, then the rebuilt runtime stays. Cold (no warm cache by
    // configuration): every call replays, as every activation does.
    expect((await counters(workflowId)).replays - before).toBe(mode === "warm" ? 1 : 4);
  });

  it("keeps at most queryCacheRuns runtimes, dropping the least recently queried", async () => {
    const workflowId = uniqueId("mem-query-lru");
    const runs: string[] = [];
    for (let i = 0; i < DEFAULT_LIMITS.queryCacheRuns + 2; i++) {
      runs.push(await approval(workflowId, true));
    }
    for (const runId of runs) await query(workflowId, runId);
    const full = await counters(workflowId);
    expect(full.queryCacheEntries).toBe(DEFAULT_LIMITS.queryCacheRuns);
    await query(workflowId, runs.at(-1));
    expect((await counters(workflowId)).replays).toBe(full.replays);
    await query(workflowId, runs[0]);
    expect((await counters(workflowId)).replays).toBe(full.replays + 1);
  });
});

describe("requests waiting in one execution are bounded", () => {
  const limit = DEFAULT_LIMITS.maxWaitersPerObject;

  async function expectRefused(res: Response): Promise<void> {
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("ResourceExhausted");
    expect(body.error.message).not.toMatch(/\n\s+at /);
  }

  it(`refuses waiter ${limit + 1} with 429 and Retry-After, and accepts again once they are released`, async () => {
    const workflowId = uniqueId("mem-waiters");
    await approval(workflowId, false);
    // One live history stream: once its backlog is read, its next watch waits in the object.
    const sse = await api(`${wf(workflowId)}/history`, {
      headers: { accept: "text/event-stream" },
    });
    expect(sse.status).toBe(200);
    const reader = sse.body!.getReader();
    await reader.read();
    await waitInPlace(async () => expect((await counters(workflowId)).waiters).toBe(1));
    const polls = Array.from({ length: limit - 1 }, () => api(`${wf(workflowId)}/result?wait=60s`));
    await waitInPlace(async () => expect((await counters(workflowId)).waiters).toBe(limit));

    await expectRefused(await api(`${wf(workflowId)}/result?wait=60s`));
    const length = (await allPages(workflowId)).events.length;
    await expectRefused(
      await post(`${wf(workflowId)}/updates/extend`, { input: { by: "1m" }, wait: "10s" }),
    );
    await expectRefused(
      await api(`${wf(workflowId)}/history`, { headers: { accept: "text/event-stream" } }),
    );
    // A refused update recorded nothing; calls that do not wait are still answered.
    expect((await allPages(workflowId)).events).toHaveLength(length);
    expect((await api(`${wf(workflowId)}/result`)).status).toBe(202);
    expect(await query(workflowId)).toMatchObject({ status: "waiting" });

    await approve(workflowId);
    const answers = await Promise.all(polls);
    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(((await res.json()) as ResultResponse).status).toBe("Completed");
    }
    let text = "";
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      text += new TextDecoder().decode(chunk.value);
    }
    expect(text).toContain("event: WorkflowExecutionCompleted");
    expect((await counters(workflowId)).waiters).toBe(0);

    // Released: a new waiter (on a new run of the same id, the same object) is taken again.
    await approval(workflowId, false);
    const poll = api(`${wf(workflowId)}/result?wait=60s`);
    await waitInPlace(async () => expect((await counters(workflowId)).waiters).toBe(1));
    await approve(workflowId);
    const res = await poll;
    expect(res.status).toBe(200);
    expect(((await res.json()) as ResultResponse).status).toBe("Completed");
  });
});
