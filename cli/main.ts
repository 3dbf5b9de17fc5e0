/**
 * @module `sundial`: the command line of the Sundial HTTP API (API.md), built on the typed client.
 * Tables for people, `--json` for scripts, and exit codes that tell failures apart (exit-codes.ts).
 */
import { readFile } from "node:fs/promises";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import {
  createClient,
  type FailureInfo,
  type IdConflictPolicy,
  type IdReusePolicy,
  type ResultResponse,
  type StartWorkflowBaseOptions,
  type SundialClient,
  type WireEvent,
  type WorkflowDescription,
  type WorkflowExecutionInfo,
  type WorkflowHandle,
} from "../sdk/client/index";
import { toMs } from "../sdk/common/duration";
import { jsonDepthExceeds, MAX_JSON_DEPTH } from "../sdk/common/json-depth";
import { ExitCode, ExitWith, reportError, UsageError } from "./exit-codes";
import {
  type Cell,
  cell,
  compactJson,
  eventDetails,
  keyValues,
  prettyJson,
  table,
  time,
} from "./output";
import { Progress } from "./progress";

/** Where the CLI talks to unless told otherwise: `npm run dev`'s address. */
export const DEFAULT_ADDRESS = "http://127.0.0.1:8787";

/** The options every command takes (before or after the command's name). */
interface GlobalOptions {
  address: string;
  namespace?: string;
  apiKey?: string;
  json?: boolean;
}

/** What a command needs: the client, the options, the outputs, and the Ctrl-C signal. */
interface Run {
  client: SundialClient;
  global: GlobalOptions;
  signal: AbortSignal;
  /** Writes a line to stdout. */
  out(text: string): void;
  /** Writes a line to stderr. */
  err(text: string): void;
  /** Prints `value` as indented JSON on stdout. */
  json(value: unknown): void;
}

class Interrupted extends Error {
  override name = "Interrupted";
}

/** What the `sundial` launcher (sundial.mjs) tells {@link main}. */
export interface MainOptions {
  /** The package's version, for `--version`. */
  version: string;
}

/**
 * Runs the CLI on `args` (without `node` and the script) and resolves with the exit code.
 * @example process.exitCode = await main(process.argv.slice(2), { version: "0.1.0" });
 */
export async function main(args: string[], options: MainOptions): Promise<number> {
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Interrupted("interrupted"));
  process.once("SIGINT", onSigint);
  const program = buildProgram(controller.signal, options.version);
  try {
    await program.parseAsync(args, { from: "user" });
    return ExitCode.Ok;
  } catch (err) {
    if (err instanceof ExitWith) return err.code;
    // commander has printed its own message (usage error) or the help already.
    if (err instanceof CommanderError) return err.exitCode === 0 ? ExitCode.Ok : ExitCode.BadInput;
    const global = program.opts<GlobalOptions>();
    const report = reportError(err, global.address ?? DEFAULT_ADDRESS);
    if (global.json) process.stdout.write(`${JSON.stringify(report.json, null, 2)}\n`);
    process.stderr.write(`sundial: error: ${report.message}\n`);
    return report.code;
  } finally {
    process.off("SIGINT", onSigint);
  }
}

function buildProgram(signal: AbortSignal, version: string): Command {
  const program = new Command("sundial")
    .description("Operate Sundial workflows over its HTTP API")
    .version(version)
    .addOption(
      new Option("--address <url>", "the engine's base URL")
        .env("SUNDIAL_ADDRESS")
        .default(DEFAULT_ADDRESS),
    )
    .addOption(
      new Option("-n, --namespace <namespace>", "namespace (default: the server's default)").env(
        "SUNDIAL_NAMESPACE",
      ),
    )
    .addOption(
      new Option("--api-key <key>", "API key, sent as Authorization: Bearer").env(
        "SUNDIAL_API_KEY",
      ),
    )
    .option("--json", "print JSON (for scripts) instead of tables")
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText(
      "after",
      `
Exit codes: 0 ok, 1 server error or unreachable, 2 bad input, 3 not found, 4 conflict,
5 unauthorized, 6 workflow closed without completing, 7 workflow still running, 130 interrupted.`,
    );

  const runOf = (command: Command): Run => {
    const global = command.optsWithGlobals<GlobalOptions>();
    const client = createClient({
      baseUrl: global.address,
      ...(global.namespace ? { namespace: global.namespace } : {}),
      ...(global.apiKey ? { apiKey: global.apiKey } : {}),
    });
    return {
      client,
      global,
      signal,
      out: (text) => process.stdout.write(`${text}\n`),
      err: (text) => process.stderr.write(`${text}\n`),
      json: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    };
  };

  const workflow = program
    .command("workflow")
    .alias("wf")
    .description("start, inspect and operate workflow executions");
  addWorkflowCommands(workflow, runOf);
  return program;
}

