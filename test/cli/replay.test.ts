/**
 * `sundial replay` and `sundial history export` against a real `wrangler dev` with waiting `approval`
 * workflows: the unchanged code replays (exit 0); a copy whose commands come in another order
 * diverges for each of them (exit 1, naming each with both sides of its first divergence and the
 * changed file's line); the original replays again (exit 0). An exported history passes
 * replayHistory in this process.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approval } from "../../examples/approval";
import { loanApplication } from "../../examples/loan-application";
import { type HistoryFixture, replayHistory } from "../../src/testing/index";
import { type CliRun, type DevServer, runCli, startDevServer } from "./harness.mjs";
import { readJson, removeDir, tempDir, writeReorderedApproval } from "./replay-files.mjs";

let server: DevServer;
let dir: string;
const prefix = `replay-${crypto.randomUUID().slice(0, 8)}`;
const ids = [1, 2, 3].map((i) => `${prefix}-${i}`);
const query = `WorkflowType = 'approval' AND ExecutionStatus = 'Running' AND WorkflowId STARTS_WITH '${prefix}'`;

function sundial(...args: string[]): Promise<CliRun> {
  return runCli(["--address", server.address, ...args], { timeoutMs: 90_000 });
}

async function api(path: string, body?: unknown): Promise<Response> {
  return fetch(`${server.address}/api/v1${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** Polls `check` until it returns true (the visibility index is eventually consistent). */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  server = await startDevServer({ migrate: true, timeoutMs: 90_000 });
  dir = await tempDir();
  for (const workflowId of ids) {
    const res = await api("/workflows", {
      workflowType: "approval",
      workflowId,
      input: { item: workflowId, timeout: "1h" },
    });
    if (res.status !== 201) throw new Error(`start: ${res.status} ${await res.text()}`);
  }
  // Each waits on its timer, and the list query sees all three.
  await until(async () => {
    const res = await api(`/workflow-count?query=${encodeURIComponent(query)}`);
    return ((await res.json()) as { count: number }).count === ids.length;
  }, "the approvals to be listed");
  for (const workflowId of ids) {
    await until(async () => {
      const res = await api(`/workflows/${workflowId}`);
      return ((await res.json()) as { pendingTimers: unknown[] }).pendingTimers.length > 0;
    }, `${workflowId}'s timer`);
  }
}, 150_000);

afterAll(async () => {
  await server?.stop();
  if (dir) await removeDir(dir);
});

describe("sundial replay", () => {
  it("exits 0 on the deployed code, 1 naming each diverging workflow after a reorder, 0 after reverting", async () => {
    const ok = await sundial("replay", "--workflows", "examples/approval.ts", "--query", query);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    for (const id of ids)
      expect(ok.stdout).toMatch(new RegExp(`^ok\\s+${id} \\(approval, run `, "m"));
    expect(ok.stdout).toContain("replayed 3 executions");
    expect(ok.stdout).toContain("3 ok, 0 diverged, 0 failed");

    const reordered = await writeReorderedApproval(dir);
    const bad = await sundial("replay", "--workflows", reordered, "--query", query);
    expect(bad.code, bad.stdout + bad.stderr).toBe(1);
    for (const id of ids)
      expect(bad.stdout).toMatch(new RegExp(`^DIVERGES\\s+${id} \\(approval`, "m"));
    expect(bad.stdout.match(/expected \(history\)\s+#2 TimerStarted\(seq 1\)/g)).toHaveLength(3);
    expect(
      bad.stdout.match(
        /produced \(code\)\s+RunLocalActivity\(seq 1, recordDecision\)\s+at \S*approval\.ts:\d+:\d+/g,
      ),
    ).toHaveLength(3);
    expect(bad.stdout).toContain(`at ${reordered}:`);
    expect(bad.stdout).toContain("0 ok, 3 diverged, 0 failed");

    const again = await sundial("replay", "--workflows", "examples/approval.ts", "--query", query);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain("3 ok, 0 diverged, 0 failed");
  });

  it("--json reports each execution; a module exporting an array of definitions works", async () => {
    const run = await sundial(
      "--json",
      "replay",
      "--workflows",
      "examples/index.ts",
      "--query",
      query,
      "--limit",
      "2",
    );
    expect(run.code, run.stderr).toBe(0);
    const body = JSON.parse(run.stdout) as { results: { ok: boolean }[]; replayed: number };
    expect(body.replayed).toBe(2);
    expect(body.results.every((r) => r.ok)).toBe(true);
  });

  it("refuses a module without workflows and a missing file (exit 2), changing nothing", async () => {
    const none = await sundial("replay", "--workflows", "sdk/common/duration.ts", "--query", query);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("exports no workflow definitions");
    const missing = await sundial("replay", "--workflows", "no/such/file.ts");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no such file");
  });
});

describe("sundial history export", () => {
  it("writes a fixture that replayHistory accepts", async () => {
    const file = `${dir}/${ids[0]}.json`;
    const run = await sundial("history", "export", ids[0]!, "-o", file);
    expect(run.code, run.stderr).toBe(0);
    const fixture = (await readJson(file)) as HistoryFixture;
    expect(fixture).toMatchObject({ workflowId: ids[0], namespace: "default" });
    expect(fixture.events.map((e) => e.eventType)).toEqual([
      "WorkflowExecutionStarted",
      "TimerStarted",
    ]);
    await expect(replayHistory([approval], fixture)).resolves.toMatchObject({ workflowId: ids[0] });
    // The wrong workflow for it: not among those given.
    await expect(replayHistory([loanApplication], fixture)).rejects.toThrow(
      /not among the workflows/,
    );
  });
});
