/**
 * @module Reading a run's history in bounded pages. Replay, `GET …/history` and the live SSE watch
 * all read through here, so no request holds more than one page of stored events (a row count and
 * a byte budget, whichever comes first) plus, for replay, the one task being applied.
 *
 * SQLite in a Durable Object is synchronous: a page is read in one synchronous step (the cursor is
 * consumed lazily and dropped before any `await`), so no cursor stays open while workflow code runs
 * and other requests interleave.
 */
import type { EventType, HistoryEvent } from "../history/events";
import { eventsAfter, type StoredRow } from "./event-batches";
import { type BatchRest, type DecodedPage, decodePage, type RawEventRow } from "./replay-decode";

/** One stored event, its attributes still JSON text. */
export type EventRow = {
  event_id: number;
  task_id: number;
  event_type: EventType;
  ts_ms: number;
  attributes: string;
};

/** Rows per replay page. */
export const REPLAY_PAGE_ROWS = 500;

/**
 * Bytes a page may hold, counted as attribute text length (UTF-16 units, close enough for a bound).
 * A page always holds at least one event, so a single large event (up to the payload limit) still
 * reads; past the budget the page ends and the caller asks for the next.
 */
export interface PageBounds {
  maxRows: number;
  maxBytes: number;
}

/** Reads rows one at a time from `rows` until either bound is reached (at least one row). */
export function takePage<R extends { attributes: string }>(
  rows: Iterable<R>,
  bounds: PageBounds,
): R[] {
  const page: R[] = [];
  let bytes = 0;
  if (bounds.maxRows <= 0) return page;
  for (const row of rows) {
    page.push(row);
    bytes += row.attributes.length;
    if (page.length >= bounds.maxRows || bytes >= bounds.maxBytes) break;
  }
  return page;
}

/** The events of `runId` after `afterId`, in order, one bounded page (read lazily from the cursor). */
export function readEventPage(
  sql: SqlStorage,
  runId: string,
  afterId: number,
  bounds: PageBounds,
): EventRow[] {
  const cursor = sql.exec<StoredRow>(
    "SELECT event_id, task_id, event_type, ts_ms, attributes FROM events WHERE run_id = ? AND event_id > ? ORDER BY event_id LIMIT ?",
    runId,
    afterId,
    Math.max(0, bounds.maxRows),
  );
  // A batch row (event-batches.ts) holds several events: the page counts events, not rows.
  return takePage(eventsAfter(cursor, afterId), bounds);
}

export function toHistoryEvent(r: EventRow): HistoryEvent {
  return {
    eventId: r.event_id,
    taskId: r.task_id,
    eventType: r.event_type,
    timestampMs: r.ts_ms,
    attributes: JSON.parse(r.attributes),
  } as HistoryEvent;
}

/** A page of events already parsed (replay's reader), with the attribute text length it held. */
export interface ParsedPage {
  events: HistoryEvent[];
  bytes: number;
}

/**
 * Replay's page: the events of `runId` after `afterId` and up to `upTo`, bounded as
 * {@link readEventPage}, each parsed once as it is read (replay-decode.ts). Raw rows (arrays, not
 * per-row objects with named columns), no intermediate row list, and a page that ended inside a
 * batch row hands back its `rest`: passed to the next call, that page begins there and does not
 * read the row again.
 */
export function readParsedPage(
  sql: SqlStorage,
  runId: string,
  afterId: number,
  upTo: number,
  bounds: PageBounds,
  rest?: BatchRest,
): DecodedPage {
  // No `event_id <= upTo` in SQL: a batch row carries its LAST event's id (event-batches.ts).
  const rowsAfter = (after: number) =>
    sql
      .exec(
        "SELECT event_id, task_id, event_type, ts_ms, attributes FROM events WHERE run_id = ? AND event_id > ? ORDER BY event_id LIMIT ?",
        runId,
        after,
        bounds.maxRows,
      )
      .raw<RawEventRow>();
  return decodePage(rowsAfter, afterId, upTo, bounds, rest);
}

/** Stored rows as a parsed page, dropping those past `upTo`. */
function parseRows(rows: readonly EventRow[], upTo: number): ParsedPage & { read: number } {
  const events: HistoryEvent[] = [];
  let bytes = 0;
  for (const row of rows) {
    // Events appended after the replay began belong to the caller's next task, not this one.
    if (row.event_id > upTo) break;
    bytes += row.attributes.length;
    events.push(toHistoryEvent(row));
  }
  return { events, bytes, read: rows.length };
}

/**
 * The recorded tasks of a history (events grouped by `taskId`, in order), read page by page. A task
 * that straddles a page boundary is carried into the next page. Each event is parsed once, when
 * its page is read, straight into the task it belongs to. Reading stops at `lastEventId` (the run's
 * history length) or at an empty page. `readPage` answers stored rows or an already parsed page
 * (which must hold no event past `lastEventId`).
 * `bytes`, `pages` and `maxPageRows` say how much was read: the query cache weighs runtimes by
 * `bytes`, and a test hook reports `maxPageRows` to prove replay is paged.
 */
export class HistoryTaskReader {
  bytes = 0;
  pages = 0;
  maxPageRows = 0;

  constructor(
    private readonly readPage: (afterId: number) => EventRow[] | ParsedPage,
    private readonly lastEventId = Number.POSITIVE_INFINITY,
  ) {}

  *tasks(): Generator<HistoryEvent[], void, undefined> {
    let carry: HistoryEvent[] = [];
    let after = 0;
    while (after < this.lastEventId) {
      const read = this.readPage(after);
      const page = Array.isArray(read) ? parseRows(read, this.lastEventId) : read;
      const rows = Array.isArray(read) ? read.length : read.events.length;
      if (rows === 0) break;
      this.pages += 1;
      this.maxPageRows = Math.max(this.maxPageRows, rows);
      this.bytes += page.bytes;
      after = Array.isArray(read) ? read[rows - 1]!.event_id : read.events[rows - 1]!.eventId;
      for (const ev of page.events) {
        if (carry.length > 0 && ev.taskId !== carry[0]!.taskId) {
          const task = carry;
          carry = [];
          yield task;
        }
        carry.push(ev);
      }
    }
    if (carry.length > 0) yield carry;
  }
}
