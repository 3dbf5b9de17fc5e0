/**
 * @module A history as the HTTP API gives it (API.md's wire events: `GET …/history`, all pages, or a
 * fixture written by `sundial history export`) turned back into what the replay runtime reads:
 * stored events grouped into the workflow tasks that recorded them. Pure, runs in Node.
 *
 * The wire form leaves out two things the engine keeps. Payloads (`input`, `result`, `memo`,
 * `searchAttributes`) come as JSON values and are turned back into JSON text. Task ids are not sent,
 * so tasks are rebuilt from what every task looks like: the engine stamps all events of one task
 * with one timestamp, and a task lists its inputs before the commands its code issued (or its
 * WorkflowTaskFailed). A new task starts where the timestamp changes or where an input event follows
 * a command or a task failure. (Two tasks
 * of inputs only, recorded in the same millisecond, are read as one; their inputs then reach the
 * code in one activation.) The run's random seed is not sent either: code whose commands depend on
 * `ctx.random()` / `Math.random()` may not replay from a wire history.
 */
import type { WireEvent } from "../../sdk/common/wire";
import {
  COMMAND_EVENT_TYPES,
  type EventType,
  type HistoryEvent,
  INPUT_EVENT_TYPES,
} from "../history/events";

/**
 * A recorded history: the events of one run (every page of `GET …/history`), a history page
 * (`{events}`), or a fixture (`{workflowId, runId, namespace, events}`, see `sundial history export`).
 */
export type HistoryInput =
  | readonly WireEvent[]
  | {
      events: readonly WireEvent[];
      workflowId?: string;
      runId?: string;
      namespace?: string;
    };

/** What a history fixture holds (`sundial history export` writes it). */
export interface HistoryFixture {
  workflowId: string;
  runId: string;
  namespace: string;
  events: WireEvent[];
}

/** The attributes the wire form splices in as JSON values (src/history/wire.ts): stored as JSON text. */
const PAYLOAD_FIELDS: ReadonlySet<string> = new Set([
  "input",
  "result",
  "memo",
  "searchAttributes",
]);

/** A history that cannot be read (not the wire shape, ids out of order, no start event). */
export class HistoryFormatError extends Error {
  override name = "HistoryFormatError";
}

/** The wire events of `input`, checked for shape. */
export function wireEventsOf(input: HistoryInput): readonly WireEvent[] {
  const events = Array.isArray(input) ? input : (input as { events?: unknown }).events;
  if (!Array.isArray(events)) {
    throw new HistoryFormatError(
      "a history is an array of events or an object with an `events` array (GET …/history, or a `sundial history export` fixture)",
    );
  }
  return events as readonly WireEvent[];
}

/** One wire event as the engine stores it (payloads as JSON text, time in ms). */
export function toHistoryEvent(wire: WireEvent, index: number): HistoryEvent {
  if (
    typeof wire !== "object" ||
    wire === null ||
    typeof wire.eventType !== "string" ||
    typeof wire.eventId !== "number"
  ) {
    throw new HistoryFormatError(
      `event ${index + 1} is not {eventId, eventType, timestamp, attributes}`,
    );
  }
  if (wire.eventId !== index + 1) {
    throw new HistoryFormatError(
      `event ${index + 1} has eventId ${wire.eventId}: a history starts at 1 and goes up by 1 (missing pages?)`,
    );
  }
  const timestampMs = Date.parse(wire.timestamp);
  if (Number.isNaN(timestampMs)) {
    throw new HistoryFormatError(`event ${wire.eventId} has no valid timestamp`);
  }
  const attributes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(wire.attributes ?? {})) {
    attributes[key] =
      PAYLOAD_FIELDS.has(key) && value !== undefined ? JSON.stringify(value) : value;
  }
  return {
    eventId: wire.eventId,
    // Rebuilt by groupTasks; the runtime reads only order and timestamps.
    taskId: 0,
    eventType: wire.eventType as EventType,
    timestampMs,
    attributes,
  } as HistoryEvent;
}

/** The events of a history grouped into the tasks that recorded them (see the module comment). */
export function groupTasks(events: readonly HistoryEvent[]): HistoryEvent[][] {
  const tasks: HistoryEvent[][] = [];
  let current: HistoryEvent[] = [];
  /** Whether the task being read has recorded what its code did (a command, or the task's failure). */
  let concluded = false;
  for (const ev of events) {
    const last = current.at(-1);
    const newTask =
      last !== undefined &&
      (last.timestampMs !== ev.timestampMs || (concluded && INPUT_EVENT_TYPES.has(ev.eventType)));
    if (newTask) {
      tasks.push(current);
      current = [];
      concluded = false;
    }
    if (COMMAND_EVENT_TYPES.has(ev.eventType) || ev.eventType === "WorkflowTaskFailed") {
      concluded = true;
    }
    current.push({ ...ev, taskId: tasks.length + 1 } as HistoryEvent);
  }
  if (current.length > 0) tasks.push(current);
  return tasks;
}

/** A readable history: its identity (where the input names it) and its tasks. */
export interface ParsedHistory {
  workflowId: string;
  runId: string;
  namespace: string;
  workflowType: string;
  events: HistoryEvent[];
  tasks: HistoryEvent[][];
}

/** Reads `input` into tasks; throws {@link HistoryFormatError} on anything that is not a history. */
export function parseHistory(input: HistoryInput): ParsedHistory {
  const events = wireEventsOf(input).map(toHistoryEvent);
  const first = events[0];
  if (first?.eventType !== "WorkflowExecutionStarted") {
    throw new HistoryFormatError("a history starts with WorkflowExecutionStarted");
  }
  const meta: { workflowId?: string; runId?: string; namespace?: string } = Array.isArray(input)
    ? {}
    : (input as Exclude<HistoryInput, readonly WireEvent[]>);
  return {
    workflowId: meta.workflowId ?? "replay",
    runId: meta.runId ?? first.attributes.firstExecutionRunId ?? "replay",
    namespace: meta.namespace ?? "default",
    workflowType: first.attributes.workflowType,
    events,
    tasks: groupTasks(events),
  };
}