type RunOf = (command: Command) => Run;

function addWorkflowCommands(workflow: Command, runOf: RunOf): void {
  workflow
    .command("start")
    .description("start a workflow execution")
    .argument("[workflowType]", "the registered workflow type, e.g. loanApplication")
    .option("-t, --type <workflowType>", "the workflow type (instead of the argument)")
    .option("-w, --workflow-id <id>", "the workflow id (default: a new UUID)")
    .option("-i, --input <json>", 'input as JSON, e.g. \'{"applicant": "Ada"}\'')
    .option("--input-file <path>", "read the input JSON from a file (- for stdin)")
    .option("-q, --task-queue <name>", "task queue of its activities")
    .addOption(
      new Option("--id-reuse-policy <policy>", "when a closed run with this id exists").choices([
        "AllowDuplicate",
        "AllowDuplicateFailedOnly",
        "RejectDuplicate",
        "TerminateIfRunning",
      ]),
    )
    .addOption(
      new Option("--id-conflict-policy <policy>", "when a run with this id is running").choices([
        "Fail",
        "UseExisting",
      ]),
    )
    .option("--request-id <id>", "deduplicates retried starts")
    .option("--start-delay <duration>", "delay before the first workflow task, e.g. 10s")
    .option("--execution-timeout <duration>", "deadline of the whole chain of runs")
    .option("--run-timeout <duration>", "deadline of one run")
    .option("--retry-policy <json>", "workflow retry policy, e.g. '{\"maximumAttempts\": 3}'")
    .option("--memo <json>", "memo, a JSON object")
    .option("--search-attributes <json>", "search attributes, a JSON object")
    .option("--signal <name>", "signal-with-start: a signal delivered with the start")
    .option("--signal-input <json>", "input of --signal")
    .option("--wait [duration]", "then wait for the result (at most duration, if given)")
    .action(async (positionalType: string | undefined, opts: StartOptions, command: Command) => {
      const run = runOf(command);
      const workflowType = opts.type ?? positionalType;
      if (!workflowType) throw new UsageError("a workflow type is required: workflow start <type>");
      if (opts.type && positionalType) {
        throw new UsageError(`give the workflow type once (--type or argument), not both`);
      }
      const input = await inputOf(opts);
      const waitMs = opts.wait === undefined ? undefined : waitOption(opts.wait);
      const startOptions: StartWorkflowBaseOptions & { input?: unknown } = {
        ...(opts.workflowId ? { workflowId: opts.workflowId } : {}),
        ...(input !== undefined ? { input } : {}),
        ...(opts.taskQueue ? { taskQueue: opts.taskQueue } : {}),
        ...(opts.idReusePolicy ? { idReusePolicy: opts.idReusePolicy } : {}),
        ...(opts.idConflictPolicy ? { idConflictPolicy: opts.idConflictPolicy } : {}),
        ...(opts.requestId ? { requestId: opts.requestId } : {}),
        ...(opts.startDelay ? { startDelay: opts.startDelay } : {}),
        ...(opts.executionTimeout ? { executionTimeout: opts.executionTimeout } : {}),
        ...(opts.runTimeout ? { runTimeout: opts.runTimeout } : {}),
        ...(opts.retryPolicy
          ? { retryPolicy: jsonObjectOption("--retry-policy", opts.retryPolicy) }
          : {}),
        ...(opts.memo ? { memo: jsonObjectOption("--memo", opts.memo) } : {}),
        ...(opts.searchAttributes
          ? { searchAttributes: jsonObjectOption("--search-attributes", opts.searchAttributes) }
          : {}),
        ...(opts.signal
          ? {
              signalWithStart: {
                name: opts.signal,
                ...(opts.signalInput !== undefined
                  ? { input: jsonOption("--signal-input", opts.signalInput) }
                  : {}),
              },
            }
          : {}),
      };
      if (opts.signalInput !== undefined && !opts.signal) {
        throw new UsageError("--signal-input needs --signal <name>");
      }
      const handle = await run.client.start(workflowType, startOptions);
      const started = {
        workflowId: handle.workflowId,
        runId: handle.runId,
        started: handle.started,
      };
      if (waitMs === undefined) {
        if (run.global.json) run.json(started);
        else printStarted(run, workflowType, started);
        return;
      }
      if (!run.global.json) printStarted(run, workflowType, started);
      const outcome = await awaitResult(run, run.client.getHandle(handle.workflowId), waitMs);
      if (run.global.json) run.json({ ...started, ...outcome });
      else printOutcome(run, handle.workflowId, outcome);
      exitForOutcome(outcome);
    });

  workflow
    .command("describe")
    .description("show a workflow's status, times and pending work")
    .argument("[workflowId]")
    .option("-w, --workflow-id <id>", "the workflow id (instead of the argument)")
    .option("-r, --run-id <runId>", "a specific run (default: the latest)")
    .action(async (id: string | undefined, opts: RunIdOptions, command: Command) => {
      const run = runOf(command);
      const [workflowId] = operands(command, [id], opts.workflowId ? [opts.workflowId] : []);
      const description = await run.client.getHandle(workflowId, opts.runId).describe();
      if (run.global.json) run.json(description);
      else printDescription(run, description);
    });

  workflow
    .command("result")
    .description("show a workflow's result or failure; --wait waits for it to close")
    .argument("[workflowId]")
    .option("-w, --workflow-id <id>", "the workflow id (instead of the argument)")
    .option("-r, --run-id <runId>", "a specific run (default: the latest, across continue-as-new)")
    .option("--wait [duration]", "wait until it closes (at most duration, if given)")
    .action(async (id: string | undefined, opts: ResultCommandOptions, command: Command) => {
      const run = runOf(command);
      const [workflowId] = operands(command, [id], opts.workflowId ? [opts.workflowId] : []);
      const waitMs = opts.wait === undefined ? 0 : waitOption(opts.wait);
      const outcome = await awaitResult(run, run.client.getHandle(workflowId, opts.runId), waitMs);
      if (run.global.json) run.json(outcome);
      else printOutcome(run, workflowId, outcome);
      if (outcome.status === "Running" && !run.global.json) {
        run.err(
          waitMs === 0
            ? "still running; pass --wait to wait until it closes"
            : "still running after the wait",
        );
      }
      exitForOutcome(outcome);
    });

  workflow
    .command("history")
    .description("show a workflow's history; --follow streams new events until it closes")
    .argument("[workflowId]")
    .option("-w, --workflow-id <id>", "the workflow id (instead of the argument)")
    .option("-r, --run-id <runId>", "a specific run (default: the latest)")
    .option("--after <eventId>", "only events after this event id", nonNegativeInt)
    .option("-f, --follow", "keep printing events as they happen, until the run closes")
    .action(async (id: string | undefined, opts: HistoryCommandOptions, command: Command) => {
      const run = runOf(command);
      const [workflowId] = operands(command, [id], opts.workflowId ? [opts.workflowId] : []);
      const handle = run.client.getHandle(workflowId, opts.runId);
      if (opts.follow) {
        // One event per line as it arrives: JSON Lines with --json.
        if (!run.global.json) run.out(historyRow(["ID", "TIME", "TYPE", "DETAILS"]));
        const events = handle.followHistory({
          ...(opts.after !== undefined ? { after: opts.after } : {}),
          signal: run.signal,
        });
        for await (const event of events) {
          if (run.global.json) run.out(JSON.stringify(event));
          else run.out(historyRow(eventCells(event)));
        }
        return;
      }
      const events = await allHistory(handle, opts.after);
      if (run.global.json) run.json({ events });
      else run.out(table(["ID", "TIME", "TYPE", "DETAILS"], events.map(eventCells)));
    });

  workflow
    .command("signal")
    .description("send a signal to a running workflow")
    .argument("[workflowId]")
    .argument("[signalName]")
    .option("-w, --workflow-id <id>", "the workflow id (instead of the argument)")
    .option("--name <signalName>", "the signal name (instead of the argument)")
    .option("-i, --input <json>", "the signal's input as JSON")
    .option("--input-file <path>", "read the input JSON from a file (- for stdin)")
    .option("--request-id <id>", "deduplicates retried signals (default: a new UUID)")
    .action(
      async (
        id: string | undefined,
        name: string | undefined,
        opts: MessageOptions & { requestId?: string },
        command: Command,
      ) => {
        const run = runOf(command);
        const [workflowId, signalName] = messageOperands(command, [id, name], opts, "signal");
        const input = await inputOf(opts);
        await run.client
          .getHandle(workflowId)
          .signal(signalName, input, opts.requestId ? { requestId: opts.requestId } : {});
        if (run.global.json) run.json({ ok: true, workflowId, signalName });
        else run.out(`Signal "${signalName}" sent to workflow ${workflowId}`);
      },
    );

  workflow
    .command("query")
    .description("run a query handler of a workflow (read-only)")
    .argument("[workflowId]")
    .argument("[queryName]")
    .option("-w, --workflow-id <id>", "the workflow id (instead of the argument)")
    .option("--name <queryName>", "the query name (instead of the argument)")
    .option("-i, --input <json>", "the query's input as JSON")
    .option("--input-file <path>", "read the input JSON from a file (- for stdin)")
    .action(
      async (
        id: string | undefined,
        name: string | undefined,
        opts: MessageOptions,
        command: Command,
      ) => {
        const run = runOf(command);
        const [workflowId, queryName] = messageOperands(command, [id, name], opts, "query");
        const result = await run.client.getHandle(workflowId).query(queryName, await inputOf(opts));
        if (run.global.json) run.json({ result });
        else run.out(prettyJson(result));
      },
    );

  workflow
    .command("update")
    .description("run an update handler of a workflow and print its result")
    .argument("[workflowId]")
    .argument("[updateName]")
    .option("-w, --workflow-id <id>", "the workflow id (instead of the argument)")
    .option("--name <updateName>", "the update name (instead of the argument)")
    .option("-i, --input <json>", "the update's input as JSON")
    .option("--input-file <path>", "read the input JSON from a file (- for stdin)")
    .option("--update-id <id>", "deduplicates retried updates")
    .action(
      async (
        id: string | undefined,
        name: string | undefined,
        opts: MessageOptions & { updateId?: string },
        command: Command,
      ) => {
        const run = runOf(command);
        const [workflowId, updateName] = messageOperands(command, [id, name], opts, "update");
        const result = await run.client
          .getHandle(workflowId)
          .update(
            updateName,
            await inputOf(opts),
            opts.updateId ? { updateId: opts.updateId } : {},
          );
        if (run.global.json) run.json({ result });
        else run.out(prettyJson(result));
      },
    );

  workflow
    .command("cancel")
    .description("request cancellation; the workflow decides how to wind down")
    .argument("[workflowId]")
    .option("-w, --workflow-id <id>", "the workflow id (instead of the argument)")
    .option("--reason <text>", "why, recorded in its history")
    .action(async (id: string | undefined, opts: ReasonOptions, command: Command) => {
      const run = runOf(command);
      const [workflowId] = operands(command, [id], opts.workflowId ? [opts.workflowId] : []);
      await run.client.getHandle(workflowId).cancel(opts.reason);
      if (run.global.json) run.json({ ok: true, workflowId });
      else run.out(`Cancellation of workflow ${workflowId} requested`);
    });

  workflow
    .command("terminate")
    .description("end a workflow at once; no workflow code runs")
    .argument("[workflowId]")
    .option("-w, --workflow-id <id>", "the workflow id (instead of the argument)")
    .option("--reason <text>", "why, recorded in its history")
    .action(async (id: string | undefined, opts: ReasonOptions, command: Command) => {
      const run = runOf(command);
      const [workflowId] = operands(command, [id], opts.workflowId ? [opts.workflowId] : []);
      await run.client.getHandle(workflowId).terminate(opts.reason);
      if (run.global.json) run.json({ ok: true, workflowId });
      else run.out(`Workflow ${workflowId} terminated`);
    });

  workflow
    .command("list")
    .description("list workflow executions, newest first")
    .option("--query <query>", "filter, e.g. \"WorkflowType = 'loanApplication'\"")
    .option("--limit <n>", "at most this many executions", positiveInt, 100)
    .option("--next-page-token <token>", "continue a previous listing")
    .action(async (opts: ListCommandOptions, command: Command) => {
      const run = runOf(command);
      const executions: WorkflowExecutionInfo[] = [];
      let token: string | null | undefined = opts.nextPageToken;
      do {
        const page = await run.client.list({
          ...(opts.query ? { query: opts.query } : {}),
          pageSize: Math.min(opts.limit - executions.length, 1000),
          ...(token ? { nextPageToken: token } : {}),
        });
        executions.push(...page.executions);
        token = page.nextPageToken;
      } while (token && executions.length < opts.limit);
      const nextPageToken = token ?? null;
      if (run.global.json) {
        run.json({ executions, nextPageToken });
        return;
      }
      if (executions.length === 0) {
        run.out("No workflow executions found");
        return;
      }
      run.out(
        table(
          ["STATUS", "WORKFLOW ID", "TYPE", "START TIME", "CLOSE TIME"],
          executions.map((e) => [e.status, e.workflowId, e.workflowType, e.startTime, e.closeTime]),
        ),
      );
      if (nextPageToken) run.err(`more: pass --next-page-token ${nextPageToken}`);
    });

  workflow
    .command("count")
    .description("count workflow executions")
    .option("--query <query>", "filter, e.g. \"ExecutionStatus = 'Running'\"")
    .action(async (opts: { query?: string }, command: Command) => {
      const run = runOf(command);
      const count = await run.client.count(opts.query || undefined);
      if (run.global.json) run.json({ count });
      else run.out(`Total: ${count}`);
    });
}

