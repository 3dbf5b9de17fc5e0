/**
 * Pure parts of the memory bounds (issue 9, item 12): history pages bounded by rows and bytes,
 * replay tasks read page by page, the query-runtime LRU, the waiter gate.
 */
import { describe, expect, it } from "vitest";
import { type EventRow, HistoryTaskReader, takePage } from "../../../src/execution/history-pages";
import { BoundedLru } from "../../../src/execution/runtime-cache";
import { WaiterGate } from "../../../src/execution/waiter-gate";

/** A stored history: `tasks[i]` events in task i, each with `bytes` characters of attributes. */
function history(tasks: number[], bytes = 10): EventRow[] {
  const rows: EventRow[] = [];
  tasks.forEach((n, task) => {
    for (let i = 0; i < n; i++) {
      const id = rows.length + 1;
      const pad = "x".repeat(Math.max(0, bytes - 12));
      rows.push({
        event_id: id,
        task_id: task,
        event_type: id === 1 ? "WorkflowExecutionStarted" : "TimerStarted",
        ts_ms: id,
        attributes: JSON.stringify({ p: pad }),
      });
    }
  });
  return rows;
}

/** A page reader over `rows` that records what it was asked and how much it handed out. */
function pager(rows: EventRow[], maxRows: number, maxBytes = Number.POSITIVE_INFINITY) {
  const reads: number[] = [];
  const read = (after: number) => {
    const page = takePage(rows.filter((r) => r.event_id > after).slice(0, maxRows), {
      maxRows,
      maxBytes,
    });
    reads.push(page.length);
    return page;
  };
  return { read, reads };
}

describe("takePage", () => {
  it("stops at the row bound", () => {
    expect(takePage(history([10]), { maxRows: 3, maxBytes: 1e9 })).toHaveLength(3);
  });

  it("stops once the byte budget is reached, and always holds at least one row", () => {
    const rows = history([10], 100);
    expect(takePage(rows, { maxRows: 100, maxBytes: 250 })).toHaveLength(3);
    expect(takePage(rows, { maxRows: 100, maxBytes: 1 })).toHaveLength(1);
  });

  it("pulls no row past the bound from a lazy source", () => {
    let pulled = 0;
    function* lazy() {
      for (const r of history([1000])) {
        pulled += 1;
        yield r;
      }
    }
    takePage(lazy(), { maxRows: 5, maxBytes: 1e9 });
    expect(pulled).toBe(5);
  });
});

describe("HistoryTaskReader", () => {
  it("groups events by task across page boundaries, reading no page larger than the bound", () => {
    const tasks = [1, 3, 7, 2, 9, 1, 1, 12, 4];
    const rows = history(tasks);
    const { read, reads } = pager(rows, 5);
    const reader = new HistoryTaskReader(read, rows.length);
    const got = [...reader.tasks()];
    expect(got.map((t) => t.length)).toEqual(tasks);
    expect(got.flat().map((e) => e.eventId)).toEqual(rows.map((r) => r.event_id));
    expect(got.every((t) => t.every((e) => e.taskId === t[0]!.taskId))).toBe(true);
    expect(Math.max(...reads)).toBeLessThanOrEqual(5);
    expect(reader.maxPageRows).toBe(5);
    expect(reader.pages).toBe(Math.ceil(rows.length / 5));
    expect(reader.bytes).toBe(rows.reduce((n, r) => n + r.attributes.length, 0));
  });

  it("parses attributes into events", () => {
    const rows = history([2]);
    const [task] = [...new HistoryTaskReader(pager(rows, 500).read, 2).tasks()];
    expect(task![0]).toMatchObject({ eventId: 1, taskId: 0, timestampMs: 1, attributes: {} });
  });

  it("hands out a task before reading the next page (lazy)", () => {
    const rows = history([2, 2, 2, 2, 2, 2]);
    const { read, reads } = pager(rows, 2);
    const it = new HistoryTaskReader(read, rows.length).tasks();
    it.next();
    // The first task ends where the second begins: that needed the second page, not all six.
    expect(reads.length).toBeLessThanOrEqual(2);
  });

  it("splits pages on the byte budget, and stops at lastEventId", () => {
    const rows = history([4, 4, 4], 1000);
    const { read, reads } = pager(rows, 500, 2500);
    const got = [...new HistoryTaskReader(read, 10).tasks()];
    expect(got.map((t) => t.length)).toEqual([4, 4, 2]);
    expect(Math.max(...reads)).toBe(3);
  });

  it("yields nothing for an empty history", () => {
    expect([...new HistoryTaskReader(() => [], 0).tasks()]).toEqual([]);
    expect([...new HistoryTaskReader(() => []).tasks()]).toEqual([]);
  });
});

describe("BoundedLru", () => {
  it("keeps at most maxEntries, dropping the least recently used", () => {
    const lru = new BoundedLru<string>({ maxEntries: 2, maxWeight: 100 });
    lru.set("a", "A", 1);
    lru.set("b", "B", 1);
    expect(lru.get("a")).toBe("A"); // a is now the most recent
    lru.set("c", "C", 1);
    expect(lru.get("b")).toBeUndefined();
    expect(lru.get("a")).toBe("A");
    expect(lru.get("c")).toBe("C");
    expect(lru.size).toBe(2);
  });

  it("keeps the total weight under maxWeight and refuses an entry heavier than it", () => {
    const lru = new BoundedLru<number>({ maxEntries: 10, maxWeight: 10 });
    lru.set("a", 1, 4);
    lru.set("b", 2, 4);
    lru.set("c", 3, 4);
    expect(lru.weight).toBeLessThanOrEqual(10);
    expect(lru.get("a")).toBeUndefined();
    lru.set("huge", 4, 11);
    expect(lru.get("huge")).toBeUndefined();
    expect(lru.size).toBe(2);
  });

  it("replaces an entry under the same key without counting it twice", () => {
    const lru = new BoundedLru<number>({ maxEntries: 10, maxWeight: 10 });
    lru.set("a", 1, 6);
    lru.set("a", 2, 6);
    expect(lru.get("a")).toBe(2);
    expect(lru.weight).toBe(6);
    lru.delete("a");
    expect(lru.weight).toBe(0);
  });

  it("keeps nothing when maxEntries is 0", () => {
    const lru = new BoundedLru<number>({ maxEntries: 0, maxWeight: 10 });
    lru.set("a", 1, 1);
    expect(lru.size).toBe(0);
  });
});

describe("WaiterGate", () => {
  it("hands out `limit` slots, then refuses until one is released", () => {
    const gate = new WaiterGate(3);
    const slots = [gate.tryAcquire(), gate.tryAcquire(), gate.tryAcquire()];
    expect(slots.every(Boolean)).toBe(true);
    expect(gate.full).toBe(true);
    expect(gate.tryAcquire()).toBeUndefined();
    slots[0]!.release();
    slots[0]!.release(); // idempotent: does not free a second slot
    expect(gate.count).toBe(2);
    expect(gate.tryAcquire()).toBeDefined();
    expect(gate.tryAcquire()).toBeUndefined();
  });

  it("refuses with 429 ResourceExhausted and a Retry-After header", () => {
    const reply = new WaiterGate(1).refusal("poll the result");
    expect(reply.status).toBe(429);
    expect(reply.headers?.["retry-after"]).toMatch(/^\d+$/);
    const body = JSON.parse(reply.body) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("ResourceExhausted");
    expect(body.error.message).toContain("limit 1");
  });
});
