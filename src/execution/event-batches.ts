/**
 * @module The events of one transition stored as one row (pure): SQLite counts a row written per
 * event otherwise, and a queue-activity step appends three. A batch row has `event_type` "Batch",
 * `event_id` the id of its LAST event (so `event_id > after` still finds every row holding an event
 * after `after`, and the run's last row still names its length), the transition's `task_id`, and as
 * `attributes` a header line then the events' attribute texts, back to back:
 *
 *     [["ActivityTaskStarted",1767225600000,42],["ActivityTaskCompleted",1767225600000,31]]\n{…}{…}
 *
 * The header gives each event's type, time and text length (UTF-16 units), so reading splits the
 * texts out unparsed (the history API splices them into its answer as they are). A header holds no
 * raw newline (JSON escapes it). Rows of one event keep the plain layout, and so do transitions
 * whose events are too large together (see {@link MAX_BATCH_CHARS}): rows written before batching,
 * or without it, read as before.
 */
import type { EventType, HistoryEvent } from "../history/events";
import type { EventRow } from "./history-pages";

export const BATCH_TYPE = "Batch";

/** A row of the `events` table: one event, or a batch of them. */
export type StoredRow = Omit<EventRow, "event_type"> & {
  event_type: EventType | typeof BATCH_TYPE;
};

/**
 * Above this many characters together, events get a row each: SQLite refuses a value over 2 MB,
 * and one event may come close to that alone (a payload up to the limit, then encoded at rest).
 * 128 Ki characters stay under 2 MB even as 3-byte UTF-8 then base64 of an encryption envelope.
 */
export const MAX_BATCH_CHARS = 128 * 1024;

/** What to write for a transition's events: one row, or (null) a row per event. */
export function batchOf(
  events: readonly HistoryEvent[],
  texts: readonly string[],
): (Omit<EventRow, "event_type"> & { event_type: typeof BATCH_TYPE }) | null {
  if (events.length < 2) return null;
  const first = events[0]!;
  let chars = 0;
  for (const t of texts) chars += t.length;
  if (chars > MAX_BATCH_CHARS) return null;
  // One transition stamps one task id on all its events; anything else keeps a row per event.
  if (events.some((e) => e.taskId !== first.taskId)) return null;
  const header = events.map((e, i) => [e.eventType, e.timestampMs, texts[i]!.length]);
  return {
    event_id: events[events.length - 1]!.eventId,
    task_id: first.taskId,
    event_type: BATCH_TYPE,
    ts_ms: first.timestampMs,
    attributes: `${JSON.stringify(header)}\n${texts.join("")}`,
  };
}

/** The events a stored row holds: itself, or a batch's, ids counted back from its last. */
export function expandRow(row: StoredRow): EventRow[] {
  if (row.event_type !== BATCH_TYPE) return [row as EventRow];
  const text = row.attributes;
  const nl = text.indexOf("\n");
  const header = JSON.parse(text.slice(0, nl)) as Array<[EventType, number, number]>;
  const first = row.event_id - header.length + 1;
  let at = nl + 1;
  return header.map(([type, ts, length], i) => {
    const attributes = text.slice(at, at + length);
    at += length;
    return { event_id: first + i, task_id: row.task_id, event_type: type, ts_ms: ts, attributes };
  });
}

/** The events of `rows` (in order) with an id after `afterId`, expanded lazily. */
export function* eventsAfter(rows: Iterable<StoredRow>, afterId: number): Generator<EventRow> {
  for (const row of rows) {
    if (row.event_type !== BATCH_TYPE) {
      if (row.event_id > afterId) yield row as EventRow;
      continue;
    }
    for (const e of expandRow(row)) if (e.event_id > afterId) yield e;
  }
}
