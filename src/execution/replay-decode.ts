/**
 * @module Replay's decoding of stored event rows into parsed events, one bounded page at a time
 * (pure: the rows come from a function, so it is unit-tested in Node). Each event is built once,
 * straight from its row: a plain row's attribute text is parsed where it lies; a batch row
 * (event-batches.ts) has its header parsed once and its events' texts sliced out and parsed one by
 * one, with no intermediate row object per event. A page that ends inside a batch row hands back
 * the rest of that row ({@link BatchRest}), and the next page begins there: a batch is neither read
 * from SQLite nor its header parsed twice, and the events before the page's start are skipped by
 * arithmetic, not built and dropped.
 */
import type { EventType, HistoryEvent } from "../history/events";
import { BATCH_TYPE } from "./event-batches";
import type { PageBounds, ParsedPage } from "./history-pages";

/** A stored row as SQLite's raw cursor hands it out: event_id, task_id, event_type, ts_ms, attributes. */
export type RawEventRow = [number, number, EventType | typeof BATCH_TYPE, number, string];

/** The part of a batch row a page did not take: where the next page begins. */
export interface BatchRest {
  readonly text: string;
  readonly header: ReadonlyArray<readonly [EventType, number, number]>;
  readonly taskId: number;
  /** The id of the batch's first event (the row's event_id counts its last). */
  readonly firstId: number;
  /** The index in `header` of the next event, and where its text begins in `text`. */
  next: number;
  at: number;
}

/** A parsed page, and the rest of the batch row it ended inside, if any. */
export interface DecodedPage extends ParsedPage {
  rest?: BatchRest;
}

/** A batch row, its header parsed, positioned at its first event after `afterId`. */
export function openBatch(row: RawEventRow, afterId: number): BatchRest {
  const text = row[4];
  const nl = text.indexOf("\n");
  const header = JSON.parse(text.slice(0, nl)) as Array<[EventType, number, number]>;
  const firstId = row[0] - header.length + 1;
  let next = Math.max(0, afterId - firstId + 1);
  if (next > header.length) next = header.length;
  let at = nl + 1;
  for (let i = 0; i < next; i++) at += header[i]![2];
  return { text, header, taskId: row[1], firstId, next, at };
}

/**
 * The events after `afterId` and up to `upTo`, in order, until `bounds` are reached (at least one
 * event when any is left): first from `rest` (the batch the previous page ended inside) when it
 * continues at `afterId`, then from `rowsAfter(id)`, the stored rows with an `event_id` after `id`
 * in order, which is called only when more events are needed.
 */
export function decodePage(
  rowsAfter: (afterId: number) => Iterable<RawEventRow>,
  afterId: number,
  upTo: number,
  bounds: PageBounds,
  rest?: BatchRest,
): DecodedPage {
  const events: HistoryEvent[] = [];
  const page: DecodedPage = { events, bytes: 0 };
  if (bounds.maxRows <= 0) return page;
  const { maxRows, maxBytes } = bounds;
  /** Takes the batch's events from its position on; whether the page is complete (full or past upTo). */
  const takeBatch = (b: BatchRest): boolean => {
    const { text, header, taskId, firstId } = b;
    let { next, at } = b;
    let bytes = page.bytes;
    let done = false;
    while (next < header.length) {
      const eventId = firstId + next;
      if (eventId > upTo) {
        done = true;
        break;
      }
      const h = header[next]!;
      const length = h[2];
      events.push({
        eventId,
        taskId,
        eventType: h[0],
        timestampMs: h[1],
        attributes: JSON.parse(text.slice(at, at + length)),
      } as HistoryEvent);
      next += 1;
      at += length;
      bytes += length;
      if (events.length >= maxRows || bytes >= maxBytes) {
        done = true;
        break;
      }
    }
    page.bytes = bytes;
    b.next = next;
    b.at = at;
    if (done && next < header.length && firstId + next <= upTo) page.rest = b;
    return done;
  };

  let after = afterId;
  if (rest && rest.firstId + rest.next === afterId + 1 && rest.next < rest.header.length) {
    if (takeBatch(rest)) return page;
    after = rest.firstId + rest.header.length - 1;
  }
  for (const r of rowsAfter(after)) {
    if (r[2] === BATCH_TYPE) {
      if (takeBatch(openBatch(r, afterId))) return page;
      continue;
    }
    const eventId = r[0];
    if (eventId <= afterId) continue;
    if (eventId > upTo) return page;
    const attributes = r[4];
    events.push({
      eventId,
      taskId: r[1],
      eventType: r[2],
      timestampMs: r[3],
      attributes: JSON.parse(attributes),
    } as HistoryEvent);
    page.bytes += attributes.length;
    if (events.length >= maxRows || page.bytes >= maxBytes) return page;
  }
  return page;
}
