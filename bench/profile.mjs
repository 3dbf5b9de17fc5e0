/**
 * @module `npm run bench -- --profile` (or `node bench/profile.mjs`; counts in BENCH_PROFILE_STARTS,
 * BENCH_PROFILE_WORKFLOWS; BENCH_PROFILE_TOP functions listed, 15): where workerd's
 * CPU goes, by phase, for (a) start requests and (b) queue-activity steps. Builds the engine as
 * `npm run bench` does, runs it in Miniflare with the inspector on, records a V8 CPU profile over the
 * Chrome DevTools Protocol (`Profiler.start`/`stop`) for each workload, and prints self time by phase.
 *
 * Attribution: the engine bundle is esbuild's unminified output, which marks each module with a
 * `// path/to/file.ts` line; a profile node's line maps to the module around it, and the module's
 * path to a phase (PHASES below). Native frames (SQLite, Queue send, JSON) take their caller's phase.
 *
 * (a) starts name a task queue bound to a Queue with no consumer: the start path runs in full (its
 * first task is sent) and nothing runs after it. (b) runs `steps` workflows of 10 queue activities
 * each, one at a time, from start to result.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { WebSocket } from "undici";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);
const OUT = join(BENCH_DIR, ".build", "profile-engine");
const INSPECTOR_PORT = Number(process.env.BENCH_INSPECTOR_PORT ?? 8871);
const STARTS = Number(process.env.BENCH_PROFILE_STARTS ?? 300);
const WORKFLOWS = Number(process.env.BENCH_PROFILE_WORKFLOWS ?? 30);
const TOP = Number(process.env.BENCH_PROFILE_TOP ?? 15);
const log = (...a) => console.error("[profile]", ...a);
/** The sampling interval is 100 µs; a sample counts for at most 4 of them (see attribution). */
const MAX_SAMPLE_MS = 0.4;

