/**
 * @module Small pure pieces of the replay runtime's inner loops (runtime.ts): the one pass over a
 * task before its code runs, and the check of waiting conditions.
 */
import { type HistoryEvent, INPUT_EVENT_TYPES } from "../history/events";

const NO_PATCHES: ReadonlySet<string> = new Set();

/**
 * One pass over a task before any code runs (patched() reads its patch ids), which also picks out
 * its inputs: a replayed task can hold thousands of markers and one input. No allocation for the
 * patch ids of a task without any.
 */
export function scanTask(events: readonly HistoryEvent[]): {
  patches: ReadonlySet<string>;
  inputs: HistoryEvent[];
} {
  let patches: Set<string> | undefined;
  const inputs: HistoryEvent[] = [];
  for (const e of events) {
    if (e.eventType === "MarkerRecorded") {
      if (e.attributes.markerName === "Patch") {
        patches ??= new Set();
        patches.add(e.attributes.patchId);
      }
    } else if (INPUT_EVENT_TYPES.has(e.eventType)) inputs.push(e);
  }
  return { patches: patches ?? NO_PATCHES, inputs };
}

export interface Condition {
  fn: () => boolean;
  done: (ok: boolean) => void;
}

/**
 * Resolves the conditions that now hold; whether any did. `run` evaluates a predicate (in the
 * workflow's context); a predicate that throws is handed to `fail` and ends the check.
 */
export function checkConditions(
  conditions: readonly Condition[],
  run: (fn: () => boolean) => boolean,
  fail: (err: unknown) => void,
): boolean {
  if (conditions.length === 0) return false;
  let any = false;
  for (const c of [...conditions]) {
    let ok: boolean;
    try {
      ok = run(c.fn);
    } catch (err) {
      fail(err);
      return false;
    }
    if (ok) {
      c.done(true);
      any = true;
    }
  }
  return any;
}

/** A deprecated patch's marker: it may stay in old histories after the call is removed. */
export function isDeprecatedPatch(ev: HistoryEvent): boolean {
  return (
    ev.eventType === "MarkerRecorded" &&
    ev.attributes.markerName === "Patch" &&
    Boolean(ev.attributes.deprecated)
  );
}
