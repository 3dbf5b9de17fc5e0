/**
 * @module Test-only crash-point injection: makes a Durable Object fail at a named point of a
 * transition, as a real crash would (the call throws and the object forgets its in-memory state, so
 * recovery runs the cold path from SQLite), so tests can prove the engine recovers from each point.
 *
 * Armed only through `unsafeCrashAt` (SUNDIAL_UNSAFE=1). Arms live at module scope, keyed by the
 * object's id, so they survive the reset they cause (and test-driven evictions). While nothing is
 * armed, a call site costs one `Map.size` read: no await, no allocation.
 */

/** Where a transition can crash. */
export const CRASH_POINTS = [
  /** Inside the commit's transaction: everything the transition wrote rolls back. */
  "beforeCommit",
  /** Committed, before the alarm is re-armed and before any outbox row is sent. */
  "afterCommit",
  /** An outbox message was sent (queue send, RPC, visibility upsert); its deletion is not recorded. */
  "afterDelivery",
  /** In `alarm()`, right after the next alarm was armed. */
  "alarmAfterRearm",
] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

/** What a transition does, read from the events it records (or named by the call site). */
export const TRANSITION_KINDS = [
  "start",
  "activitySchedule",
  "activityStart",
  "activityComplete",
  "activityFail",
  "activityTimeout",
  "timer",
  "signal",
  "update",
  "cancel",
  "terminate",
  "childStart",
  "childClose",
  "continueAsNew",
  "visibility",
] as const;
export type TransitionKind = (typeof TRANSITION_KINDS)[number];

const KIND_OF_EVENT: Readonly<Record<string, TransitionKind>> = {
  WorkflowExecutionStarted: "start",
  ActivityTaskScheduled: "activitySchedule",
  ActivityTaskCompleted: "activityComplete",
  ActivityTaskFailed: "activityFail",
  ActivityTaskTimedOut: "activityTimeout",
  TimerFired: "timer",
  WorkflowExecutionSignaled: "signal",
  WorkflowExecutionUpdateAccepted: "update",
  WorkflowExecutionUpdateCompleted: "update",
  WorkflowExecutionCancelRequested: "cancel",
  WorkflowExecutionTerminated: "terminate",
  StartChildWorkflowExecutionInitiated: "childStart",
  ChildWorkflowExecutionStarted: "childStart",
  ChildWorkflowExecutionCompleted: "childClose",
  ChildWorkflowExecutionFailed: "childClose",
  ChildWorkflowExecutionCanceled: "childClose",
  ChildWorkflowExecutionTerminated: "childClose",
  ChildWorkflowExecutionTimedOut: "childClose",
  WorkflowExecutionContinuedAsNew: "continueAsNew",
  UpsertWorkflowSearchAttributes: "visibility",
};

/** The kind of an outbox message being delivered (`afterDelivery`). */
export function messageKind(kind: string, op?: string): TransitionKind | undefined {
  if (kind === "activity") return "activitySchedule";
  if (kind === "visibility") return "visibility";
  switch (op) {
    case "startChild":
      return "childStart";
    case "childClosed":
      return "childClose";
    case "signal":
      return "signal";
    case "cancel":
      return "cancel";
    case "terminate":
      return "terminate";
    default:
      return undefined;
  }
}

export interface CrashArmOptions {
  /** Only a transition of this kind; any transition when absent. */
  kind?: TransitionKind;
  /** How many times it fires (default 1). */
  times?: number;
}

interface Arm {
  point: CrashPoint;
  kind: TransitionKind | undefined;
  remaining: number;
  /**
   * `afterDelivery` and `alarmAfterRearm` fire at the first delivery / alarm once a transition of
   * `kind` has committed (or at a delivered message of that kind).
   */
  primed: boolean;
  /** Drops the arming object's in-memory state. */
  forget: () => void;
}

const arms = new Map<string, Arm[]>();
const fired = new Map<string, string[]>();

/** Arms a crash for the object `id`. Throws a clear error on a bad point, kind or count. */
export function armCrash(
  id: string,
  point: CrashPoint,
  options: CrashArmOptions,
  forget: () => void,
): void {
  if (!CRASH_POINTS.includes(point)) {
    throw new Error(`unknown crash point "${point}" (one of ${CRASH_POINTS.join(", ")})`);
  }
  if (options.kind !== undefined && !TRANSITION_KINDS.includes(options.kind)) {
    throw new Error(`unknown transition kind "${options.kind}"`);
  }
  const times = options.times ?? 1;
  if (!Number.isInteger(times) || times < 1) throw new Error("times must be a positive integer");
  const list = arms.get(id) ?? [];
  list.push({ point, kind: options.kind, remaining: times, primed: false, forget });
  arms.set(id, list);
}

/** The crashes that fired in object `id` so far ("point:kind" each), and whether arms are left. */
export function crashesOf(id: string): { fired: string[]; armed: number } {
  return { fired: [...(fired.get(id) ?? [])], armed: arms.get(id)?.length ?? 0 };
}

type Transition = readonly { eventType: string }[] | TransitionKind;

function kindsOf(what: Transition | undefined): Set<TransitionKind> {
  if (what === undefined) return new Set();
  if (typeof what === "string") return new Set([what]);
  const kinds = new Set<TransitionKind>();
  for (const e of what) {
    const kind = KIND_OF_EVENT[e.eventType];
    if (kind) kinds.add(kind);
  }
  return kinds;
}

/**
 * A named point of a transition. `what` is the transition's events (or its kind); for
 * `afterDelivery` the kind of the delivered message. Crashes when an arm matches.
 */
export function crashPoint(ctx: DurableObjectState, point: CrashPoint, what?: Transition): void {
  if (arms.size === 0) return;
  const id = ctx.id.toString();
  const list = arms.get(id);
  if (!list) return;
  const kinds = kindsOf(what);
  const matches = (arm: Arm) => arm.kind === undefined || kinds.has(arm.kind);
  if (point === "afterCommit") {
    for (const arm of list) {
      if ((arm.point === "afterDelivery" || arm.point === "alarmAfterRearm") && matches(arm)) {
        arm.primed = true;
      }
    }
  }
  const arm = list.find((a) => a.point === point && (a.primed || matches(a)));
  if (!arm) return;
  arm.remaining -= 1;
  if (arm.remaining <= 0) list.splice(list.indexOf(arm), 1);
  if (list.length === 0) arms.delete(id);
  const label = `${point}:${arm.kind ?? "any"}`;
  fired.set(id, [...(fired.get(id) ?? []), label]);
  // A real crash also loses memory: the object forgets its warm runtime and what it knows of its
  // alarm, so recovery replays from SQLite. (Not ctx.abort(): it also drops this turn's unconfirmed
  // writes, turning every point into "before commit", and aborted objects kept vitest from exiting.)
  arm.forget();
  throw new CrashPointError(`sundial test crash at ${label}`);
}

/** What a fired crash point throws. */
export class CrashPointError extends Error {
  override readonly name = "CrashPointError";
}
