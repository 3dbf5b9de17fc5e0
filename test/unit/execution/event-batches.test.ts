import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BATCH_TYPE,
  batchOf,
  eventsAfter,
  expandRow,
  MAX_BATCH_CHARS,
  type StoredRow,
} from "../../../src/execution/event-batches";
import type { EventRow } from "../../../src/execution/history-pages";
import type { HistoryEvent } from "../../../src/history/events";

const ev = (eventId: number, attributes: unknown, taskId = 7): HistoryEvent =>
  ({
    eventId,
    taskId,
    eventType: "ActivityTaskCompleted",
    timestampMs: 1_000 + eventId,
    attributes,
  }) as HistoryEvent;

const plain = (e: HistoryEvent): EventRow => ({
  event_id: e.eventId,
  task_id: e.taskId,
  event_type: e.eventType,
  ts_ms: e.timestampMs,
  attributes: JSON.stringify(e.attributes),
});

describe("event batches: one row per transition", () => {
  it("round-trips any transition's events, their attribute texts unchanged", () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue(), { minLength: 2, maxLength: 8 }),
        fc.nat(1000),
        (as, start) => {
          const events = as.map((a, i) => ev(start + 1 + i, a));
          const texts = events.map((e) => JSON.stringify(e.attributes));
          const row = batchOf(events, texts);
          expect(row).not.toBeNull();
          expect(row!.event_type).toBe(BATCH_TYPE);
          expect(row!.event_id).toBe(start + as.length); // keyed by its last event
          expect(expandRow(row!)).toEqual(events.map(plain));
        },
      ),
    );
  });

  it("keeps a row per event for one event, mixed task ids, or too many characters together", () => {
    const one = [ev(1, { a: 1 })];
    expect(
      batchOf(
        one,
        one.map((e) => JSON.stringify(e.attributes)),
      ),
    ).toBeNull();
    const mixed = [ev(1, 1, 1), ev(2, 2, 2)];
    expect(batchOf(mixed, ["1", "2"])).toBeNull();
    const big = "x".repeat(MAX_BATCH_CHARS / 2 + 1);
    const large = [ev(1, big), ev(2, big)];
    expect(
      batchOf(
        large,
        large.map((e) => JSON.stringify(e.attributes)),
      ),
    ).toBeNull();
  });

  it("reads plain rows (written before batching) and batches alike, from any event on", () => {
    const old = [ev(1, { started: true }, 0), ev(2, "x", 0)].map(plain);
    const batched = [ev(3, { n: "a\nb" }), ev(4, [1, 2]), ev(5, null)];
    const row = batchOf(
      batched,
      batched.map((e) => JSON.stringify(e.attributes)),
    )!;
    const rows: StoredRow[] = [...old, row];
    const ids = (after: number) => [...eventsAfter(rows, after)].map((r) => r.event_id);
    expect(ids(0)).toEqual([1, 2, 3, 4, 5]);
    expect(ids(3)).toEqual([4, 5]); // a page that ended inside the batch
    expect([...eventsAfter(rows, 3)][0]!.attributes).toBe("[1,2]");
  });
});
