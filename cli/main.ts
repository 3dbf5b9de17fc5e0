/**
 * @module `sundial`: the command line of the Sundial HTTP API (API.md), built on the typed client.
 * Tables for people, `--json` for scripts, and exit codes that tell failures apart (exit-codes.ts).
 */
import { Command, CommanderError, Option } from "commander";
import { createClient } from "../sdk/client/index";
import { addKeyCommands, addNamespaceCommands } from "./commands/admin";
import { addControlCommands } from "./commands/control";
import { addInitCommand } from "./commands/init";
import { addInspectCommands } from "./commands/inspect";
import { addListCommands } from "./commands/list";
import { addMessageCommands } from "./commands/messages";
import { addReplayCommands } from "./commands/replay";
import { addScheduleCommands } from "./commands/schedule";
import { addStartCommand } from "./commands/start";
import { ExitCode, ExitWith, reportError } from "./exit-codes";
import type { GlobalOptions, Run, RunOf } from "./run";

/** Where the CLI talks to unless told otherwise: `npm run dev`'s address. */
export const DEFAULT_ADDRESS = "http://127.0.0.1:8787";

class Interrupted extends Error {
  override name = "Interrupted";
}

/** What the `sundial` launcher (sundial.mjs) tells {@link main}. */
export interface MainOptions {
  /** The package's version, for `--version`. */
  version: string;
  /** The package's root directory (`sundial init`'s templates; what `sundial replay` bundles). @default cwd */
  root?: string;
}

/**
 * Runs the CLI on `args` (without `node` and the script) and resolves with the exit code.
 * @example process.exitCode = await main(process.argv.slice(2), { version: "0.1.0" });
 */
export async function main(args: string[], options: MainOptions): Promise<number> {
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Interrupted("interrupted"));
  process.once("SIGINT", onSigint);
  const program = buildProgram(controller.signal, options.version, options.root ?? process.cwd());
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

function buildProgram(signal: AbortSignal, version: string, root: string): Command {
  const program = new Command("sundial")
    .description(
      "Create Sundial projects (init) and operate workflows and schedules over the HTTP API",
    )
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
  addReplayCommands(program, runOf, root);
  addInitCommand(program, { packageRoot: root, version }, (text) =>
    process.stdout.write(`${text}\n`),
  );
  addNamespaceCommands(program, runOf);
  addKeyCommands(program, runOf);
  const schedule = program
    .command("schedule")
    .description("create, inspect and operate schedules (cron, calendars, intervals)");
  addScheduleCommands(schedule, runOf);
  return program;
}

function addWorkflowCommands(workflow: Command, runOf: RunOf): void {
  addStartCommand(workflow, runOf);
  addInspectCommands(workflow, runOf);
  addMessageCommands(workflow, runOf);
  addControlCommands(workflow, runOf);
  addListCommands(workflow, runOf);
}
