/**
 * @module The `events` table: appending a transition's events (waking live readers), numbering them,
 * and the reads the engine itself needs. Synchronous, composed inside the caller's transaction.
 */
import type { EventAttributes, HistoryEvent, NewEvent } from "../history/events";
import {
  type EventRow,
  type PageBounds,
  type ParsedPage,
  readEventPage,
  readParsedPage,
} from "./history-pages";
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
    for (const e of events) {
      this.sql.exec(
        "INSERT INTO events (run_id, event_id, task_id, event_type, ts_ms, attributes) VALUES (?, ?, ?, ?, ?, ?)",
        runId,
        e.eventId,
        e.taskId,
        e.eventType,
        e.timestampMs,
        JSON.stringify(e.attributes),
      );
    }
    // Inside the appending transaction: a woken reader re-reads only after it committed (or rolled back).
    this.appended();
  }

  page(runId: string, after: number, bounds: PageBounds): EventRow[] {
    return readEventPage(this.sql, runId, after, bounds);
  }

  /** Replay's page: events after `after` and up to `upTo`, parsed. */
  replayPage(runId: string, after: number, upTo: number, bounds: PageBounds): ParsedPage {
    return readParsedPage(this.sql, runId, after, upTo, bounds);
  }

  /** The run's WorkflowExecutionStarted attributes: from `events` if it is among them, else stored. */
  startedAttributes(
    runId: string,
    events: readonly HistoryEvent[] = [],
  ): EventAttributes["WorkflowExecutionStarted"] {
    const first = events.find((e) => e.eventType === "WorkflowExecutionStarted");
    if (first?.eventType === "WorkflowExecutionStarted") return first.attributes;
    const row = this.sql
      .exec<{ attributes: string }>(
        "SELECT attributes FROM events WHERE run_id = ? AND event_id = 1",
        runId,
      )
      .one();
    return JSON.parse(row.attributes) as EventAttributes["WorkflowExecutionStarted"];
  }

  /** The reason recorded on the run's WorkflowExecutionTerminated, if any. */
  terminationReason(runId: string): string | undefined {
    const ev = this.sql
      .exec<{ attributes: string }>(
        "SELECT attributes FROM events WHERE run_id = ? AND event_type = 'WorkflowExecutionTerminated'",
        runId,
      )
      .toArray()[0];
    return ev ? (JSON.parse(ev.attributes) as { reason: string }).reason : undefined;
  }
}
