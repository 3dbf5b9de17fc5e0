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

/**
 * The recorded tasks of a history (events grouped by `taskId`, in order), read page by page. A task
 * that straddles a page boundary is carried into the next page; only the task being handed out is
 * parsed. Reading stops at `lastEventId` (the run's history length) or at an empty page.
 * `bytes`, `pages` and `maxPageRows` say how much was read: the query cache weighs runtimes by
 * `bytes`, and a test hook reports `maxPageRows` to prove replay is paged.
 */
export class HistoryTaskReader {
  bytes = 0;
  pages = 0;
  maxPageRows = 0;

  constructor(
    private readonly readPage: (afterId: number) => EventRow[],
    private readonly lastEventId = Number.POSITIVE_INFINITY,
  ) {}

  *tasks(): Generator<HistoryEvent[], void, undefined> {
    let carry: EventRow[] = [];
    let after = 0;
    while (after < this.lastEventId) {
      const page = this.readPage(after);
      const last = page.at(-1);
      if (!last) break;
      this.pages += 1;
      this.maxPageRows = Math.max(this.maxPageRows, page.length);
      after = last.event_id;
      for (const row of page) {
        // Events appended after the replay began belong to the caller's next task, not this one.
        if (row.event_id > this.lastEventId) break;
        this.bytes += row.attributes.length;
        const head = carry[0];
        if (head && row.task_id !== head.task_id) {
          const task = carry;
          carry = [];
          yield task.map(toHistoryEvent);
        }
        carry.push(row);
      }
    }
    if (carry.length > 0) yield carry.map(toHistoryEvent);
  }
}