/** The statement wrappers around SqlStorage: their native calls count for their callers. */
const CODEC = "SQL wrappers (payload-sql, wake-floor)";
/** First match wins: a module path (as esbuild writes it) to its phase. */
const PHASES = [
  [/src\/auth\/|src\/namespaces\//, "auth middleware"],
  [
    /src\/api\/|node_modules\/hono|node_modules\/zod|src\/engine\.ts|src\/index\.ts/,
    "routing/validation/response",
  ],
  [/src\/codec\/|src\/execution\/wake-floor\.ts/, CODEC],
  [
    /src\/execution\/(schema|execution-context|runtime-cache)\.ts|workflow-execution\.ts/,
    "object creation/schema",
  ],
  [
    /src\/replay\/|src\/execution\/(workflow-task|runtimes|local-activity)|sdk\/workflow|examples\/|src\/history\/|sdk\/common/,
    "workflow task",
  ],
  [/src\/execution\/(outbox|delivery|outbox-policy)\.ts|src\/security\//, "outbox/queue send"],
  [/src\/visibility\/|src\/retention\//, "visibility/retention"],
  [
    /sdk\/activity\/|src\/execution\/activity\/(handlers|report)/,
    "activity report (worker + handlers)",
  ],
  [/src\/execution\/timers|timer-keys|src\/execution\/alarm/, "timers/alarm"],
  [/src\/execution\//, "commit (transition, stores)"],
];

function build() {
  const r = spawnSync(
    join(ROOT, "node_modules", ".bin", "wrangler"),
    ["deploy", "--dry-run", "--outdir", OUT],
    { cwd: ROOT, encoding: "utf8", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
  if (r.status !== 0) throw new Error(`engine build failed: ${r.stderr}`);
  return join(OUT, "index.js");
}

/** Line number (0-based) → module path, from esbuild's `// path` markers. */
function moduleTable(source) {
  const starts = [];
  const lines = source.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^\/\/ ((?:\.\.\/)*[\w@./-]+\.(?:[cm]?[jt]s|json))$/.exec(lines[i]);
    if (m) starts.push([i, m[1]]);
  }
  return (line) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = "(bundle prelude)";
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid][0] <= line) {
        found = starts[mid][1];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

function phaseOf(path) {
  for (const [re, phase] of PHASES) if (re.test(path)) return phase;
  return `other (${path
    .replace(/^(\.\.\/)+/, "")
    .split("/")
    .slice(0, 3)
    .join("/")})`;
}

/** Self time per phase (ms) and the top functions, from a CDP profile. */
function breakdown(profile, moduleAt, bundleName) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const phaseCache = new Map();
  const phaseOfNode = (id) => {
    if (phaseCache.has(id)) return phaseCache.get(id);
    const n = byId.get(id);
    const { url, functionName, lineNumber } = n.callFrame;
    let p;
    if (url.endsWith(bundleName)) p = phaseOf(moduleAt(lineNumber));
    else if (["(program)", "(idle)", "(garbage collector)"].includes(functionName)) {
      p = functionName === "(idle)" ? "idle" : `runtime ${functionName}`;
    } else if (functionName === "(root)") p = "runtime (root)";
    else p = parent.has(id) ? callerPhase(parent.get(id)) : "runtime (native)";
    phaseCache.set(id, p);
    return p;
  };
  // A native call (SQLite's exec) made through the codec wrapper counts for the wrapper's caller:
  // the wrapper's own phase is only its JavaScript.
  const callerPhase = (id) => {
    let at = id;
    while (phaseOfNode(at) === CODEC && parent.has(at)) at = parent.get(at);
    return phaseOfNode(at);
  };
  const selfMs = new Map();
  const fnMs = new Map();
  const dt = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    // A sample's time is the gap to the next one; when the isolate went idle in between, that gap
    // is idle time charged to the last frame (one sample in a JSON frame carried 67 ms): clamp it.
    const ms = Math.min((dt[i + 1] ?? 0) / 1000, MAX_SAMPLE_MS);
    const id = profile.samples[i];
    const p = phaseOfNode(id);
    selfMs.set(p, (selfMs.get(p) ?? 0) + ms);
    const f = byId.get(id).callFrame;
    const where = f.url.endsWith(bundleName) ? moduleAt(f.lineNumber) : f.url || "native";
    const key = `${f.functionName || "(anonymous)"} ${where.replace(/^(\.\.\/)+/, "")}${f.url.endsWith(bundleName) ? `:${f.lineNumber + 1}` : ""}`;
    fnMs.set(key, (fnMs.get(key) ?? 0) + ms);
  }
  return { selfMs, fnMs };
}

function print(title, { selfMs, fnMs }, per, unit) {
  const busy = [...selfMs].filter(([p]) => p !== "idle").reduce((s, [, v]) => s + v, 0);
  const out = [
    `${title}: ${busy.toFixed(1)} ms CPU over ${per} ${unit} = ${(busy / per).toFixed(3)} ms per ${unit}`,
  ];
  for (const [p, ms] of [...selfMs].sort((a, b) => b[1] - a[1])) {
    if (p === "idle") continue;
    out.push(
      `  ${p.padEnd(40)} ${(ms / per).toFixed(3).padStart(8)} ms  ${((100 * ms) / busy).toFixed(1).padStart(5)}%`,
    );
  }
  out.push("  top functions (self):");
  for (const [f, ms] of [...fnMs].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
    if (f.startsWith("(idle)")) continue;
    out.push(`    ${(ms / per).toFixed(3).padStart(8)} ms  ${f}`);
  }
  return out.join("\n");
}

class Cdp {
  #id = 0;
  #pending = new Map();
  constructor(ws) {
    this.ws = ws;
    ws.addEventListener("message", (e) => {
      const msg = JSON.parse(typeof e.data === "string" ? e.data : Buffer.from(e.data).toString());
      const p = this.#pending.get(msg.id);
      if (!p) return;
      this.#pending.delete(msg.id);
      if (msg.error) p.reject(new Error(JSON.stringify(msg.error)));
      else p.resolve(msg.result);
    });
  }
  static async connect(url) {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.addEventListener("open", resolve, { once: true });
      ws.addEventListener("error", reject, { once: true });
    });
    return new Cdp(ws);
  }
  send(method, params = {}) {
    const id = ++this.#id;
    this.ws.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject }));
  }
}

