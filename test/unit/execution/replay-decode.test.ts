/**
 * Replay's decoding of stored rows (issue 14, cold replay): `decodePage` must hand out exactly what
 * the row reader does (`eventsAfter` + `toHistoryEvent`, within the same row/byte bounds and up to
 * `upTo`) for any mix of plain and batch rows, from any starting id; and a page that ended inside a
 * batch row, continued from its `rest`, must give the same page as reading that row again.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { batchOf, eventsAfter, type StoredRow } from "../../../src/execution/event-batches";
import { type PageBounds, toHistoryEvent } from "../../../src/execution/history-pages";
import {
  type BatchRest,
  decodePage,
  openBatch,
  parseHeader,
  type RawEventRow,
} from "../../../src/execution/replay-decode";
import { EVENT_TYPES, type HistoryEvent } from "../../../src/history/events";

/** Rows as HistoryStore.insert writes them: each transition one batch row, or a row per event. */
function store(transitions: Array<{ attrs: unknown[]; plain: boolean }>): StoredRow[] {
  const rows: StoredRow[] = [];
  let id = 0;
  transitions.forEach((t, task) => {
    const events = t.attrs.map(
      (attributes, i) =>
        ({
          eventId: ++id,
          taskId: task + 1,
          eventType: i % 3 === 0 ? "MarkerRecorded" : "ActivityTaskCompleted",
          timestampMs: 1_767_225_600_000 + task * 7 + (i % 2),
          attributes,
        }) as HistoryEvent,
    );
    const texts = events.map((e) => JSON.stringify(e.attributes));
    const batch = t.plain ? null : batchOf(events, texts);
    if (batch) rows.push(batch);
    else {
      events.forEach((e, i) => {
        rows.push({
          event_id: e.eventId,
          task_id: e.taskId,
          event_type: e.eventType,
          ts_ms: e.timestampMs,
          attributes: texts[i]!,
        });
      });
    }
  });
  return rows;
}

/** What SQL answers: the raw rows with an event_id after `after`, in order. */
function source(rows: StoredRow[], calls: number[] = []) {
  return (after: number): Iterable<RawEventRow> => {
    calls.push(after);
    return rows
      .filter((r) => r.event_id > after)
      .map((r) => [r.event_id, r.task_id, r.event_type, r.ts_ms, r.attributes] as RawEventRow);
  };
}

/** The row reader's page: events after `after`, bounded, none past `upTo`. */
function expected(rows: StoredRow[], after: number, upTo: number, bounds: PageBounds) {
  const events: HistoryEvent[] = [];
  let bytes = 0;
  if (bounds.maxRows <= 0) return { events, bytes };
  for (const e of eventsAfter(rows, after)) {
    if (e.event_id > upTo) break;
    events.push(toHistoryEvent(e));
    bytes += e.attributes.length;
    if (events.length >= bounds.maxRows || bytes >= bounds.maxBytes) break;
  }
  return { events, bytes };
}

const transitions = fc.array(
  fc.record({
    attrs: fc.array(fc.jsonValue({ maxDepth: 2 }), { minLength: 1, maxLength: 9 }),
    plain: fc.boolean(),
  }),
  { minLength: 1, maxLength: 8 },
);
const bounds = fc.record({
  maxRows: fc.integer({ min: 0, max: 12 }),
  maxBytes: fc.integer({ min: 1, max: 400 }),
});

