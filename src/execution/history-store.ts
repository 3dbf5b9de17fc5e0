/**
 * @module The `events` table: appending a transition's events (waking live readers), numbering them,
 * and the reads the engine itself needs. Synchronous, composed inside the caller's transaction.
 */
import type { EventAttributes, HistoryEvent, NewEvent } from "../history/events";
import { batchOf, expandRow, type StoredRow } from "./event-batches";
import { type EventRow, type PageBounds, readEventPage, readParsedPage } from "./history-pages";
import type { BatchRest, DecodedPage } from "./replay-decode";
import type { RunRow } from "./rows";

/** Numbers `events` after the run's history, all with the run's next task id and `nowMs`. Pure. */
export function assignIds(
  run: Pick<RunRow, "history_length" | "next_task_id">,
  events: NewEvent[],
  nowMs: number,
  firstId = run.history_length + 1,
): HistoryEvent[] {
  return events.map(
    (e, i) =>
      ({
        ...e,
        eventId: firstId + i,
        taskId: run.next_task_id,
        timestampMs: nowMs,
      }) as HistoryEvent,
  );
}

export class HistoryStore {
  constructor(
    private readonly sql: SqlStorage,
    /** Called inside the appending transaction (live readers re-read once it committed). */
    private readonly appended: () => void,
  ) {}

  insert(runId: string, events: readonly HistoryEvent[]): void {
    const texts = events.map((e) => JSON.stringify(e.attributes));
    // One row for the transition's events when they fit (event-batches.ts): one row written, not one per event.
    const batch = batchOf(events, texts);
    const rows: StoredRow[] = batch
      ? [batch]
      : events.map((e, i) => ({
          event_id: e.eventId,
          task_id: e.taskId,
          event_type: e.eventType,
          ts_ms: e.timestampMs,
          attributes: texts[i]!,
        }));
    for (const r of rows) {
      this.sql.exec(
        "INSERT INTO events (run_id, event_id, task_id, event_type, ts_ms, attributes) VALUES (?, ?, ?, ?, ?, ?)",
        runId,
        r.event_id,
        r.task_id,
        r.event_type,
        r.ts_ms,
        r.attributes,
      );
    }
    // Inside the appending transaction: a woken reader re-reads only after it committed (or rolled back).
    this.appended();
  }

  page(runId: string, after: number, bounds: PageBounds): EventRow[] {
    return readEventPage(this.sql, runId, after, bounds);
  }

  /** Replay's page: events after `after` and up to `upTo`, parsed (`rest`: see readParsedPage). */
  replayPage(
    runId: string,
    after: number,
    upTo: number,
    bounds: PageBounds,
    rest?: BatchRest,
  ): DecodedPage {
    return readParsedPage(this.sql, runId, after, upTo, bounds, rest);
  }

  /** The run's WorkflowExecutionStarted attributes: from `events` if it is among them, else stored. */
  startedAttributes(
    runId: string,
    events: readonly HistoryEvent[] = [],
  ): EventAttributes["WorkflowExecutionStarted"] {
    const first = events.find((e) => e.eventType === "WorkflowExecutionStarted");
    if (first?.eventType === "WorkflowExecutionStarted") return first.attributes;
    // The run's first row: event 1 alone, or the batch that begins with it.
    const row = this.sql
      .exec<StoredRow>(
        "SELECT event_id, task_id, event_type, ts_ms, attributes FROM events WHERE run_id = ? ORDER BY event_id LIMIT 1",
        runId,
      )
      .one();
    const started = expandRow(row)[0]!;
    return JSON.parse(started.attributes) as EventAttributes["WorkflowExecutionStarted"];
  }

  /** The reason recorded on the run's WorkflowExecutionTerminated, if any. */
  terminationReason(runId: string): string | undefined {
    // Termination closes the run: its event is the last (alone, or at the end of a batch).
    const row = this.sql
      .exec<StoredRow>(
        "SELECT event_id, task_id, event_type, ts_ms, attributes FROM events WHERE run_id = ? ORDER BY event_id DESC LIMIT 1",
        runId,
      )
      .toArray()[0];
    const ev = row
      ? expandRow(row).find((e) => e.event_type === "WorkflowExecutionTerminated")
      : undefined;
    return ev ? (JSON.parse(ev.attributes) as { reason: string }).reason : undefined;
  }
}
