/**
 * Replay's history pages in a real Durable Object's SQLite (issue 14): `readParsedPage` reads raw
 * rows and parses each event once, and must hand out exactly what the row reader did
 * (`readEventPage` + `toHistoryEvent`) for rows as they are stored, with the same row and byte
 * bounds, stopping at the run's history length. The stored format is unchanged; rows written the
 * old way are what it reads here.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  HistoryTaskReader,
  readEventPage,
  readParsedPage,
  toHistoryEvent,
} from "../../src/execution/history-pages";
import { stub, uniqueId } from "../helpers";

/** Inserts `tasks[i]` events for task i + 1 of run `runId`, as HistoryStore.insert writes them. */
function insertHistory(sql: SqlStorage, runId: string, tasks: number[], pad = 0): number {
  let id = 0;
  tasks.forEach((n, t) => {
    for (let i = 0; i < n; i++) {
      id += 1;
      const attributes =
        id === 1
          ? { workflowType: "steps", input: '{"n":3}', taskQueue: "default", attempt: 1 }
          : {
              seq: id,
              markerName: "LocalActivity",
              activityType: "noop",
              attempt: 1,
              result: JSON.stringify({ id, pad: "é".repeat(pad) }),
            };
      sql.exec(
        "INSERT INTO events (run_id, event_id, task_id, event_type, ts_ms, attributes) VALUES (?, ?, ?, ?, ?, ?)",
        runId,
        id,
        t + 1,
        id === 1 ? "WorkflowExecutionStarted" : "MarkerRecorded",
        1_700_000_000_000 + t,
        JSON.stringify(attributes),
      );
    }
  });
  return id;
}

async function inObject<T>(fn: (sql: SqlStorage, runId: string) => T): Promise<T> {
  const id = uniqueId("replay-pages");
  // Any request builds the object's schema; then the test writes a run of its own.
  await stub(id).unsafeCounters();
  return runInDurableObject(stub(id), (_obj, state) => fn(state.storage.sql, `run-${id}`));
}

describe("readParsedPage", () => {
  it("hands out what the row reader does, page for page, within the row bound", async () => {
    await inObject((sql, runId) => {
      const last = insertHistory(sql, runId, [1, 7, 3, 12]);
      const bounds = { maxRows: 5, maxBytes: 1e9 };
      for (let after = 0; after < last; after += 5) {
        const parsed = readParsedPage(sql, runId, after, last, bounds);
        const rows = readEventPage(sql, runId, after, bounds);
        expect(parsed.events).toEqual(rows.map(toHistoryEvent));
        expect(parsed.bytes).toBe(rows.reduce((n, r) => n + r.attributes.length, 0));
      }
    });
  });

  it("ends a page at the byte budget (holding at least one event) and at upTo", async () => {
    await inObject((sql, runId) => {
      insertHistory(sql, runId, [1, 9], 300);
      const budget = { maxRows: 100, maxBytes: 700 };
      const rows = readEventPage(sql, runId, 0, budget);
      const parsed = readParsedPage(sql, runId, 0, 1e9, budget);
      expect(parsed.events.map((e) => e.eventId)).toEqual(rows.map((r) => r.event_id));
      expect(parsed.events.length).toBeLessThan(10);
      expect(readParsedPage(sql, runId, 3, 1e9, { maxRows: 100, maxBytes: 1 }).events).toHaveLength(
        1,
      );
      expect(readParsedPage(sql, runId, 0, 4, { maxRows: 100, maxBytes: 1e9 }).events).toHaveLength(
        4,
      );
      expect(readParsedPage(sql, runId, 0, 4, { maxRows: 0, maxBytes: 1e9 }).events).toEqual([]);
    });
  });

  it("groups a stored history into its tasks, reading pages up to the history length", async () => {
    await inObject((sql, runId) => {
      const tasks = [1, 4, 600, 2];
      const last = insertHistory(sql, runId, tasks);
      const bounds = { maxRows: 500, maxBytes: 1e9 };
      const reader = new HistoryTaskReader(
        (after) => readParsedPage(sql, runId, after, last - 1, bounds),
        last - 1,
      );
      const got = [...reader.tasks()];
      expect(got.map((t) => t.length)).toEqual([1, 4, 600, 1]);
      expect(got.flat().map((e) => e.eventId)).toEqual(
        Array.from({ length: last - 1 }, (_, i) => i + 1),
      );
      expect(reader.maxPageRows).toBe(500);
      expect(reader.pages).toBe(2);
    });
  });
});
