/**
 * @module `sundial workflow cancel | terminate`: ask an execution to wind down, or end it at once.
 */
import type { Command } from "commander";
import { operands } from "../options";
import type { RunOf } from "../run";

interface ReasonOptions {
  workflowId?: string;
  reason?: string;
}

export function addControlCommands(workflow: Command, runOf: RunOf): void {
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
}
