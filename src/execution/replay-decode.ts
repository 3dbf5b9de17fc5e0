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
import { EVENT_TYPES, type EventType, type HistoryEvent } from "../history/events";
import { BATCH_TYPE } from "./event-batches";
import type { PageBounds, ParsedPage } from "./history-pages";

/** A stored row as SQLite's raw cursor hands it out: event_id, task_id, event_type, ts_ms, attributes. */
export type RawEventRow = [number, number, EventType | typeof BATCH_TYPE, number, string];

/** A batch row's header as columns: each event's type, time and attribute text length. */
export interface BatchHeader {
  readonly types: EventType[];
  readonly times: number[];
  readonly lengths: number[];
}

/** Each event type as the module's own string: compared by identity downstream, not by content. */
const CANONICAL = new Map<string, EventType>(EVENT_TYPES.map((t) => [t, t]));

/**
 * A batch row's header line, `text` up to `end` (JSON.stringify's `[["Type",ts,len],...]`), as
 * columns. Scanned by hand: JSON.parse built an array, a number and a type string per event, and a
 * page's events repeat one type and time. Text of any other shape (fractional or huge times, an
 * unknown type, escapes, spaces) is handed to JSON.parse instead: the answer is JSON.parse's.
 */
export function parseHeader(text: string, end: number): BatchHeader {
  const scanned = scanHeader(text, end);
  if (scanned) return scanned;
  const entries = JSON.parse(text.slice(0, end)) as Array<[EventType, number, number]>;
  return {
    types: entries.map((e) => CANONICAL.get(e[0]) ?? e[0]),
    times: entries.map((e) => e[1]),
    lengths: entries.map((e) => e[2]),
  };
}

const OPEN = 0x5b; // [
const CLOSE = 0x5d; // ]
const QUOTE = 0x22;
const COMMA = 0x2c;
const ZERO = 0x30;
const NINE = 0x39;

/** Where the digits {@link digitsAt} read last ended (a module variable: no object per number). */
let digitsEnd = 0;

/** A non-negative integer's digits at `p` in JSON's form (no leading zero), or -1. */
function digitsAt(text: string, p: number, max: number): number {
  let value = 0;
  let i = p;
  for (let c = text.charCodeAt(i); c >= ZERO && c <= NINE; c = text.charCodeAt(++i)) {
    value = value * 10 + (c - ZERO);
  }
  const n = i - p;
  if (n === 0 || n > max || (n > 1 && text.charCodeAt(p) === ZERO)) return -1;
  digitsEnd = i;
  return value;
}

/** The header in its usual shape (known types, integer times and lengths), else null. */
function scanHeader(text: string, end: number): BatchHeader | null {
  const header: BatchHeader = { types: [], times: [], lengths: [] };
  if (text.charCodeAt(0) !== OPEN) return null;
  if (end === 2 && text.charCodeAt(1) === CLOSE) return header;
  let p = 1;
  let lastType: EventType | undefined;
  let lastOpening = ""; // the last entry's `["Type",`
  for (;;) {
    let type: EventType;
    if (lastType !== undefined && text.startsWith(lastOpening, p)) {
      type = lastType;
      p += lastOpening.length;
    } else {
      if (text.charCodeAt(p) !== OPEN || text.charCodeAt(p + 1) !== QUOTE) return null;
      const quote = text.indexOf('"', p + 2);
      if (quote < 0 || quote >= end || text.charCodeAt(quote + 1) !== COMMA) return null;
      const known = CANONICAL.get(text.slice(p + 2, quote));
      if (known === undefined) return null;
      type = lastType = known;
      lastOpening = text.slice(p, quote + 2);
      p = quote + 2;
    }
    // Times up to 15 digits and lengths up to 9 stay exact integers in a double.
    const ts = digitsAt(text, p, 15);
    if (ts < 0 || text.charCodeAt(digitsEnd) !== COMMA) return null;
    const length = digitsAt(text, digitsEnd + 1, 9);
    if (length < 0 || text.charCodeAt(digitsEnd) !== CLOSE) return null;
    header.types.push(type);
    header.times.push(ts);
    header.lengths.push(length);
    p = digitsEnd + 1;
    const c = text.charCodeAt(p);
    if (c === COMMA) p += 1;
    else return c === CLOSE && p + 1 === end ? header : null;
  }
}

/** The part of a batch row a page did not take: where the next page begins. */
export interface BatchRest {
  readonly text: string;
  readonly header: BatchHeader;
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
  const header = parseHeader(text, nl);
  const count = header.lengths.length;
  const firstId = row[0] - count + 1;
  let next = Math.max(0, afterId - firstId + 1);
  if (next > count) next = count;
  let at = nl + 1;
  for (let i = 0; i < next; i++) at += header.lengths[i]!;
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
    const { text, taskId, firstId } = b;
    const { types, times, lengths } = b.header;
    const count = lengths.length;
    let { next, at } = b;
    let bytes = page.bytes;
    let done = false;
    while (next < count) {
      const eventId = firstId + next;
      if (eventId > upTo) {
        done = true;
        break;
      }
      const length = lengths[next]!;
      events.push({
        eventId,
        taskId,
        eventType: types[next]!,
        timestampMs: times[next]!,
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
    if (done && next < count && firstId + next <= upTo) page.rest = b;
    return done;
  };

  let after = afterId;
  if (rest && rest.firstId + rest.next === afterId + 1 && rest.next < rest.header.lengths.length) {
    if (takeBatch(rest)) return page;
    after = rest.firstId + rest.header.lengths.length - 1;
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
      eventType: CANONICAL.get(r[2]) ?? r[2],
      timestampMs: r[3],
      attributes: JSON.parse(attributes),
    } as HistoryEvent);
    page.bytes += attributes.length;
    if (events.length >= maxRows || page.bytes >= maxBytes) return page;
  }
  return page;
}
