/**
 * @module Cold replay speed, quickly (issue 14): for each built engine given (`wrangler deploy
 * --dry-run --outdir DIR`, pass DIR/index.js), runs the `steps` workflow with n = 1000 and 10000
 * local activities once, then replays each cold (`POST /api/v1/unsafe/workflows/{id}/replay`, as
 * `npm run bench` does) ROUNDS times, the engines interleaved round by round so that a noisy
 * machine hurts them alike, and prints the median `replayMs` of each.
 *
 *   node bench/replay-speed.mjs A/index.js [B/index.js ...] [--rounds 7] [--fresh]
 *     [--sizes 1000,10000] [--warm N] [--profile [--port 8883]]
 *
 * `--profile` (first engine only) records a V8 CPU profile of workerd over the inspector during the
 * 10k replays and prints self time by source module (esbuild's `// path` markers) and top functions.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { Miniflare } from "miniflare";
import { WebSocket } from "undici";

const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(name);
  if (i < 0) return dflt;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const PROFILE = args.includes("--profile");
if (PROFILE) args.splice(args.indexOf("--profile"), 1);
const ROUNDS = Number(flag("--rounds", "7"));
const PORT = Number(flag("--port", "8883"));
const SIZES = (flag("--sizes", "1000,10000") ?? "").split(",").map(Number);
// --fresh: each round runs new workflows and replays each once, right after it ended (as
// `npm run bench` does), instead of replaying the same histories again.
const FRESH = args.includes("--fresh");
// --warm N: also N runs of a 100-local-step workflow per engine (the warm path drains too).
const WARM = Number(flag("--warm", "0"));
if (FRESH) args.splice(args.indexOf("--fresh"), 1);
const scripts = args;
if (scripts.length === 0) throw new Error("usage: node bench/replay-speed.mjs <index.js>... ");
const log = (...a) => console.error("[replay-speed]", ...a);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function engine(script, inspector) {
  return new Miniflare({
    ...(inspector ? { inspectorPort: PORT } : {}),
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
    bindings: { SUNDIAL_UNSAFE: "1", SUNDIAL_AUTH: "disabled" },
  });
}

async function call(mf, method, path, body) {
  const res = await mf.dispatchFetch(`http://localhost/api/v1${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

async function runSteps(mf, n) {
  const workflowId = `replay-${n}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  await call(mf, "POST", "/workflows", {
    workflowType: "steps",
    workflowId,
    input: { n, local: true },
  });
  for (;;) {
    const r = await call(mf, "GET", `/workflows/${workflowId}/result?wait=60s`);
    if (r.status === "Completed") return workflowId;
    if (r.status && r.status !== "Running") throw new Error(`${workflowId}: ${JSON.stringify(r)}`);
  }
}

/** Pids of the workerd processes under this one. */
function workerdPids() {
  const out = [];
  const walk = (pid) => {
    let kids = [];
    try {
      kids = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/);
    } catch {
      return;
    }
    for (const kid of kids.filter(Boolean)) {
      try {
        if (readFileSync(`/proc/${kid}/comm`, "utf8").includes("workerd")) out.push(kid);
      } catch {}
      walk(kid);
    }
  };
  walk(process.pid);
  return out;
}

/** CPU time (ms, ns resolution) of `pids`, all threads: less hurt by a busy machine than wall time. */
function cpuMs(pids) {
  let ns = 0;
  for (const pid of pids) {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      } catch {}
    }
  }
  return ns / 1e6;
}

const replay = (mf, id) => call(mf, "POST", `/unsafe/workflows/${id}/replay`);

const engines = [];
for (const [i, script] of scripts.entries()) {
  const before = new Set(workerdPids());
  const mf = engine(script, PROFILE && i === 0);
  await mf.ready;
  const pids = workerdPids().filter((p) => !before.has(p));
  const ids = {};
  for (const n of SIZES) ids[n] = await runSteps(mf, n);
  for (const n of SIZES) await replay(mf, ids[n]); // warm the isolate's code
  engines.push({
    script,
    mf,
    ids,
    pids,
    ms: Object.fromEntries(SIZES.map((n) => [n, []])),
    cpu: Object.fromEntries(SIZES.map((n) => [n, []])),
  });
  log(`${script}: histories ready`);
}