async function main() {
  log("building the engine (wrangler deploy --dry-run)");
  const entry = build();
  const moduleAt = moduleTable(readFileSync(entry, "utf8"));
  const consumer = { maxBatchSize: 10, maxBatchTimeout: 0, maxRetries: 10, retryDelay: 0 };
  const mf = new Miniflare({
    inspectorPort: INSPECTOR_PORT,
    workers: [
      {
        name: "sundial",
        modules: true,
        scriptPath: entry,
        compatibilityDate: "2026-04-20",
        compatibilityFlags: ["nodejs_compat"],
        durableObjects: {
          WORKFLOW_EXECUTION: { className: "WorkflowExecution", useSQLite: true },
          SCHEDULE: { className: "ScheduleObject", useSQLite: true },
        },
        queueProducers: {
          ACTIVITY_QUEUE: { queueName: "sundial-activities" },
          SINK_QUEUE: { queueName: "sundial-sink" },
        },
        queueConsumers: { "sundial-activities": consumer },
        bindings: {
          SUNDIAL_TASK_QUEUES: '{"default":"ACTIVITY_QUEUE","sink":"SINK_QUEUE"}',
          SUNDIAL_AUTH: "disabled",
        },
      },
    ],
    handleRuntimeStdio(stdout, stderr) {
      stdout.pipe(process.stderr);
      stderr.pipe(process.stderr);
    },
  });
  await mf.ready;
  try {
    const targets = await (await fetch(`http://127.0.0.1:${INSPECTOR_PORT}/json`)).json();
    const target = targets.find((t) => /sundial/.test(t.title ?? t.id ?? "")) ?? targets[0];
    log(`inspector target: ${target.title ?? target.id}`);
    const cdp = await Cdp.connect(target.webSocketDebuggerUrl);
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 100 });

    const call = async (method, path, body) => {
      const res = await mf.dispatchFetch(`http://localhost${path}`, {
        method,
        headers: body ? { "content-type": "application/json" } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : null };
    };
    let seq = 0;
    // BENCH_PROFILE_LOCAL=1: (b) runs local activities (its starts stay queue activities).
    const LOCAL = process.env.BENCH_PROFILE_LOCAL === "1";
    const start = async (taskQueue, local = false) => {
      // BENCH_PROFILE_SAME_ID=1 (diagnostics): every start names one running workflow (no new object).
      const same = process.env.BENCH_PROFILE_SAME_ID === "1" && taskQueue === "sink";
      const workflowId = same ? "profile-same" : `profile-${process.pid}-${++seq}`;
      const r = await call("POST", "/api/v1/workflows", {
        workflowType: "steps",
        workflowId,
        taskQueue,
        input: { n: 10, local },
        ...(same ? { idConflictPolicy: "UseExisting" } : {}),
      });
      if (r.status !== (same && seq++ > 0 ? 200 : 201))
        throw new Error(`start: ${r.status} ${JSON.stringify(r.json)}`);
      return workflowId;
    };
    const runOne = async () => {
      const id = await start("default", LOCAL);
      for (;;) {
        const r = await call("GET", `/api/v1/workflows/${id}/result?wait=30s`);
        if (r.status === 200) return;
        if (r.status !== 202) throw new Error(`result: ${r.status}`);
      }
    };
    const bundleName = "index.js";
    const results = [];

    for (let i = 0; i < 20; i++) await start("sink"); // warm-up
    await cdp.send("Profiler.start");
    const t0 = performance.now();
    const lat = [];
    for (let i = 0; i < STARTS; i++) {
      const s = performance.now();
      await start("sink");
      lat.push(performance.now() - s);
    }
    const wall = performance.now() - t0;
    const a = (await cdp.send("Profiler.stop")).profile;
    lat.sort((x, y) => x - y);
    results.push(
      `${print("(a) start requests", breakdown(a, moduleAt, bundleName), STARTS, "start")}\n` +
        // Measured (BENCH_PROFILE_SAME_ID=1: ~0.15 ms there): workerd creates the new object (its
        // SQLite file) synchronously inside the stub call, so V8 counts it to the calling frame.
        "  note: the start route's own frame (routing) holds the creation of the new object\n" +
        `  client-side: p50 ${lat[lat.length >> 1].toFixed(2)} ms, wall ${wall.toFixed(0)} ms`,
    );

    for (let i = 0; i < 3; i++) await runOne(); // warm-up
    await new Promise((r) => setTimeout(r, 200));
    await cdp.send("Profiler.start");
    const t1 = performance.now();
    for (let i = 0; i < WORKFLOWS; i++) await runOne();
    const wall1 = performance.now() - t1;
    const b = (await cdp.send("Profiler.stop")).profile;
    results.push(
      `${print(`(b) 10 ${LOCAL ? "local" : "queue"} steps per workflow (start to result)`, breakdown(b, moduleAt, bundleName), WORKFLOWS * 10, "step")}\n` +
        `  client-side: ${(wall1 / WORKFLOWS).toFixed(2)} ms per workflow`,
    );
    cdp.ws.close();
    process.stdout.write(`${results.join("\n\n")}\n`);
  } finally {
    await mf.dispose();
  }
}

await main();
