/**
 * @module A simulated engine for property-based replay tests. {@link simulate} plays the
 * engine's transition (src/execution/transition.ts) task after task (as `drive` in
 * history-builder.ts does) while an environment, steered by a {@link Schedule} of generated
 * choices, answers the recorded commands (activities complete, fail, time out or are cancelled;
 * timers fire; children start and close; external signals land) and delivers outside messages
 * (signals, updates through the validator, cancellation) in a generated interleaving. At the tasks listed in `evictAt` the warm runtime is
 * dropped and a fresh one replays the history so far, as the engine does after an eviction.
 *
 * The environment decides only from the history and the choices, never from the runtime, so two
 * runs of one case record the same history unless warm and cold runtimes behave differently.
 */
import fc from "fast-check";
import { ApplicationFailure, type FailureInfo, toFailure } from "../../../sdk/common/failures";
import type { HistoryEvent, NewEvent } from "../../../src/history/events";
import { newEvent } from "../../../src/history/events";
import { CLOSE_COMMANDS, type Command, commandEvent } from "../../../src/replay/commands";
import { UpdateRejectedError, WorkflowRuntime } from "../../../src/replay/runtime";
import { replay, runtimeInfo, startedAttributes, T0 } from "./history-builder";
import { interpreter, localActivities, type Program } from "./replay-program";

/** A message from outside the execution (API requests), delivered in order at generated points. */
export type Message =
  | { kind: "inc"; by: number }
  | { kind: "go"; value: string }
  | { kind: "update"; by: number }
  | { kind: "cancel" };

export interface Schedule {
  /** Generated decisions (which events come next, which outcome), read in a cycle. */
  choices: number[];
  messages: Message[];
  /** The engine's local activities per task (small here, to split tasks often). */
  localBudget: number;
  /** Signal-with-start: a first message that is a signal comes in the start's task. */
  withStart?: boolean;
}

export interface SimResult {
  history: HistoryEvent[];
  /** Per task: the answer of the "state" query and any update rejection (warm and cold must agree). */
  trace: string[];
  /** How the run ended: closed, blocked (nothing left that could wake it), or the task error. */
  end: string;
  /** How many times local activity code ran (replay must never run it again). */
  localRuns: number;
  /** The runtime at the end (warm, or the last one replayed). */
  runtime: WorkflowRuntime;
}

type Item =
  | { kind: "activity"; seq: number; cancelRequested: boolean }
  | { kind: "timer"; seq: number; fireAtMs: number }
  | { kind: "childStart"; seq: number; workflowId: string }
  | { kind: "childClose"; seq: number }
  | { kind: "external"; seq: number; what: "signal" | "cancel" }
  | { kind: "message"; index: number };

const message: fc.Arbitrary<Message> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("inc" as const), by: fc.integer({ min: 1, max: 3 }) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("go" as const), value: fc.constantFrom("a", "b") }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("update" as const),
      by: fc.integer({ min: -1, max: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant<Message>({ kind: "cancel" }) },
);

/** Interleavings: choices, outside messages and the local-activity budget of a task. */
export function scheduleArbitrary(): fc.Arbitrary<Schedule> {
  return fc.record({
    choices: fc.array(fc.nat({ max: 1000 }), { maxLength: 40 }),
    messages: fc.array(message, { maxLength: 8 }),
    localBudget: fc.integer({ min: 1, max: 3 }),
    withStart: fc.boolean(),
  });
}

const MAX_TASKS = 300;

/** `evictAt` for a run replayed cold before every task. */
export const EVERY_TASK: ReadonlySet<number> = new Set(
  Array.from({ length: MAX_TASKS }, (_, i) => i + 2),
);

/** Strips failure stacks: they name call sites, which differ between a warm and a replaying runtime. */
export function withoutStacksDeep<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (k, v: unknown) => (k === "stack" ? undefined : v)));
}

function failure(message: string, type: string): FailureInfo {
  const { stack: _stack, ...info } = toFailure(ApplicationFailure.retryable(message, type));
  return info;
}