for (let r = 0; r < ROUNDS; r++) {
  for (const e of engines) {
    for (const n of SIZES) {
      if (FRESH) e.ids[n] = await runSteps(e.mf, n);
      const c0 = cpuMs(e.pids);
      e.ms[n].push((await replay(e.mf, e.ids[n])).replayMs);
      e.cpu[n].push(cpuMs(e.pids) - c0);
    }
  }
}
if (WARM > 0) {
  for (const e of engines) e.warm = [];
  for (let r = 0; r < WARM; r++) {
    for (const e of engines) {
      const t0 = performance.now();
      await runSteps(e.mf, 100);
      e.warm.push(performance.now() - t0);
    }
  }
}
for (const e of engines) {
  if (e.warm) {
    console.log(`${e.script}\n  warm steps n=100 local: median ${median(e.warm).toFixed(1)} ms`);
  }
  const parts = SIZES.map(
    (n) =>
      `${n}: replayMs median ${median(e.ms[n]).toFixed(1)}, min ${Math.min(...e.ms[n]).toFixed(1)} [${e.ms[n].map((x) => x.toFixed(0)).join(" ")}]; ` +
      `workerd CPU ms median ${median(e.cpu[n]).toFixed(1)}, min ${Math.min(...e.cpu[n]).toFixed(1)}`,
  );
  console.log(`${e.script}\n  ${parts.join("\n  ")}`);
}

if (PROFILE) {
  const e = engines[0];
  const n = SIZES.at(-1);
  const targets = await (await fetch(`http://127.0.0.1:${PORT}/json`)).json();
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((res) => ws.addEventListener("open", res, { once: true }));
  let id = 0;
  const pending = new Map();
  ws.addEventListener("message", (ev) => {
    const msg = JSON.parse(String(ev.data));
    pending.get(msg.id)?.(msg.result);
  });
  const send = (method, params = {}) =>
    new Promise((res) => {
      pending.set(++id, res);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", {
    interval: Number(process.env.PROFILE_INTERVAL_US ?? 100),
  });
  await send("Profiler.start");
  const RUNS = 5;
  for (let i = 0; i < RUNS; i++) await replay(e.mf, e.ids[n]);
  const { profile } = await send("Profiler.stop");
  ws.close();
  // Line → module, from esbuild's markers.
  const lines = readFileSync(e.script, "utf8").split("\n");
  const starts = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^\/\/ ((?:\.\.\/)*[\w@./-]+\.(?:[cm]?[jt]s|json))$/.exec(lines[i]);
    if (m) starts.push([i, m[1]]);
  }
  const moduleAt = (line) => {
    let found = "(prelude)";
    for (const [l, p] of starts) {
      if (l > line) break;
      found = p;
    }
    return found;
  };
  const byId = new Map(profile.nodes.map((x) => [x.id, x]));
  const parent = new Map();
  for (const x of profile.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
  const where = (nodeId) => {
    const f = byId.get(nodeId).callFrame;
    if (f.url.endsWith("index.js")) return moduleAt(f.lineNumber);
    return null;
  };
  const byModule = new Map();
  const byFn = new Map();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const nodeId = profile.samples[i];
    const f = byId.get(nodeId).callFrame;
    if (f.functionName === "(idle)") continue;
    total += ms;
    // Native frames count for the nearest bundle frame above them, marked "(native)".
    let mod = where(nodeId);
    if (!mod) {
      let at = nodeId;
      while (!mod && parent.has(at)) {
        at = parent.get(at);
        mod = where(at);
      }
      mod = `${mod ?? f.functionName} (native: ${f.functionName || "?"})`;
    }
    byModule.set(mod, (byModule.get(mod) ?? 0) + ms);
    const key = `${f.functionName || "(anon)"} ${where(nodeId) ?? f.url}:${f.lineNumber + 1}`;
    byFn.set(key, (byFn.get(key) ?? 0) + ms);
  }
  console.log(`profile: ${(total / RUNS).toFixed(1)} ms CPU per ${n}-event replay`);
  for (const [m, ms] of [...byModule].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`  ${(ms / RUNS).toFixed(2).padStart(7)} ms  ${m.replace(/^(\.\.\/)+/, "")}`);
  }
  console.log("top functions (self):");
  for (const [f, ms] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`  ${(ms / RUNS).toFixed(2).padStart(7)} ms  ${f.replace(/(\.\.\/)+/, "")}`);
  }
}

for (const e of engines) await e.mf.dispose();
