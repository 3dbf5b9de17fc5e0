/**
 * @module `sundial workflow start`: start an execution (and signal-with-start), optionally waiting
 * for its result.
 */
import { type Command, Option } from "commander";
import type {
  IdConflictPolicy,
  IdReusePolicy,
  StartWorkflowBaseOptions,
} from "../../sdk/client/index";
import { UsageError } from "../exit-codes";
import { inputOf, jsonObjectOption, jsonOption, waitOption } from "../options";
import { awaitResult, exitForOutcome } from "../outcome";
import { printOutcome, printStarted } from "../print";
import type { RunOf } from "../run";

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

export function addStartCommand(workflow: Command, runOf: RunOf): void {
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
}
