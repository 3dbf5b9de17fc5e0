/**
 * @module Replay-check in plain Node: a recorded history against the current workflow code, with the
 * engine's own replay runtime (src/replay) and no workerd, as Temporal's `Worker.runReplayHistory`.
 * A divergence throws {@link DeterminismViolationError}, which shows the recorded event and the
 * command the code issued side by side, and where in the workflow's source the code issued it.
 */
import type { WorkflowDefinition } from "../../sdk/workflow/index";
import type { HistoryEvent } from "../history/events";
import { type Command, describeCommand, describeEvent } from "../replay/commands";
import {
  type Divergence,
  NonDeterminismError,
  WorkflowRuntime,
  WorkflowTaskError,
} from "../replay/runtime";
import { type HistoryInput, type ParsedHistory, parseHistory } from "./wire-history";

export type { HistoryFixture, HistoryInput } from "./wire-history";
export { HistoryFormatError } from "./wire-history";

// biome-ignore lint/suspicious/noExplicitAny: workflows of every input and result type
type AnyDefinition = WorkflowDefinition<any, any>;

/**
 * The workflows to replay against: an array of definitions, or a module's exports (`import * as
 * workflows from "./workflows"`), whose definitions are picked out and the rest ignored.
 */
export type WorkflowSet = readonly AnyDefinition[] | Readonly<Record<string, unknown>>;

/** Who replayed: the run the history is of. */
export interface ReplayedRun {
  workflowId: string;
  runId: string;
  workflowType: string;
}

/** The current code issues, at some point of a recorded history, something else than it recorded. */
export class DeterminismViolationError extends Error {
  override name = "DeterminismViolationError";
  constructor(
    message: string,
    readonly run: ReplayedRun,
    /** The first divergence: the event recorded there and the command the code issued. */
    readonly divergence: {
      eventId: number | null;
      expected: string;
      produced: string;
      commandIndex: number;
      /** "file:line:column" of the workflow code that issued `produced`, when known. */
      source: string | null;
    },
  ) {
    super(message);
  }
}

/** Replay could not run the code to the end of the history (workflow code threw, unknown type). */
export class ReplayFailedError extends Error {
  override name = "ReplayFailedError";
  constructor(
    message: string,
    readonly run: ReplayedRun,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The outcome of replaying one history (see {@link replayHistories}). */
export interface ReplayResult extends ReplayedRun {
  ok: boolean;
  error?: DeterminismViolationError | ReplayFailedError | Error;
}

function isDefinition(value: unknown): value is AnyDefinition {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as AnyDefinition).name === "string" &&
    typeof (value as AnyDefinition).run === "function"
  );
}

/** The definitions of `workflows` by type name (a module's arrays of definitions are read too). */
export function workflowsByName(workflows: WorkflowSet): Map<string, AnyDefinition> {
  const found = new Map<string, AnyDefinition>();
  const add = (value: unknown) => {
    if (isDefinition(value)) found.set(value.name, value);
    else if (Array.isArray(value)) for (const v of value) if (isDefinition(v)) found.set(v.name, v);
  };
  if (Array.isArray(workflows)) add(workflows);
  else for (const value of Object.values(workflows)) add(value);
  return found;
}

/** Frames of these files are Sundial's own: the source position is the first frame outside them. */
const INTERNAL_FRAME =
  /[\\/](src[\\/](replay|testing)|sdk[\\/](workflow|common))[\\/]|node:internal|[\\/]node_modules[\\/]sundial[\\/]/;

