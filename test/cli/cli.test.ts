/**
 * @module The `sundial` CLI against a real `wrangler dev` (engine + example activity Worker): tables,
 * `--json`, exit codes. One server for the whole file; every test uses its own workflow ids.
 */
import { afterAll, beforeAll, describe, it } from "vitest";
import { type CliRun, type DevServer, runCli, startDevServer } from "./harness.mjs";

let server: DevServer;

beforeAll(async () => {
  server = await startDevServer({ migrate: true, timeoutMs: 90_000 });
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

let counter = 0;
function uniqueId(prefix: string): string {
  counter += 1;
  return `cli-${prefix}-${counter}-${crypto.randomUUID().slice(0, 8)}`;
}

function sundial(...args: string[]): Promise<CliRun> {
  return runCli(["--address", server.address, ...args]);
}

/** `--json` output, parsed; fails with the run's output when it is not JSON. */
function json<T = Record<string, unknown>>(run: CliRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}

/** A loan that sits in its review timer for an hour: Running, with a pending timer. */
async function startSleepingLoan(workflowId: string): Promise<void> {
  const input = JSON.stringify({ applicant: "Ada", amount: 100, reviewWindow: "1h" });
  const run = await sundial("workflow", "start", "loanApplication", "-w", workflowId, "-i", input);
  if (run.code !== 0) throw new Error(`start failed: ${run.stderr}`);
  // Wait until it reached the timer, so describe shows it.
  for (let i = 0; i < 50; i++) {
    const d = json<{ pendingTimers: unknown[] }>(
      await sundial("--json", "workflow", "describe", workflowId),
    );
    if (d.pendingTimers.length > 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${workflowId} never reached its review timer`);
}

/** Re-runs `run` until `done` accepts its output (visibility is eventually consistent). */
async function eventually(
  run: () => Promise<CliRun>,
  done: (r: CliRun) => boolean,
  timeoutMs = 15_000,
): Promise<CliRun> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await run();
    if (done(r) || Date.now() > deadline) return r;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe.concurrent("sundial workflow start, describe, result, history", () => {
  it("starts a workflow and prints its ids as a table, then as JSON", async ({ expect }) => {
    const workflowId = uniqueId("start");
    const run = await sundial("workflow", "start", "steps", "-w", workflowId, "-i", '{"n": 1}');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Started workflow ${workflowId}`);
    expect(run.stdout).toMatch(new RegExp(`Workflow ID\\s+${workflowId}`));
    expect(run.stdout).toMatch(/Run ID\s+[0-9a-f-]{36}/);
    expect(run.stdout).toMatch(/Type\s+steps/);

    const again = await sundial(
      "--json",
      "workflow",
      "start",
      "steps",
      "-w",
      uniqueId("start-json"),
      "--input",
      '{"n": 1}',
    );
    expect(again.code, again.stderr).toBe(0);
    expect(json(again)).toEqual({
      workflowId: expect.stringContaining("start-json"),
      runId: expect.any(String),
      started: true,
    });
  });

  it("start --wait prints the result, showing progress on stderr", async ({ expect }) => {
    const workflowId = uniqueId("wait");
    const input = '{"applicant": "Ada", "amount": 100, "reviewWindow": "1s"}';
    const run = await sundial(
      "wf",
      "start",
      "loanApplication",
      "-w",
      workflowId,
      "-i",
      input,
      "--wait",
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`Waiting for workflow ${workflowId}`);
    expect(run.stdout).toMatch(/Status\s+Completed/);
    expect(run.stdout).toContain('"decision": "approved"');
  });

  it("describes a running workflow as a table and as JSON", async ({ expect }) => {
    const workflowId = uniqueId("describe");
    await startSleepingLoan(workflowId);

    const table = await sundial("workflow", "describe", workflowId);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`Workflow ID\\s+${workflowId}`));
    expect(table.stdout).toMatch(/Type\s+loanApplication/);
    expect(table.stdout).toMatch(/Status\s+Running/);
    expect(table.stdout).toMatch(/Task queue\s+default/);
    expect(table.stdout).toContain("Pending timers (1)");
    expect(table.stdout).toMatch(/TIMER ID\s+FIRE TIME/);

    const run = await sundial("workflow", "describe", "-w", workflowId, "--json");
    expect(run.code, run.stderr).toBe(0);
    expect(json(run)).toMatchObject({
      workflowId,
      workflowType: "loanApplication",
      status: "Running",
      pendingTimers: [expect.objectContaining({ fireTime: expect.any(String) })],
    });
  });

  it("result: completed is exit 0, running is exit 7, failed is exit 6", async ({ expect }) => {
    const done = uniqueId("result-done");
    await sundial("wf", "start", "steps", "-w", done, "-i", '{"n": 2}', "--wait");
    const completed = await sundial("--json", "wf", "result", done);
    expect(completed.code, completed.stderr).toBe(0);
    expect(json(completed)).toMatchObject({ status: "Completed", result: 2 });
    const completedTable = await sundial("wf", "result", done);
    expect(completedTable.stdout).toMatch(/Status\s+Completed/);
    expect(completedTable.stdout).toMatch(/Result\s+2/);

    const sleeping = uniqueId("result-running");
    await startSleepingLoan(sleeping);
    const running = await sundial("wf", "result", sleeping);
    expect(running.code).toBe(7);
    expect(running.stdout).toMatch(/Status\s+Running/);
    expect(running.stderr).toContain("--wait");
    const bounded = await sundial("--json", "wf", "result", sleeping, "--wait", "1s");
    expect(bounded.code).toBe(7);
    expect(json(bounded)).toEqual({ status: "Running" });

    const failing = uniqueId("result-failed");
    const bad = '{"applicant": "Bo", "amount": -1}';
    await sundial("wf", "start", "loanApplication", "-w", failing, "-i", bad);
    const failed = await sundial("wf", "result", failing, "--wait", "20s");
    expect(failed.code).toBe(6);
    expect(failed.stdout).toMatch(/Status\s+Failed/);
    expect(failed.stdout).toContain("InvalidApplication: input must be");
    const failedJson = await sundial("--json", "wf", "result", failing);
    expect(failedJson.code).toBe(6);
    expect(json(failedJson)).toMatchObject({
      status: "Failed",
      failure: { type: "InvalidApplication" },
    });
  });

  it("prints the whole history as a table and as JSON", async ({ expect }) => {
    const workflowId = uniqueId("history");
    await sundial("wf", "start", "steps", "-w", workflowId, "-i", '{"n": 2}', "--wait");

    const table = await sundial("workflow", "history", workflowId);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^ID\s+TIME\s+TYPE\s+DETAILS$/);
    expect(lines[1]).toMatch(/^1\s+\S+Z\s+WorkflowExecutionStarted\s+workflowType=steps/);
    expect(lines.at(-1)).toMatch(/^8\s+\S+\s+WorkflowExecutionCompleted\s+result=2/);

    const run = await sundial("--json", "workflow", "history", workflowId);
    const { events } = json<{ events: { eventId: number; eventType: string }[] }>(run);
    expect(events.map((e) => e.eventId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(events.at(-1)?.eventType).toBe("WorkflowExecutionCompleted");

    const after = await sundial("--json", "workflow", "history", workflowId, "--after", "6");
    expect(json<{ events: { eventId: number }[] }>(after).events.map((e) => e.eventId)).toEqual([
      7, 8,
    ]);
  });

  it("history --follow prints events as they happen until the run closes", async ({ expect }) => {
    // An approval waits for its signal: --follow must print the events so far while the run is
    // still open (a dump of the history at close would print nothing until the signal).
    const workflowId = uniqueId("follow");
    const input = JSON.stringify({ item: "laptop", timeout: "1h" });
    await sundial("wf", "start", "approval", "-w", workflowId, "-i", input);

    let seenWhileRunning: string[] | undefined;
    let signalled: Promise<CliRun> | undefined;
    const following = runCli(
      ["--address", server.address, "--json", "workflow", "history", workflowId, "--follow"],
      {
        timeoutMs: 60_000,
        onStdout: (soFar) => {
          if (signalled || !soFar.includes('"TimerStarted"')) return;
          seenWhileRunning = soFar.split("\n").filter((line) => line.trim() !== "");
          // Only now does the workflow get what closes it.
          signalled = sundial("wf", "signal", workflowId, "approve", "-i", '{"approved": true}');
        },
      },
    );
    const run = await following;
    expect(run.code, run.stderr).toBe(0);
    expect(seenWhileRunning, "no event was printed while the run was open").toBeDefined();
    expect((await signalled)?.code).toBe(0);
    const early = (seenWhileRunning ?? []).map((l) => JSON.parse(l) as { eventType: string });
    expect(early.map((e) => e.eventType)).not.toContain("WorkflowExecutionSignaled");
    expect(early.map((e) => e.eventType)).not.toContain("WorkflowExecutionCompleted");

    const events = run.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { eventId: number; eventType: string });
    expect(events.map((e) => e.eventId)).toEqual(events.map((_, i) => i + 1));
    expect(events.length).toBeGreaterThan(early.length);
    expect(events.map((e) => e.eventType)).toContain("WorkflowExecutionSignaled");
    expect(events.at(-1)?.eventType).toBe("WorkflowExecutionCompleted");

    const table = await sundial("workflow", "history", workflowId, "-f");
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout.trim().split("\n").at(-1)).toContain("WorkflowExecutionCompleted");
  });
});

