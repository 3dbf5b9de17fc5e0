/** @module `sundial workflow list | count`: the visibility queries. */
import type { Command } from "commander";
import type { WorkflowExecutionInfo } from "../../sdk/client/index";
import { positiveInt } from "../options";
import { table } from "../output";
import type { RunOf } from "../run";

interface ListCommandOptions {
  query?: string;
  limit: number;
  nextPageToken?: string;
}

export function addListCommands(workflow: Command, runOf: RunOf): void {
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
