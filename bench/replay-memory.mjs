/**
 * Peak memory of one cold replay of a heavy history (issue 9, item 12). Runs a built engine
 * (`wrangler deploy --dry-run --outdir DIR`, pass DIR/index.js) in Miniflare, records an `approval`
 * with N accepted updates whose input carries a PAD-byte string (the workflow keeps none of it),
 * then replays it cold (`POST /api/v1/unsafe/workflows/{id}/replay`) while sampling workerd's RSS.
 * Prints the history size and the RSS growth during the replay.
 *
 *   node bench/replay-memory.mjs bench/.build/engine/index.js [N=60] [PAD=900000]
 */
import { execFileSync } from "node:child_process";
import { dirname } from "node:path";
import { Miniflare } from "miniflare";

const [script, nArg = "60", padArg = "900000"] = process.argv.slice(2);
if (!script) throw new Error("usage: node bench/replay-memory.mjs <engine index.js> [N] [PAD]");
const N = Number(nArg);
const PAD = Number(padArg);

const mf = new Miniflare({
  modules: true,
  scriptPath: script,
  modulesRoot: dirname(script),
  compatibilityDate: "2026-04-20",
  compatibilityFlags: ["nodejs_compat"],
  durableObjects: {
    WORKFLOW_EXECUTION: { className: "WorkflowExecution", useSQLite: true },
    SCHEDULE: { className: "ScheduleObject", useSQLite: true },
  },
  queueProducers: { ACTIVITY_QUEUE: { queueName: "sundial-activities" } },
  bindings: { SUNDIAL_UNSAFE: "1" },
});
await mf.ready;

/** RSS (kB) of the workerd processes under this node process. */
function workerdRssKb() {
  const out = execFileSync("ps", ["-o", "pid=,rss=,comm=", "--ppid", String(process.pid)], {
    encoding: "utf8",
  });
  let total = 0;
  for (const line of out.trim().split("\n")) {
    const [pid, rss, comm] = line.trim().split(/\s+/);
    if (!comm?.includes("workerd")) continue;
    total += Number(rss);
    // workerd may run its isolate in a child process: count those too.
    try {
      const kids = execFileSync("ps", ["-o", "rss=", "--ppid", pid], { encoding: "utf8" });
      for (const k of kids.trim().split("\n")) if (k.trim()) total += Number(k.trim());
    } catch {}
  }
  return total;
}

async function call(method, path, body) {
  const res = await mf.dispatchFetch(`http://localhost/api/v1${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

const id = `mem-${Date.now()}`;
await call("POST", "/workflows", {
  workflowType: "approval",
  workflowId: id,
  input: { item: "x" },
});
const pad = "x".repeat(PAD);
for (let i = 0; i < N; i++) {
  await call("POST", `/workflows/${id}/updates/extend`, { input: { by: "1m", pad } });
}
const d = await call("GET", `/workflows/${id}`);
const historyMb = (N * PAD) / 1e6;

// Let the isolate settle, then sample RSS every 2 ms during the replay.
if (globalThis.gc) globalThis.gc();
await new Promise((r) => setTimeout(r, 1500));
const before = workerdRssKb();
let peak = before;
let sampling = true;
const sampler = (async () => {
  while (sampling) {
    peak = Math.max(peak, workerdRssKb());
    await new Promise((r) => setTimeout(r, 2));
  }
})();
const r = await call("POST", `/unsafe/workflows/${id}/replay`);
sampling = false;
await sampler;
peak = Math.max(peak, workerdRssKb());
console.log(
  `engine ${script}: history ${d.historyLength} events, ~${historyMb.toFixed(0)} MB; replay ${r.replayMs.toFixed(0)} ms; workerd RSS before ${(before / 1024).toFixed(0)} MB, peak ${(peak / 1024).toFixed(0)} MB, growth ${((peak - before) / 1024).toFixed(0)} MB`,
);
await mf.dispose();