export async function simulate(
  program: Program,
  schedule: Schedule,
  evictAt: ReadonlySet<number>,
): Promise<SimResult> {
  const history: HistoryEvent[] = [];
  const trace: string[] = [];
  const items: Item[] = [];
  let cursor = 0;
  let nextMessage = 0;
  let localRuns = 0;
  const choose = (n: number): number => {
    const { choices } = schedule;
    const c = choices.length === 0 ? 0 : choices[cursor++ % choices.length]!;
    return n <= 1 ? 0 : c % n;
  };
  let taskId = 1;
  let nowMs = T0;
  const assignIds = (events: readonly NewEvent[]): HistoryEvent[] =>
    events.map(
      (e, i) =>
        ({ ...e, eventId: history.length + i + 1, taskId, timestampMs: nowMs }) as HistoryEvent,
    );

  const startEvents: NewEvent[] = [
    newEvent(
      "WorkflowExecutionStarted",
      startedAttributes(interpreter.name, { input: JSON.stringify(program), randomSeed: 7 }),
    ),
  ];
  const first = schedule.messages[0];
  if (schedule.withStart && (first?.kind === "inc" || first?.kind === "go")) {
    startEvents.push(...deliver({ kind: "message", index: 0 }));
  }
  let inputs = assignIds(startEvents);
  let runtime = new WorkflowRuntime(interpreter, runtimeInfo(inputs));
  const record = async (cmd: Command): Promise<NewEvent> => {
    if (cmd.type !== "RunLocalActivity") return commandEvent(cmd, nowMs, "continued-run");
    localRuns += 1;
    const base = { seq: cmd.seq, markerName: "LocalActivity" as const, attempt: 1 };
    const fn = localActivities[cmd.activityType as keyof typeof localActivities];
    try {
      const result = JSON.stringify((await fn(JSON.parse(cmd.input))) ?? null);
      return newEvent("MarkerRecorded", { ...base, activityType: cmd.activityType, result });
    } catch (err) {
      const { stack: _s, ...info } = toFailure(err);
      return newEvent("MarkerRecorded", { ...base, activityType: cmd.activityType, failure: info });
    }
  };
  const track = (cmd: Command): void => {
    switch (cmd.type) {
      case "ScheduleActivity":
        items.push({ kind: "activity", seq: cmd.seq, cancelRequested: false });
        return;
      case "RequestCancelActivity":
        for (const it of items) {
          if (it.kind === "activity" && it.seq === cmd.seq) it.cancelRequested = true;
        }
        return;
      case "StartTimer":
        items.push({ kind: "timer", seq: cmd.seq, fireAtMs: nowMs + cmd.durationMs });
        return;
      case "CancelTimer": {
        const i = items.findIndex((it) => it.kind === "timer" && it.seq === cmd.seq);
        if (i >= 0) items.splice(i, 1);
        return;
      }
      case "StartChild":
        items.push({ kind: "childStart", seq: cmd.seq, workflowId: cmd.workflowId });
        return;
      case "SignalExternal":
        items.push({ kind: "external", seq: cmd.seq, what: "signal" });
        return;
      case "CancelExternal":
        items.push({ kind: "external", seq: cmd.seq, what: "cancel" });
        return;
      default:
        return;
    }
  };

  let continueNow = false;
  for (;;) {
    history.push(...inputs);
    let localBudget = schedule.localBudget;
    continueNow = false;
    try {
      await runtime.applyTask(inputs);
      while (runtime.unmatched.length > 0) {
        const issued = [...runtime.unmatched];
        if (localBudget <= 0 && issued.every((c) => c.type === "RunLocalActivity")) {
          continueNow = true;
          break;
        }
        const events: NewEvent[] = [];
        for (const cmd of issued) events.push(await record(cmd));
        const recorded = assignIds(events);
        localBudget -= issued.filter((c) => c.type === "RunLocalActivity").length;
        history.push(...recorded);
        for (const cmd of issued) track(cmd);
        await runtime.applyTask(recorded);
        if (issued.some((c) => CLOSE_COMMANDS.has(c.type))) break;
      }
    } catch (err) {
      return { history, trace, end: `task error: ${String(err)}`, localRuns, runtime };
    }
    trace.push(`${taskId}:${JSON.stringify(runtime.query("state", null))}`);
    if (runtime.closed) return { history, trace, end: "closed", localRuns, runtime };
    if (taskId >= MAX_TASKS) return { history, trace, end: "too many tasks", localRuns, runtime };

    // The next task.
    taskId += 1;
    nowMs += 1000;
    if (evictAt.has(taskId)) {
      // The engine drops its cached runtime and replays; the state must not change (a warm run
      // has no such entry, so any difference shows up as a trace mismatch).
      const before = JSON.stringify(runtime.query("state", null));
      runtime = await replay(interpreter, history);
      const after = JSON.stringify(runtime.query("state", null));
      if (after !== before) trace.push(`${taskId}:replayed state ${after} != warm ${before}`);
      if (!continueNow && runtime.unmatched.length > 0) {
        trace.push(`${taskId}:replay left ${JSON.stringify(runtime.unmatched)} unmatched`);
      }
    }
    if (continueNow) {
      inputs = [];
      continue;
    }
    let next: NewEvent[] | undefined;
    while (next === undefined) {
      const earliest = Math.min(
        ...items.flatMap((it) => (it.kind === "timer" ? [it.fireAtMs] : [])),
      );
      const avail: Item[] = items.filter((it) => it.kind !== "timer" || it.fireAtMs === earliest);
      if (nextMessage < schedule.messages.length)
        avail.push({ kind: "message", index: nextMessage });
      if (avail.length === 0) return { history, trace, end: "blocked", localRuns, runtime };
      const first = avail[choose(avail.length)]!;
      const message = first.kind === "message" ? schedule.messages[first.index]! : undefined;
      if (message?.kind === "update") {
        // An update is its own transition, after the validator accepted it on the current runtime.
        nextMessage += 1;
        try {
          runtime.validateUpdate("add", message.by);
        } catch (err) {
          if (!(err instanceof UpdateRejectedError)) throw err;
          trace.push(`${taskId}:rejected ${err.message}`);
          continue;
        }
        next = [
          newEvent("WorkflowExecutionUpdateAccepted", {
            updateId: `u${first.kind === "message" ? first.index : 0}`,
            updateName: "add",
            input: JSON.stringify(message.by),
          }),
        ];
        break;
      }
      const picked = [first];
      const more = choose(Math.min(3, avail.length));
      for (let i = 0; i < more; i++) {
        const rest = avail.filter(
          (it) =>
            !picked.includes(it) &&
            !(it.kind === "message" && schedule.messages[it.index]?.kind === "update"),
        );
        if (rest.length === 0) break;
        picked.push(rest[choose(rest.length)]!);
      }
      next = picked.flatMap((it) => deliver(it));
    }
    inputs = assignIds(next);
  }

  /** The events that end (or advance) a pending item; removes or replaces it in `items`. */
  function deliver(it: Item): NewEvent[] {
    const i = items.indexOf(it);
    if (i >= 0) items.splice(i, 1);
    switch (it.kind) {
      case "message": {
        nextMessage = it.index + 1;
        const m = schedule.messages[it.index]!;
        if (m.kind === "cancel") return [newEvent("WorkflowExecutionCancelRequested", {})];
        const [signalName, input] =
          m.kind === "go" ? ["go", m.value] : ["inc", m.kind === "inc" ? m.by : 0];
        return [
          newEvent("WorkflowExecutionSignaled", { signalName, input: JSON.stringify(input) }),
        ];
      }
      case "timer":
        nowMs = Math.max(nowMs, it.fireAtMs);
        return [newEvent("TimerFired", { seq: it.seq, timerId: String(it.seq) })];
      case "activity": {
        const { seq } = it;
        const started = newEvent("ActivityTaskStarted", { seq, attempt: 1 });
        // Mostly completions, so that programs run on; a cancelled activity may still complete.
        const outcome = ["ok", "ok", "ok", "ok", "fail", "timeout", "canceled"][
          choose(it.cancelRequested ? 7 : 6)
        ];
        switch (outcome) {
          case "ok":
            return [
              started,
              newEvent("ActivityTaskCompleted", { seq, result: `"r${seq}"`, attempt: 1 }),
            ];
          case "fail":
            return [
              started,
              newEvent("ActivityTaskFailed", {
                seq,
                failure: failure(`activity ${seq} failed`, "Boom"),
                retryState: "MaximumAttemptsReached",
                attempt: 1,
              }),
            ];
          case "timeout":
            return [
              started,
              newEvent("ActivityTaskTimedOut", {
                seq,
                timeoutType: "StartToClose",
                failure: { message: "activity timed out", type: "TimeoutFailure" },
                retryState: "Timeout",
                attempt: 1,
              }),
            ];
          default:
            return [newEvent("ActivityTaskCanceled", { seq })];
        }
      }
      case "childStart": {
        const { seq, workflowId } = it;
        if (choose(6) === 0) {
          return [
            newEvent("StartChildWorkflowExecutionFailed", {
              seq,
              workflowId,
              cause: "WorkflowAlreadyStarted",
            }),
          ];
        }
        items.push({ kind: "childClose", seq });
        return [newEvent("ChildWorkflowExecutionStarted", { seq, workflowId, runId: `kr${seq}` })];
      }
      case "childClose": {
        const { seq } = it;
        switch (choose(8)) {
          case 0:
            return [
              newEvent("ChildWorkflowExecutionFailed", {
                seq,
                failure: failure(`child ${seq} failed`, "KidBoom"),
              }),
            ];
          case 1:
            return [newEvent("ChildWorkflowExecutionCanceled", { seq })];
          case 2:
            return [newEvent("ChildWorkflowExecutionTerminated", { seq })];
          case 3:
            return [newEvent("ChildWorkflowExecutionTimedOut", { seq })];
          default:
            return [newEvent("ChildWorkflowExecutionCompleted", { seq, result: `"k${seq}"` })];
        }
      }
      case "external": {
        const { seq } = it;
        const ok = choose(8) !== 0;
        if (it.what === "signal") {
          return ok
            ? [newEvent("ExternalWorkflowExecutionSignaled", { seq })]
            : [
                newEvent("SignalExternalWorkflowExecutionFailed", {
                  seq,
                  cause: "ExternalWorkflowExecutionNotFound",
                }),
              ];
        }
        return ok
          ? [newEvent("ExternalWorkflowExecutionCancelRequested", { seq })]
          : [
              newEvent("RequestCancelExternalWorkflowExecutionFailed", {
                seq,
                cause: "ExternalWorkflowExecutionNotFound",
              }),
            ];
      }
    }
  }
}