interface StartOptions {
  type?: string;
  workflowId?: string;
  input?: string;
  inputFile?: string;
  taskQueue?: string;
  idReusePolicy?: IdReusePolicy;
  idConflictPolicy?: IdConflictPolicy;
  requestId?: string;
  startDelay?: string;
  executionTimeout?: string;
  runTimeout?: string;
  retryPolicy?: string;
  memo?: string;
  searchAttributes?: string;
  signal?: string;
  signalInput?: string;
  wait?: string | true;
}

interface RunIdOptions {
  workflowId?: string;
  runId?: string;
}

interface ResultCommandOptions extends RunIdOptions {
  wait?: string | true;
}

interface HistoryCommandOptions extends RunIdOptions {
  after?: number;
  follow?: boolean;
}

interface MessageOptions {
  workflowId?: string;
  name?: string;
  input?: string;
  inputFile?: string;
}

interface ReasonOptions {
  workflowId?: string;
  reason?: string;
}

interface ListCommandOptions {
  query?: string;
  limit: number;
  nextPageToken?: string;
}

/**
 * The command's operands, from its options first (`-w`, `--name`) and then its arguments, in
 * order; a usage error when one is missing or one is left over.
 */
function operands(
  command: Command,
  args: (string | undefined)[],
  fromOptions: string[],
): [string, ...string[]] {
  const given = [...fromOptions, ...args.filter((a): a is string => a !== undefined)];
  const names = command.registeredArguments.map((a) => `<${a.name()}>`);
  const usage = `sundial workflow ${command.name()} ${names.join(" ")}`;
  if (given.length < names.length) {
    throw new UsageError(`missing ${names[given.length]}: ${usage}`);
  }
  if (given.length > names.length) {
    throw new UsageError(`unexpected argument "${given[names.length]}": ${usage}`);
  }
  return given as [string, ...string[]];
}

