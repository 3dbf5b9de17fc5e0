/**
 * @module `sundial replay`: the check before a deploy. Downloads the histories of the executions a
 * list query selects (running ones by default), replays each against the local workflow code and
 * exits 1 if any diverges. `sundial history export` writes one history as a replay fixture.
 */
import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import type { SundialClient } from "../../sdk/client/index";
import type { HistoryFixture, ReplayResult } from "../../src/testing/replay";
import { loadWorkflows } from "../bundle-workflows";
import { ExitCode, ExitWith } from "../exit-codes";
import { operands, positiveInt } from "../options";
import type { RunOf } from "../run";

interface ReplayOptions {
  workflows: string;
  query: string;
  limit: number;
}

const DEFAULT_QUERY = "ExecutionStatus = 'Running'";
const DEFAULT_LIMIT = 1000;

/** The executions `query` selects, newest first, at most `limit`. */
async function selectExecutions(
  client: SundialClient,
  query: string,
  limit: number,
): Promise<{ workflowId: string; runId: string }[]> {
  const found: { workflowId: string; runId: string }[] = [];
  let nextPageToken: string | undefined;
  do {
    const page = await client.list({
      query,
      pageSize: Math.min(100, limit - found.length),
      ...(nextPageToken ? { nextPageToken } : {}),
    });
    for (const e of page.executions) found.push({ workflowId: e.workflowId, runId: e.runId });
    nextPageToken = page.nextPageToken ?? undefined;
  } while (nextPageToken && found.length < limit);
  return found.slice(0, limit);
}

/** One execution's history as a fixture (every page of its run). */
async function fixtureOf(
  client: SundialClient,
  namespace: string,
  workflowId: string,
  runId: string,
): Promise<HistoryFixture> {
  const events = await client.getHandle(workflowId, runId).fetchAllHistory();
  return { workflowId, runId, namespace, events };
}

function resultLine(r: ReplayResult): string {
  const who = `${r.workflowId} (${r.workflowType}, run ${r.runId})`;
  if (r.ok) return `ok        ${who}`;
  const label = r.error?.name === "DeterminismViolationError" ? "DIVERGES " : "FAILED   ";
  const detail = (r.error?.message ?? "").split("\n").map((l) => `          ${l}`);
  return [`${label} ${who}`, ...detail].join("\n");
}

export function addReplayCommands(program: Command, runOf: RunOf, root: string): void {
  program
    .command("replay")
    .description(
      "replay live histories against local workflow code; exits 1 if any diverges (run it before wrangler deploy)",
    )
    .requiredOption(
      "--workflows <module>",
      "a module exporting the workflow definitions (or an array of them), bundled with esbuild",
    )
    .option("--query <query>", "list query selecting the executions to check", DEFAULT_QUERY)
    .option("--limit <n>", "at most this many executions", positiveInt, DEFAULT_LIMIT)
    .action(async (opts: ReplayOptions, command: Command) => {
      const run = runOf(command);
      const loaded = await loadWorkflows(root, opts.workflows);
      const namespace = run.global.namespace ?? "default";
      const selected = await selectExecutions(run.client, opts.query, opts.limit);
      const histories = (async function* () {
        for (const e of selected)
          yield await fixtureOf(run.client, namespace, e.workflowId, e.runId);
      })();
      const results = await loaded.replayHistories(loaded.userModule, histories);
      const diverged = results.filter((r) => r.error?.name === "DeterminismViolationError").length;
      const failed = results.filter((r) => !r.ok).length - diverged;
      if (run.global.json) {
        run.json({
          results: results.map((r) => ({
            workflowId: r.workflowId,
            runId: r.runId,
            workflowType: r.workflowType,
            ok: r.ok,
            ...(r.error ? { error: { name: r.error.name, message: r.error.message } } : {}),
          })),
          replayed: results.length,
          diverged,
          failed,
        });
      } else {
        for (const r of results) run.out(resultLine(r));
        run.out(
          `replayed ${results.length} execution${results.length === 1 ? "" : "s"} (${opts.query}): ` +
            `${results.length - diverged - failed} ok, ${diverged} diverged, ${failed} failed`,
        );
      }
      if (diverged + failed > 0) throw new ExitWith(ExitCode.Failure);
    });

  const history = program.command("history").description("history fixtures for replay tests");
  history
    .command("export")
    .description("write a workflow's history as a JSON fixture for replayHistory (sundial/testing)")
    .argument("[workflowId]")
    .option("-w, --workflow-id <id>", "the workflow id (instead of the argument)")
    .option("-r, --run-id <runId>", "a specific run (default: the latest)")
    .option("-o, --output <file>", "write to this file (default: stdout)")
    .action(
      async (
        id: string | undefined,
        opts: { workflowId?: string; runId?: string; output?: string },
        command: Command,
      ) => {
        const run = runOf(command);
        const [workflowId] = operands(command, [id], opts.workflowId ? [opts.workflowId] : []);
        const runId = opts.runId ?? (await run.client.getHandle(workflowId).describe()).runId;
        const namespace = run.global.namespace ?? "default";
        const fixture = await fixtureOf(run.client, namespace, workflowId, runId);
        const text = `${JSON.stringify(fixture, null, 2)}\n`;
        if (opts.output) {
          await writeFile(opts.output, text);
          run.err(
            `wrote ${fixture.events.length} events of ${workflowId} (run ${runId}) to ${opts.output}`,
          );
        } else process.stdout.write(text);
      },
    );
}