describe("decodePage", () => {
  it("hands out what the row reader does, from any id, within the bounds and upTo", () => {
    fc.assert(
      fc.property(transitions, bounds, fc.nat(60), fc.nat(60), (ts, b, after, upTo) => {
        const rows = store(ts);
        const page = decodePage(source(rows), after, upTo, b);
        const want = expected(rows, after, upTo, b);
        expect(page.events).toEqual(want.events);
        expect(page.bytes).toBe(want.bytes);
      }),
    );
  });

  it("reads a whole history page by page through each page's rest, as a fresh read would", () => {
    fc.assert(
      fc.property(transitions, bounds, (ts, b) => {
        const rows = store(ts);
        const last = rows.at(-1)!.event_id;
        const upTo = last - (ts.length > 1 ? 1 : 0);
        let after = 0;
        let rest: BatchRest | undefined;
        const got: HistoryEvent[] = [];
        for (let guard = 0; after < upTo && guard < 1000 && b.maxRows > 0; guard++) {
          const page = decodePage(source(rows), after, upTo, b, rest);
          expect(page.events).toEqual(expected(rows, after, upTo, b).events);
          if (page.events.length === 0) break;
          rest = page.rest;
          got.push(...page.events);
          after = page.events.at(-1)!.eventId;
        }
        const all =
          b.maxRows > 0 ? expected(rows, 0, upTo, { maxRows: 1e9, maxBytes: 1e9 }) : { events: [] };
        expect(got).toEqual(all.events);
      }),
    );
  });

  it("continues a batch from its rest without reading it again", () => {
    const rows = store([
      { attrs: [1, 2, 3, 4, 5, 6], plain: false },
      { attrs: [7, 8], plain: false },
    ]);
    const calls: number[] = [];
    const b = { maxRows: 2, maxBytes: 1e9 };
    const first = decodePage(source(rows, calls), 0, 8, b);
    expect(first.events.map((e) => e.attributes)).toEqual([1, 2]);
    expect(first.rest).toBeDefined();
    const second = decodePage(source(rows, calls), 2, 8, b, first.rest);
    expect(second.events.map((e) => e.attributes)).toEqual([3, 4]);
    expect(calls).toEqual([0]); // the second page came from the rest alone
    const third = decodePage(source(rows, calls), 4, 8, { maxRows: 4, maxBytes: 1e9 }, second.rest);
    expect(third.events.map((e) => e.attributes)).toEqual([5, 6, 7, 8]);
    expect(calls).toEqual([0, 6]); // then the rows after the batch's last event
    expect(third.rest).toBeUndefined();
  });

  it("ignores a rest that does not continue at the page's start", () => {
    const rows = store([{ attrs: [1, 2, 3, 4], plain: false }]);
    const first = decodePage(source(rows), 0, 4, { maxRows: 1, maxBytes: 1e9 });
    const page = decodePage(source(rows), 2, 4, { maxRows: 5, maxBytes: 1e9 }, first.rest);
    expect(page.events.map((e) => e.eventId)).toEqual([3, 4]);
  });
});

describe("openBatch", () => {
  it("positions a batch at its first event after the given id", () => {
    const [row] = store([{ attrs: [{ a: 1 }, "two", [3]], plain: false }]);
    const raw: RawEventRow = [
      row!.event_id,
      row!.task_id,
      row!.event_type,
      row!.ts_ms,
      row!.attributes,
    ];
    expect(openBatch(raw, 0)).toMatchObject({ firstId: 1, next: 0, taskId: 1 });
    const b = openBatch(raw, 2);
    expect(b.next).toBe(2);
    expect(JSON.parse(b.text.slice(b.at, b.at + b.header.lengths[2]!))).toEqual([3]);
    expect(openBatch(raw, 9).next).toBe(3);
  });
});

describe("parseHeader", () => {
  /** JSON.parse's answer, as columns. */
  const columns = (text: string) => {
    const entries = JSON.parse(text) as Array<[string, number, number]>;
    return {
      types: entries.map((e) => e[0]),
      times: entries.map((e) => e[1]),
      lengths: entries.map((e) => e[2]),
    };
  };
  const entry = fc.tuple(
    fc.oneof(fc.constantFrom(...EVENT_TYPES), fc.string({ maxLength: 6 })),
    fc.oneof(
      fc.constant(1_767_225_600_000),
      fc.integer({ min: 0, max: 2 ** 53 - 1 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
    ),
    fc.oneof(fc.nat(2_000_000), fc.integer({ min: -5, max: 5 })),
  );

  it("answers what JSON.parse does for any header JSON.stringify writes", () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 12 }), fc.boolean(), (entries, same) => {
        const list = same && entries.length > 0 ? entries.map(() => entries[0]!) : entries;
        const text = JSON.stringify(list);
        expect(parseHeader(`${text}\n{}`, text.length)).toEqual(columns(text));
      }),
    );
  });

  it("answers what JSON.parse does for texts the writer does not produce", () => {
    for (const text of [
      '[["MarkerRecorded",01,2]]',
      '[["MarkerRecorded",1,2] ]',
      '[ ["MarkerRecorded",1,2]]',
      '[["MarkerRecorded",1,2],["MarkerRecorded",1,3],["TimerFired",1.5,4]]',
      '[["Marker\\u0052ecorded",1,2]]',
      '[["MarkerRecorded",1234567890123456789,2]]',
    ]) {
      let want: unknown;
      try {
        want = columns(text);
      } catch (err) {
        want = err;
      }
      if (want instanceof Error) expect(() => parseHeader(text, text.length)).toThrow(SyntaxError);
      else expect(parseHeader(text, text.length)).toEqual(want);
    }
  });

  it("hands out each event type as the module's own string", () => {
    const text = JSON.stringify([
      ["MarkerRecorded", 1, 2],
      ["MarkerRecorded", 1, 3],
      ["TimerFired", 2, 4],
    ]);
    const { types } = parseHeader(`${text}\n`.slice(0), text.length);
    expect(types[0]).toBe(EVENT_TYPES.find((t) => t === "MarkerRecorded"));
    expect(types[1]).toBe(types[0]);
  });
});