function messageOperands(
  command: Command,
  args: (string | undefined)[],
  opts: MessageOptions,
  kind: string,
): [string, string] {
  const present = args.filter((a): a is string => a !== undefined);
  // -w and --name take the places of the arguments they stand for.
  const workflowId = opts.workflowId ?? present.shift();
  const name = opts.name ?? present.shift();
  if (present.length > 0) {
    throw new UsageError(
      `unexpected argument "${present[0]}": sundial workflow ${kind} <workflowId> <${kind}Name>`,
    );
  }
  const [a, b] = operands(command, [workflowId, name], []);
  return [a as string, b as string];
}

/** Parses the JSON of option `flag`; a usage error that says how to quote it otherwise. */
export function jsonOption(flag: string, text: string): unknown {
  // Checked before parsing: a deeper value would overflow the stack when the client serializes it.
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
    throw new UsageError(
      `${flag} is nested deeper than ${MAX_JSON_DEPTH} levels of arrays and objects (the engine refuses it)`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(
      `${flag} is not valid JSON (${(err as Error).message}). Quote it for the shell, e.g. ${flag} '{"amount": 5000}' or ${flag} '"text"'`,
    );
  }
}

function jsonObjectOption(flag: string, text: string): Record<string, unknown> {
  const value = jsonOption(flag, text);
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new UsageError(`${flag} must be a JSON object, e.g. ${flag} '{"key": "value"}'`);
  }
  return value as Record<string, unknown>;
}