describe.concurrent("sundial errors and exit codes", () => {
  it("exits 3 for an unknown workflow, with the error as JSON", async ({ expect }) => {
    const workflowId = uniqueId("missing");
    const run = await sundial("workflow", "describe", workflowId);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^sundial: error: .*\(NotFound, HTTP 404\)/);

    const asJson = await sundial("--json", "workflow", "result", workflowId);
    expect(asJson.code).toBe(3);
    expect(json(asJson)).toMatchObject({ error: { code: "NotFound", status: 404 } });

    const history = await sundial("workflow", "history", workflowId);
    expect(history.code).toBe(3);
  });

  it("exits 2 for bad JSON input, naming the option, and starts nothing", async ({ expect }) => {
    const workflowId = uniqueId("bad-json");
    const run = await sundial("workflow", "start", "steps", "-w", workflowId, "--input", "{n: 1");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--input is not valid JSON");
    expect((await sundial("workflow", "describe", workflowId)).code).toBe(3);

    const memo = await sundial("wf", "start", "steps", "-w", workflowId, "--memo", "[1]");
    expect(memo.code).toBe(2);
    expect(memo.stderr).toContain("--memo must be a JSON object");

    const asJson = await sundial("--json", "wf", "start", "steps", "-i", "nope");
    expect(asJson.code).toBe(2);
    expect(json(asJson)).toMatchObject({ error: { code: "InvalidArgument" } });
  });

  it("exits 2 for usage errors and for the server's 400", async ({ expect }) => {
    const noType = await sundial("workflow", "start");
    expect(noType.code).toBe(2);
    expect(noType.stderr).toContain("workflow type is required");

    const unknownCommand = await sundial("workflow", "frobnicate");
    expect(unknownCommand.code).toBe(2);

    const unknownType = await sundial("workflow", "start", "noSuchWorkflow");
    expect(unknownType.code).toBe(2);
    expect(unknownType.stderr).toContain("InvalidArgument, HTTP 400");
    expect(unknownType.stderr).toContain("noSuchWorkflow");

    const badWait = await sundial("workflow", "result", "x", "--wait", "soon");
    expect(badWait.code).toBe(2);
    expect(badWait.stderr).toContain("--wait soon");
  });

  it("exits 4 when the workflow id is already running (409)", async ({ expect }) => {
    const workflowId = uniqueId("conflict");
    await startSleepingLoan(workflowId);
    const input = '{"applicant": "Ada", "amount": 100}';
    const run = await sundial("wf", "start", "loanApplication", "-w", workflowId, "-i", input);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain("AlreadyStarted, HTTP 409");

    const existing = await sundial(
      "--json",
      ...["wf", "start", "loanApplication", "-w", workflowId, "-i", input],
      ...["--id-conflict-policy", "UseExisting"],
    );
    expect(existing.code, existing.stderr).toBe(0);
    expect(json(existing)).toMatchObject({ workflowId, started: false });
  });

  it("exits 1 when the server cannot be reached, and reads SUNDIAL_ADDRESS", async ({ expect }) => {
    const run = await runCli(["workflow", "describe", "x"], {
      env: { SUNDIAL_ADDRESS: "http://127.0.0.1:9" },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("cannot reach Sundial at http://127.0.0.1:9");

    const viaEnv = await runCli(["--json", "workflow", "describe", uniqueId("env")], {
      env: { SUNDIAL_ADDRESS: server.address },
    });
    expect(viaEnv.code).toBe(3);
  });
});

describe.concurrent("sundial workflow signal, query, update, cancel, terminate, list, count", () => {
  it("signal sends a signal that lands in the history", async ({ expect }) => {
    const workflowId = uniqueId("signal");
    await startSleepingLoan(workflowId);

    const run = await sundial("workflow", "signal", workflowId, "approve", "-i", '{"by": "Ada"}');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Signal "approve" sent to workflow ${workflowId}`);
    const asJson = await sundial("--json", "wf", "signal", "-w", workflowId, "--name", "nudge");
    expect(asJson.code, asJson.stderr).toBe(0);
    expect(json(asJson)).toEqual({ ok: true, workflowId, signalName: "nudge" });

    const history = await eventually(
      () => sundial("--json", "workflow", "history", workflowId),
      (r) => r.stdout.split("WorkflowExecutionSignaled").length > 2,
    );
    const types = json<{ events: { eventType: string }[] }>(history).events.map((e) => e.eventType);
    expect(types.filter((t) => t === "WorkflowExecutionSignaled")).toHaveLength(2);

    const missing = await sundial("workflow", "signal", uniqueId("nobody"), "approve");
    expect(missing.code).toBe(3);
    const badInput = await sundial("workflow", "signal", workflowId, "approve", "-i", "{");
    expect(badInput.code).toBe(2);
  });

  it("query and update of an unknown handler exit 2", async ({ expect }) => {
    const workflowId = uniqueId("query");
    await startSleepingLoan(workflowId);

    const query = await sundial("workflow", "query", workflowId, "noSuchQuery");
    expect(query.code).toBe(2);
    expect(query.stderr).toContain("InvalidArgument, HTTP 400");
    const update = await sundial("--json", "workflow", "update", workflowId, "noSuchUpdate");
    expect(update.code).toBe(2);
    expect(json(update)).toMatchObject({ error: { code: "InvalidArgument", status: 400 } });

    const missing = await sundial("workflow", "query", uniqueId("nobody"), "status");
    expect(missing.code).toBe(3);
  });

  it("cancel asks the workflow to stop: it closes Canceled", async ({ expect }) => {
    const workflowId = uniqueId("cancel");
    await startSleepingLoan(workflowId);

    const run = await sundial("workflow", "cancel", workflowId, "--reason", "test");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Cancellation of workflow ${workflowId} requested`);

    const result = await sundial("--json", "workflow", "result", workflowId, "--wait", "20s");
    expect(result.code).toBe(6);
    expect(json(result)).toMatchObject({ status: "Canceled" });
  });

  it("terminate ends the workflow at once; a second terminate is a conflict", async ({
    expect,
  }) => {
    const workflowId = uniqueId("terminate");
    await startSleepingLoan(workflowId);

    const run = await sundial("--json", "workflow", "terminate", workflowId, "--reason", "test");
    expect(run.code, run.stderr).toBe(0);
    expect(json(run)).toEqual({ ok: true, workflowId });

    const described = await sundial("workflow", "describe", workflowId);
    expect(described.stdout).toMatch(/Status\s+Terminated/);
    const result = await sundial("workflow", "result", workflowId);
    expect(result.code).toBe(6);
    expect(result.stdout).toMatch(/Status\s+Terminated/);

    const again = await sundial("workflow", "terminate", workflowId);
    expect(again.code).toBe(4);
    const missing = await sundial("workflow", "terminate", uniqueId("nobody"));
    expect(missing.code).toBe(3);
  });

  it("list filters with --query, as a table and as JSON", async ({ expect }) => {
    const first = uniqueId("list-a");
    const second = uniqueId("list-b");
    await sundial("wf", "start", "steps", "-w", first, "-i", '{"n": 0}', "--wait");
    await startSleepingLoan(second);
    const query = `WorkflowId = '${first}' OR WorkflowId = '${second}'`;

    const run = await eventually(
      () => sundial("--json", "workflow", "list", "--query", query),
      (r) =>
        r.code === 0 &&
        json<{ executions: { status: string }[] }>(r)
          .executions.map((e) => e.status)
          .join() === "Running,Completed",
    );
    expect(run.code, run.stderr).toBe(0);
    const { executions } = json<{ executions: { workflowId: string; status: string }[] }>(run);
    // Newest first.
    expect(executions.map((e) => [e.workflowId, e.status])).toEqual([
      [second, "Running"],
      [first, "Completed"],
    ]);

    const table = await sundial("workflow", "list", "--query", query);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^STATUS\s+WORKFLOW ID\s+TYPE\s+START TIME\s+CLOSE TIME$/);
    expect(lines[1]).toMatch(new RegExp(`^Running\\s+${second}\\s+loanApplication`));
    expect(lines[2]).toMatch(new RegExp(`^Completed\\s+${first}\\s+steps`));

    const limited = await sundial("--json", "workflow", "list", "--query", query, "--limit", "1");
    const page = json<{ executions: unknown[]; nextPageToken: string | null }>(limited);
    expect(page.executions).toHaveLength(1);
    expect(page.nextPageToken).toEqual(expect.any(String));

    const none = await sundial("workflow", "list", "--query", "WorkflowId = 'no-such-id-ever'");
    expect(none.stdout).toContain("No workflow executions found");

    const malformed = await sundial("workflow", "list", "--query", "WorkflowId = = 'x'");
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain("InvalidArgument, HTTP 400");
  });

  it("count counts what a query matches", async ({ expect }) => {
    const first = uniqueId("count-a");
    const second = uniqueId("count-b");
    await sundial("wf", "start", "steps", "-w", first, "-i", '{"n": 0}', "--wait");
    await sundial("wf", "start", "steps", "-w", second, "-i", '{"n": 0}', "--wait");
    const query = `WorkflowId = '${first}' OR WorkflowId = '${second}'`;

    const run = await eventually(
      () => sundial("--json", "workflow", "count", "--query", query),
      (r) => r.code === 0 && json<{ count: number }>(r).count === 2,
    );
    expect(json(run)).toEqual({ count: 2 });
    const table = await sundial("workflow", "count", "--query", query);
    expect(table.stdout.trim()).toBe("Total: 2");
    const all = await sundial("--json", "workflow", "count");
    expect(json<{ count: number }>(all).count).toBeGreaterThanOrEqual(2);

    const malformed = await sundial("workflow", "count", "--query", "ExecutionStatus IN (");
    expect(malformed.code).toBe(2);
  });
});
