/**
 * @module `sundial workflow signal | query | update`: send a message to an execution's handlers.
 */
import type { Command } from "commander";
import { WorkflowUpdateFailedError } from "../../sdk/client/index";
import { ExitCode, ExitWith } from "../exit-codes";
import { inputOf, type MessageOptions, messageOperands } from "../options";
import { prettyJson } from "../output";
import type { RunOf } from "../run";

export function addMessageCommands(workflow: Command, runOf: RunOf): void {
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
        let result: unknown;
        try {
          result = await run.client
            .getHandle(workflowId)
            .update(
              updateName,
              await inputOf(opts),
              opts.updateId ? { updateId: opts.updateId } : {},
            );
        } catch (err) {
          // Accepted and recorded, then its handler threw: print the failure, exit 6.
          if (!(err instanceof WorkflowUpdateFailedError)) throw err;
          if (run.global.json) run.json({ updateId: err.updateId, failure: err.failure });
          else
            run.err(
              `update ${updateName} (${err.updateId}) failed: ${err.failure.type}: ${err.failure.message}`,
            );
          throw new ExitWith(ExitCode.WorkflowNotCompleted);
        }
        if (run.global.json) run.json({ result });
        else run.out(prettyJson(result));
      },
    );
}