/** The input of `--input` or `--input-file` (`-` reads stdin); `undefined` when neither is given. */
async function inputOf(opts: { input?: string; inputFile?: string }): Promise<unknown> {
  if (opts.input !== undefined && opts.inputFile !== undefined) {
    throw new UsageError("give the input once: --input or --input-file, not both");
  }
  if (opts.input !== undefined) return jsonOption("--input", opts.input);
  if (opts.inputFile === undefined) return undefined;
  let text: string;
  try {
    text = opts.inputFile === "-" ? await readStdin() : await readFile(opts.inputFile, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read --input-file ${opts.inputFile}: ${(err as Error).message}`);
  }
  return jsonOption("--input-file", text);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** `--wait` without a value waits as long as it takes; with one, at most that long. */
function waitOption(value: string | true): number {
  if (value === true) return Number.POSITIVE_INFINITY;
  try {
    const ms = toMs(value);
    if (ms <= 0) throw new Error("must be positive");
    return ms;
  } catch (err) {
    const shown = value.length > 32 ? `${value.slice(0, 32)}…` : value;
    throw new UsageError(`--wait ${shown}: ${(err as Error).message} (e.g. --wait 30s)`);
  }
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer");
  return n;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("expected an integer ≥ 0");
  return n;
}

/** One long-poll cap of API.md. */
const MAX_POLL_MS = 60_000;

/**
 * Looks at the outcome; with `waitMs` > 0 long-polls until the run closes or the wait runs out,
 * showing progress on stderr.
 */
async function awaitResult(
  run: Run,
  handle: WorkflowHandle,
  waitMs: number,
): Promise<ResultResponse> {
  if (waitMs <= 0) return handle.pollResult({ signal: run.signal });
  const deadline = Date.now() + waitMs;
  const progress = new Progress(process.stderr, `Waiting for workflow ${handle.workflowId}`);
  try {
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return { status: "Running" };
      const sent = Date.now();
      const outcome = await handle.pollResult({
        wait: Math.max(1, Math.min(remaining, MAX_POLL_MS)),
        signal: run.signal,
      });
      if (outcome.status !== "Running") return outcome;
      // A server that answers before the wait is up must not turn this into a busy loop.
      if (Date.now() - sent < 500) await abortableSleep(500, run.signal);
    }
  } finally {
    progress.stop();
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function exitForOutcome(outcome: ResultResponse): void {
  if (outcome.status === "Running") throw new ExitWith(ExitCode.StillRunning);
  if (outcome.status !== "Completed") throw new ExitWith(ExitCode.WorkflowNotCompleted);
}

async function allHistory(handle: WorkflowHandle, after: number | undefined): Promise<WireEvent[]> {
  const events: WireEvent[] = [];
  let token: string | null | undefined;
  do {
    const page = await handle.history(
      token ? { nextPageToken: token } : after !== undefined ? { after } : {},
    );
    events.push(...page.events);
    token = page.nextPageToken;
  } while (token);
  return events;
}

function printStarted(
  run: Run,
  workflowType: string,
  started: { workflowId: string; runId: string; started: boolean },
): void {
  run.out(
    started.started
      ? `Started workflow ${started.workflowId}`
      : `Workflow ${started.workflowId} was already started; nothing new started`,
  );
  run.out(
    keyValues([
      ["Workflow ID", started.workflowId],
      ["Run ID", started.runId],
      ["Type", workflowType],
    ]),
  );
}

function printOutcome(run: Run, workflowId: string, outcome: ResultResponse): void {
  if (outcome.status === "Running") {
    run.out(
      keyValues([
        ["Workflow ID", workflowId],
        ["Status", "Running"],
      ]),
    );
    return;
  }
  const pairs: [string, Cell][] = [
    ["Workflow ID", workflowId],
    ["Run ID", outcome.runId],
    ["Status", outcome.status],
  ];
  if (outcome.status === "Completed") pairs.push(["Result", prettyJson(outcome.result)]);
  else pairs.push(["Failure", failureText(outcome.failure)]);
  run.out(keyValues(pairs));
}

/** A failure and its causes, one per line: `Type: message`. */
function failureText(failure: FailureInfo): string {
  const lines: string[] = [];
  let current: FailureInfo | undefined = failure;
  for (let depth = 0; current && depth < 10; depth++) {
    lines.push(`${depth === 0 ? "" : "caused by "}${current.type}: ${current.message}`);
    current = current.cause;
  }
  return lines.join("\n");
}

function printDescription(run: Run, d: WorkflowDescription): void {
  const pairs: [string, Cell][] = [
    ["Workflow ID", d.workflowId],
    ["Run ID", d.runId],
    ["Type", d.workflowType],
    ["Status", d.status],
    ["Task queue", d.taskQueue],
    ["Start time", time(d.startTime)],
    ["Close time", time(d.closeTime)],
    ["History length", d.historyLength],
  ];
  if (d.attempt !== undefined && d.attempt > 1) pairs.push(["Attempt", d.attempt]);
  if (d.parent) pairs.push(["Parent", `${d.parent.workflowId} (run ${d.parent.runId})`]);
  if (!isEmpty(d.memo)) pairs.push(["Memo", compactJson(d.memo)]);
  if (!isEmpty(d.searchAttributes))
    pairs.push(["Search attributes", compactJson(d.searchAttributes)]);
  if (d.workflowTaskFailure) {
    const f = d.workflowTaskFailure;
    pairs.push(["Task failure", `${f.type}: ${f.message} (attempt ${f.attempt}, retrying)`]);
  }
  run.out(keyValues(pairs));
  const activities = d.pendingActivities ?? [];
  if (activities.length > 0) {
    run.out(`\nPending activities (${activities.length})`);
    run.out(
      table(
        ["ACTIVITY ID", "TYPE", "STATE", "ATTEMPT", "SCHEDULED", "LAST FAILURE", "LAST HEARTBEAT"],
        activities.map((a) => [
          a.activityId,
          a.activityType,
          a.state,
          a.attempt,
          a.scheduledTime,
          a.lastFailure ? compactJson(`${a.lastFailure.type}: ${a.lastFailure.message}`, 60) : null,
          a.lastHeartbeat
            ? `${a.lastHeartbeat.time} ${compactJson(a.lastHeartbeat.details, 40)}`
            : null,
        ]),
      ),
    );
  }
  const timers = d.pendingTimers ?? [];
  if (timers.length > 0) {
    run.out(`\nPending timers (${timers.length})`);
    run.out(
      table(
        ["TIMER ID", "FIRE TIME"],
        timers.map((t) => [t.timerId, time(t.fireTime)]),
      ),
    );
  }
  const children = (d.pendingChildren ?? []) as unknown[];
  if (children.length > 0) {
    run.out(`\nPending children (${children.length})`);
    run.out(children.map((c) => compactJson(c)).join("\n"));
  }
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === "object") return Object.keys(value).length === 0;
  return false;
}

function eventCells(event: WireEvent): Cell[] {
  return [event.eventId, event.timestamp, event.eventType, eventDetails(event.attributes)];
}

/** A history line with fixed column widths, for output that cannot be aligned in advance. */
function historyRow(cells: Cell[]): string {
  const [id, at, type, details] = cells.map(cell);
  return `${(id ?? "").padEnd(5)}  ${(at ?? "").padEnd(24)}  ${(type ?? "").padEnd(40)}  ${details ?? ""}`.trimEnd();
}
