/**
 * The visibility list's lag under `npm run dev`: how long after a start's answer the run is listed
 * (GET /api/v1/workflows?query=WorkflowId = '…', polled every 10 ms), for sequential runs and for
 * a burst; and the runs' D1-side cost (inspector messages per run). Usage:
 *   BENCH_DEV_PORT=8841 node bench/list-lag.mjs   # ~1 min; port and port + 1 (inspector)
 * LAG_RUNS (20) sequential runs of `approval` (waits 1 h: listed by its first row) and of
 * `steps` local (closes at once: listed closed); LAG_BURST (100) `approval` starts at once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DevServer } from "./dev-procs.mjs";

const num = (name, fallback) => Number(process.env[name] ?? fallback);
const PORT = num("BENCH_DEV_PORT", 8821);
const RUNS = num("LAG_RUNS", 20);
const BURST = num("LAG_BURST", 100);
const root = fileURLToPath(new URL("..", import.meta.url));
const base = `http://127.0.0.1:${PORT}/api/v1`;
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const log = (line) => console.error(`[lag] ${line}`);

async function json(path, init) {
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

async function start(workflowType, workflowId, input) {
  for (;;) {
    const res = await fetch(`${base}/workflows`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        workflowType,
        workflowId,
        input,
        taskQueue: "default",
        requestId: workflowId,
      }),
    });
    await res.arrayBuffer();
    if (res.status === 201 || res.status === 200) return;
    if (res.status !== 503) throw new Error(`start ${workflowId}: ${res.status}`);
  }
}

async function listedAfter(workflowId, t0, status) {
  const q = encodeURIComponent(`WorkflowId = '${workflowId}'`);
  for (;;) {
    const body = await json(`/workflows?query=${q}`);
    const e = body.executions[0];
    if (e && (!status || e.status === status)) return performance.now() - t0;
    await sleep(10);
  }
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(0);
  return `median ${at(0.5)} ms, p90 ${at(0.9)}, max ${at(1)} (n=${s.length})`;
};

const dir = mkdtempSync(join(tmpdir(), "sundial-lag-"));
const server = new DevServer(
  "sundial",
  [
    join(root, "scripts/dev.mjs"),
    ...["--port", String(PORT), "--inspector-port", String(PORT + 1), "--persist-to", dir],
  ],
  {
    port: PORT,
    cwd: root,
    env: { ...process.env, WRANGLER_LOG_PATH: join(dir, "w.log") },
    debugLog: join(dir, "w.log"),
  },
);
try {
  await server.ready("/api/v1/namespaces");
  await sleep(2000);
  const tag = Date.now().toString(36);
  for (const [label, type, input, status] of [
    ["running (approval)", "approval", { item: "x", timeout: "1h" }, "Running"],
    ["closed at once (steps local)", "steps", { n: 1, local: true }, "Completed"],
  ]) {
    const lags = [];
    for (let i = 0; i < RUNS + 2; i++) {
      const id = `lag-${tag}-${type}-${i}`;
      const t0 = performance.now();
      await start(type, id, input);
      const lag = await listedAfter(id, t0, status);
      if (i >= 2) lags.push(lag); // 2 warm-ups
    }
    log(`sequential, ${label}: start → listed ${stats(lags)}`);
  }
  const t0 = performance.now();
  const ids = Array.from({ length: BURST }, (_, i) => `lag-${tag}-burst-${i}`);
  await Promise.all(ids.map((id) => start("approval", id, { item: "x", timeout: "1h" })));
  const answered = performance.now() - t0;
  const q = encodeURIComponent(`WorkflowId STARTS_WITH 'lag-${tag}-burst-'`);
  for (;;) {
    const { count } = await json(`/workflow-count?query=${q}`);
    if (count >= BURST) break;
    await sleep(10);
  }
  const all = performance.now() - t0;
  log(
    `burst of ${BURST}: all answered in ${answered.toFixed(0)} ms, all listed ${all.toFixed(0)} ms after the first start (${(all - answered).toFixed(0)} ms after the last answer)`,
  );
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
