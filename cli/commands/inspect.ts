/**
 * @module `sundial workflow describe | result | history`: read an execution's state, outcome and
 * events.
 */
import type { Command } from "commander";
import { nonNegativeInt, operands, waitOption } from "../options";
import { allHistory, awaitResult, exitForOutcome } from "../outcome";
import { table } from "../output";
import { eventCells, historyRow, printDescription, printOutcome } from "../print";
import type { RunOf } from "../run";

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

export function addInspectCommands(workflow: Command, runOf: RunOf): void {
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
}