/** The first stack frame of workflow code ("path:line:column"), from a stack taken at a command. */
export function sourcePosition(stack: string | undefined): string | null {
  if (!stack) return null;
  for (const line of stack.split("\n").slice(1)) {
    const frame = line.trim();
    if (!frame.startsWith("at ") || INTERNAL_FRAME.test(frame)) continue;
    const inParens = /\((.*)\)$/.exec(frame);
    const where = (inParens ? inParens[1]! : frame.slice(3)).replace(/^file:\/\//, "");
    // Only a frame with a place in a file ("new Promise (<anonymous>)" has none).
    if (/:\d+:\d+$/.test(where)) return where;
  }
  return null;
}

function describeProduced(command: Command | undefined): string {
  return command ? describeCommand(command) : "no command";
}

function describeExpected(event: HistoryEvent | undefined): string {
  return event ? describeEvent(event) : "no command event";
}

function violation(history: ParsedHistory, run: ReplayedRun, d: Divergence) {
  const source = sourcePosition(d.source);
  const expected = describeExpected(d.event);
  const produced = describeProduced(d.command);
  const width = Math.max(expected.length, 8);
  const message = [
    `Workflow ${run.workflowId} (type ${run.workflowType}, run ${run.runId}) diverges from its history at event #${d.event?.eventId ?? history.events.length}, command ${d.commandIndex}:`,
    `  ${"expected (history)".padEnd(20)} ${expected.padEnd(width)}`,
    `  ${"produced (code)".padEnd(20)} ${produced}${source ? `   at ${source}` : ""}`,
    "Code changed while executions were running? Guard the change with ctx.patched() (see the README's Versioning).",
  ].join("\n");
  return new DeterminismViolationError(message, run, {
    eventId: d.event?.eventId ?? null,
    expected,
    produced,
    commandIndex: d.commandIndex,
    source,
  });
}

/**
 * Replays one recorded history against `workflows` in this process (Node or workerd; no engine, no
 * storage). Resolves when the code issues, task by task, exactly the commands the history recorded.
 * Commands the code issues after the last recorded one are not a divergence: the engine records
 * them at the execution's next activation.
 * @throws {@link DeterminismViolationError} at the first command that differs from the history.
 * @throws {@link ReplayFailedError} when the code throws during replay or its type is not in `workflows`.
 * @throws {@link HistoryFormatError} when `history` is not a history.
 * @example
 * import history from "./fixtures/approval-1.json";
 * await replayHistory([approval], history); // in a Node unit test, before deploying a change
 */
export async function replayHistory(
  workflows: WorkflowSet,
  history: HistoryInput,
): Promise<ReplayedRun> {
  const parsed = parseHistory(history);
  const run: ReplayedRun = {
    workflowId: parsed.workflowId,
    runId: parsed.runId,
    workflowType: parsed.workflowType,
  };
  const definition = workflowsByName(workflows).get(parsed.workflowType);
  if (!definition) {
    throw new ReplayFailedError(
      `Workflow type "${parsed.workflowType}" (of ${run.workflowId}) is not among the workflows given to replay`,
      run,
    );
  }
  const start = parsed.events[0]!;
  if (start.eventType !== "WorkflowExecutionStarted") throw new Error("unreachable");
  const runtime = new WorkflowRuntime(definition, {
    namespace: parsed.namespace,
    workflowId: parsed.workflowId,
    runId: parsed.runId,
    startTimeMs: start.timestampMs,
    // The wire form hides the seed: 0 unless the fixture kept it.
    started: { ...start.attributes, randomSeed: start.attributes.randomSeed ?? 0 },
    captureSources: true,
  });
  // The workflow frame may sit under several of Sundial's own (context, runtime, scopes).
  const errors = Error as { stackTraceLimit?: number };
  const limit = errors.stackTraceLimit;
  errors.stackTraceLimit = Math.max(limit ?? 10, 50);
  try {
    for (const task of parsed.tasks) await runtime.applyTask(task, true);
  } catch (err) {
    if (err instanceof NonDeterminismError && err.divergence) {
      throw violation(parsed, run, err.divergence);
    }
    const thrown = err instanceof WorkflowTaskError && err.cause !== undefined ? err.cause : err;
    const what = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
    throw new ReplayFailedError(
      `Workflow ${run.workflowId} (type ${run.workflowType}, run ${run.runId}) failed in replay: ${what}`,
      run,
      { cause: thrown },
    );
  } finally {
    errors.stackTraceLimit = limit;
  }
  return run;
}

/**
 * Replays each history (see {@link replayHistory}) and reports each outcome; never throws for a
 * divergence, so one run of a check lists every execution that would break.
 */
export async function replayHistories(
  workflows: WorkflowSet,
  histories: Iterable<HistoryInput> | AsyncIterable<HistoryInput>,
): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  for await (const history of histories) {
    try {
      results.push({ ...(await replayHistory(workflows, history)), ok: true });
    } catch (err) {
      const run =
        err instanceof DeterminismViolationError || err instanceof ReplayFailedError
          ? err.run
          : identityOf(history);
      results.push({
        ...run,
        ok: false,
        error: err instanceof Error ? err : new Error(String(err)),
      });
    }
  }
  return results;
}

function identityOf(history: HistoryInput): ReplayedRun {
  const meta = Array.isArray(history) ? {} : (history as { workflowId?: string; runId?: string });
  return { workflowId: meta.workflowId ?? "?", runId: meta.runId ?? "?", workflowType: "?" };
}
