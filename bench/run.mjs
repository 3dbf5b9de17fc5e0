/**
 * @module `npm run bench`: builds the engine (wrangler dry-run) and the bench Worker (esbuild), runs
 * both in one Miniflare, measures, and prints the `name: value` block last on stdout. Progress and
 * diagnostics go to stderr. See bench/README.md for what each number means.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { workerdCpuMs } from "./cpu.mjs";
import { measureSchedules } from "./schedules.mjs";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);
const BUILD_DIR = join(BENCH_DIR, ".build");
const ENGINE_OUT = join(BUILD_DIR, "engine");
const BENCH_OUT = join(BUILD_DIR, "bench-worker.js");
const COMPAT = { compatibilityDate: "2026-04-20", compatibilityFlags: ["nodejs_compat"] };
const QUIET_ENV = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};
/** wrangler.toml's consumer settings; the bench's own queue uses the same. */
const QUEUE_CONSUMER = { maxBatchSize: 10, maxBatchTimeout: 0, maxRetries: 10, retryDelay: 0 };
const ENGINE = "http://localhost";
const WORKFLOW_TIMEOUT_MS = 60_000;

const log = (...args) => console.error("[bench]", ...args);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x, digits = 2) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : Number.NaN);
const stats = (xs) =>
  `median ${round(median(xs))} ms, min ${round(Math.min(...xs))}, max ${round(Math.max(...xs))} (n=${xs.length})`;

/** Metrics in print order; a metric left NaN says on stderr why. */
const metrics = {
  floor_rpc_sql_per_s: Number.NaN,
  steps_per_s_warm: Number.NaN,
  step_overhead_vs_floor: Number.NaN,
  steps_per_s_warm_queue: Number.NaN,
  start_request_p50_ms: Number.NaN,
  latency_10_steps_ms: Number.NaN,
  latency_10_local_steps_ms: Number.NaN,
  throughput_10_step_workflows_per_s: Number.NaN,
  cpu_ms_per_workflow: Number.NaN,
  cold_replay_ms_1k_events: Number.NaN,
  cold_replay_ms_10k_events: Number.NaN,
  cf_workflows_latency_10_steps_ms: Number.NaN,
  latency_vs_cf_workflows: Number.NaN,
  latency_vs_cf_workflows_local: Number.NaN,
};

/** Runs one measurement; a failure is reported and leaves its metrics NaN instead of ending the run. */
async function phase(name, fn) {
  const t0 = performance.now();
  log(`${name} ...`);
  try {
    await fn();
    log(`${name} done in ${round((performance.now() - t0) / 1000, 1)} s`);
  } catch (err) {
    log(`${name} FAILED: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function buildEngine() {
  const wrangler = join(ROOT, "node_modules", ".bin", "wrangler");
  const r = spawnSync(wrangler, ["deploy", "--dry-run", "--outdir", ENGINE_OUT], {
    cwd: ROOT,
    env: { ...process.env, ...QUIET_ENV },
    encoding: "utf8",
  });
  const entry = join(ENGINE_OUT, "index.js");
  if (r.status !== 0 || !existsSync(entry)) {
    const out = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n").slice(-25).join("\n");
    log(`engine build failed (exit ${r.status}):\n${out}`);
    return null;
  }
  return entry;
}

async function buildBenchWorker() {
  await build({
    entryPoints: [join(BENCH_DIR, "worker.ts")],
    outfile: BENCH_OUT,
    bundle: true,
    format: "esm",
    target: "es2022",
    platform: "neutral",
    external: ["cloudflare:*"],
    logLevel: "warning",
  });
  return BENCH_OUT;
}

/** The engine Worker with the bindings of wrangler.toml, plus SUNDIAL_UNSAFE for the replay route. */
function engineWorker(scriptPath) {
  return {
    name: "sundial",
    modules: true,
    scriptPath,
    ...COMPAT,
    durableObjects: {
      WORKFLOW_EXECUTION: { className: "WorkflowExecution", useSQLite: true },
      SCHEDULE: { className: "ScheduleObject", useSQLite: true },
    },
    queueProducers: {
      ACTIVITY_QUEUE: { queueName: "sundial-activities" },
      NOTIFICATIONS_QUEUE: { queueName: "sundial-notifications" },
    },
    queueConsumers: {
      "sundial-activities": QUEUE_CONSUMER,
    },
    bindings: {
      SUNDIAL_TASK_QUEUES: '{"default":"ACTIVITY_QUEUE","notifications":"NOTIFICATIONS_QUEUE"}',
      SUNDIAL_UNSAFE: "1",
      SUNDIAL_AUTH: "disabled",
    },
  };
}

function benchWorker(scriptPath) {
  return {
    name: "bench",
    modules: true,
    scriptPath,
    ...COMPAT,
    durableObjects: {
      FLOOR: { className: "FloorDO", useSQLite: true },
      HOP_CHAIN: { className: "HopChain", useSQLite: true },
    },
    queueProducers: { HOP_QUEUE: { queueName: "bench-hops" } },
    queueConsumers: { "bench-hops": QUEUE_CONSUMER },
    workflows: { BENCH_WF: { name: "bench-wf", className: "TenSteps" } },
  };
}

// ---------------------------------------------------------------------------------------------
// Engine client

async function engineJson(mf, method, path, body) {
  const res = await mf.dispatchFetch(`${ENGINE}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = { raw: text.slice(0, 300) };
  }
  return { status: res.status, json };
}

let seq = 0;
const newId = (tag) => `bench-${tag}-${process.pid}-${++seq}`;

/** Starts a workflow and long-polls its result; returns the client-side wall time in ms. */
async function runWorkflow(mf, workflowType, input, tag) {
  const workflowId = newId(tag);
  const t0 = performance.now();
  const start = await engineJson(mf, "POST", "/api/v1/workflows", {
    workflowType,
    workflowId,
    input,
  });
  const startMs = performance.now() - t0;
  if (start.status !== 201) {
    throw new Error(`start ${workflowId}: HTTP ${start.status} ${JSON.stringify(start.json)}`);
  }
  for (;;) {
    const r = await engineJson(mf, "GET", `/api/v1/workflows/${workflowId}/result?wait=60s`);
    if (r.status === 200) {
      const ms = performance.now() - t0;
      if (r.json.status !== "Completed" || r.json.result !== input.n) {
        throw new Error(`${workflowId} closed as ${JSON.stringify(r.json).slice(0, 400)}`);
      }
      return { workflowId, ms, startMs };
    }
    if (r.status !== 202) {
      throw new Error(`result ${workflowId}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
    }
    if (performance.now() - t0 > WORKFLOW_TIMEOUT_MS) {
      throw new Error(`${workflowId} still Running after ${WORKFLOW_TIMEOUT_MS} ms`);
    }
  }
}

async function runSteps(mf, n, local, count, warmup = 1) {
  for (let i = 0; i < warmup; i++) await runWorkflow(mf, "steps", { n, local }, "warmup");
  const times = [];
  for (let i = 0; i < count; i++)
    times.push((await runWorkflow(mf, "steps", { n, local }, `s${n}`)).ms);
  return times;
}

// ---------------------------------------------------------------------------------------------
// Phases

async function measureFloor(bench) {
  await (await bench.fetch("http://bench/floor?n=300")).text(); // warm-up
  const rates = [];
  for (let i = 0; i < 3; i++) {
    const r = await (await bench.fetch("http://bench/floor?n=3000")).json();
    log(`  floor: ${r.calls} calls in ${round(r.ms)} ms = ${round(r.perSecond, 0)}/s`);
    rates.push(r.perSecond);
  }
  metrics.floor_rpc_sql_per_s = round(median(rates), 0);
  // Diagnostic only: every workflow (Sundial's or Cloudflare's) lives in a new object.
  const fresh = await (await bench.fetch("http://bench/floor-new-object?n=100")).json();
  log(`  new object + RPC + INSERT: ${round(fresh.msPerCall)} ms each (${fresh.calls} calls)`);
}

/** Diagnostics only (stderr): the cheapest queue-driven step, to set the engine's queue numbers against. */
async function measureQueueFloor(bench) {
  const chains = async (n, hops) => {
    const res = await bench.fetch(`http://bench/hop-chains?chains=${n}&hops=${hops}`);
    if (res.status !== 200) throw new Error(`hop-chains: HTTP ${res.status} ${await res.text()}`);
    return res.json();
  };
  await chains(1, 10); // warm-up
  const seq = await chains(1, 100);
  log(`  queue hop + RPC + INSERT, one chain of 100: ${round(seq.msPerHop)} ms per hop`);
  const ten = [];
  for (let i = 0; i < 10; i++) ten.push((await chains(1, 10)).ms);
  log(`  queue chain of 10 hops: ${stats(ten)}`);
  const burst = await chains(200, 10);
  log(
    `  200 concurrent chains of 10 hops: ${round(burst.ms)} ms wall = ` +
      `${round((200 * 1000) / burst.ms, 1)} chains/s (the local queue's ceiling for the burst)`,
  );
}

/**
 * One 10-step Cloudflare Workflow, measured as the engine's runs are: one request creates it and
 * answers its id (as `POST /workflows` does), a second awaits it (as `GET …/result?wait=` does; the
 * bench Worker polls `status()` every 1 ms, the engine's object wakes its long-poll on close).
 */
async function cfWorkflowOnce(bench) {
  const t0 = performance.now();
  const created = await bench.fetch("http://bench/cf-workflow/create?steps=10");
  const c = await created.json();
  if (created.status !== 200 || typeof c.id !== "string") {
    throw new Error(`cf-workflow/create: HTTP ${created.status} ${JSON.stringify(c)}`);
  }
  const res = await bench.fetch(`http://bench/cf-workflow/result?id=${c.id}&pollMs=1`);
  const body = await res.json();
  const ms = performance.now() - t0;
  if (res.status !== 200 || body.output !== 10) {
    throw new Error(`cf-workflow/result: HTTP ${res.status} ${JSON.stringify(body)}`);
  }
  return { ms, create: c.createMs, polls: body.polls };
}

/** Diagnostics: create and await in one request (one client round trip fewer than either API needs). */
async function cfWorkflowOneRequest(bench) {
  const t0 = performance.now();
  const res = await bench.fetch("http://bench/cf-workflow?steps=10&pollMs=1");
  const body = await res.json();
  const ms = performance.now() - t0;
  if (res.status !== 200 || body.output !== 10) {
    throw new Error(`cf-workflow: HTTP ${res.status} ${JSON.stringify(body)}`);
  }
  return { ms, inner: body.ms };
}

function reportCf(runs, oneRequest = []) {
  log(`  cf workflows, client-side (create + result requests): ${stats(runs.map((r) => r.ms))}`);
  log(`  cf workflows, create() alone: ${stats(runs.map((r) => r.create))}`);
  log(`  cf workflows, status polls per run: median ${median(runs.map((r) => r.polls))}`);
  if (oneRequest.length > 0) {
    log(
      `  cf workflows, one request (create + poll in the Worker), client-side: ${stats(oneRequest.map((r) => r.ms))}`,
    );
    log(`  cf workflows, one request, inside Worker: ${stats(oneRequest.map((r) => r.inner))}`);
  }
  metrics.cf_workflows_latency_10_steps_ms = round(median(runs.map((r) => r.ms)));
}

/** Cloudflare Workflows alone (when the engine is not there to interleave with). */
async function measureCfWorkflows(bench) {
  for (let i = 0; i < 3; i++) await cfWorkflowOnce(bench);
  const runs = [];
  for (let i = 0; i < 30; i++) runs.push(await cfWorkflowOnce(bench));
  reportCf(runs);
}

async function measureStepsRate(mf) {
  const floorMsPerOp = 1000 / metrics.floor_rpc_sql_per_s;
  for (const local of [true, false]) {
    const times = await runSteps(mf, 100, local, 5);
    const ms = median(times);
    log(`  steps n=100 local=${local}: ${stats(times)}; ${round(ms / 100, 3)} ms/step`);
    if (local) {
      metrics.steps_per_s_warm = round((100 * 1000) / ms, 1);
      metrics.step_overhead_vs_floor = round(ms / 100 / floorMsPerOp);
    } else {
      metrics.steps_per_s_warm_queue = round((100 * 1000) / ms, 1);
      log(`  queue steps: ${round(ms / 100 / floorMsPerOp)}x floor per step`);
    }
  }
}

/**
 * The 10-step latencies, interleaved run by run with Cloudflare Workflows' so that both see the
 * same machine load (this machine's load moves them by tens of percent between phases).
 */
async function measureLatency(mf, bench) {
  const starts = [];
  const timed = async (local, tag) => {
    const run = await runWorkflow(mf, "steps", { n: 10, local }, tag);
    starts.push(run.startMs);
    return run.ms;
  };
  const queueRun = () => timed(false, "s10");
  const localRun = () => timed(true, "l10");
  // An engine failure stops the engine's runs but not Cloudflare's, so the baseline is still measured.
  let engineError;
  const engine = async (fn, into) => {
    if (engineError) return;
    try {
      into.push(await fn());
    } catch (err) {
      engineError = err;
    }
  };
  const cf = [];
  const cfOne = [];
  const queue = [];
  const local = [];
  for (let i = 0; i < 33; i++) {
    cf.push(await cfWorkflowOnce(bench));
    cfOne.push(await cfWorkflowOneRequest(bench));
    await engine(queueRun, queue);
    await engine(localRun, local);
  }
  // The first 3 of each are warm-ups.
  for (const xs of [cf, cfOne, queue, local]) xs.splice(0, 3);
  reportCf(cf, cfOne);
  if (engineError) throw engineError;
  log(`  steps n=10 queue: ${stats(queue)}`);
  metrics.latency_10_steps_ms = round(median(queue));
  log(`  steps n=10 local: ${stats(local)}`);
  metrics.latency_10_local_steps_ms = round(median(local));
  starts.splice(0, 6); // the warm-ups' starts
  log(`  start request (POST /workflows, client-side): ${stats(starts)}`);
  metrics.start_request_p50_ms = round(median(starts));
}

async function measureThroughput(mf) {
  const count = 200;
  const cpu0 = workerdCpuMs();
  const t0 = performance.now();
  const results = await Promise.allSettled(
    Array.from({ length: count }, () => runWorkflow(mf, "steps", { n: 10, local: false }, "burst")),
  );
  const wallMs = performance.now() - t0;
  const cpuMs = workerdCpuMs() - cpu0;
  const failed = results.filter((r) => r.status === "rejected");
  if (failed.length > 0) {
    throw new Error(`${failed.length}/${count} failed; first: ${failed[0].reason?.message}`);
  }
  const lat = results.map((r) => r.value.ms);
  log(`  burst of ${count}: ${round(wallMs)} ms wall; per-workflow latency ${stats(lat)}`);
  metrics.throughput_10_step_workflows_per_s = round((count * 1000) / wallMs, 1);
  // Zero when /proc is not there to read (not Linux): say so rather than print a false 0.
  metrics.cpu_ms_per_workflow = cpuMs > 0 ? round(cpuMs / count) : Number.NaN;
  log(
    `  workerd CPU during the burst: ${round(cpuMs)} ms = ${round(cpuMs / count)} ms per workflow`,
  );
}

async function measureColdReplay(mf, n, metric) {
  const run = await runWorkflow(mf, "steps", { n, local: true }, `replay${n}`);
  log(`  steps n=${n} local ran in ${round(run.ms)} ms`);
  const r = await engineJson(mf, "POST", `/api/v1/unsafe/workflows/${run.workflowId}/replay`);
  if (r.status !== 200 || typeof r.json.replayMs !== "number") {
    throw new Error(`replay ${run.workflowId}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
  }
  log(`  replay n=${n}: ${round(r.json.replayMs)} ms over ${r.json.historyLength} events`);
  metrics[metric] = round(r.json.replayMs);
}

// ---------------------------------------------------------------------------------------------

/** Starts Miniflare with the given Workers; resolves to null (logged) if the runtime will not start. */
async function startMiniflare(workers) {
  const mf = new Miniflare({
    workers,
    handleRuntimeStdio(stdout, stderr) {
      // Worker console output is diagnostics: keep stdout for the final block.
      stdout.pipe(process.stderr);
      stderr.pipe(process.stderr);
    },
  });
  try {
    await mf.ready;
    return mf;
  } catch (err) {
    log(`Miniflare did not start: ${err instanceof Error ? err.message : String(err)}`);
    await mf.dispose().catch(() => {});
    return null;
  }
}

async function main() {
  const t0 = performance.now();
  log("building the engine (wrangler deploy --dry-run) and the bench Worker (esbuild)");
  const [engineEntry, benchEntry] = await Promise.all([
    Promise.resolve().then(buildEngine),
    buildBenchWorker(),
  ]);

  let withEngine = engineEntry !== null;
  let mf = withEngine
    ? await startMiniflare([engineWorker(engineEntry), benchWorker(benchEntry)])
    : null;
  if (!mf) {
    if (withEngine) log("retrying without the engine Worker: engine metrics will be NaN");
    withEngine = false;
    mf = await startMiniflare([benchWorker(benchEntry)]);
  }

  if (mf) {
    try {
      const bench = await mf.getWorker("bench");
      await phase("floor: DO RPC + SQLite INSERT", () => measureFloor(bench));
      await phase("floor: queue hops (diagnostics)", () => measureQueueFloor(bench));
      if (withEngine) {
        await phase("engine: steps n=100", () => measureStepsRate(mf));
        await phase("latency n=10: engine and Cloudflare Workflows, interleaved", () =>
          measureLatency(mf, bench),
        );
        await phase("engine: burst of 200 n=10", () => measureThroughput(mf));
        await phase("engine: cold replay 1k", () =>
          measureColdReplay(mf, 1_000, "cold_replay_ms_1k_events"),
        );
        await phase("engine: cold replay 10k", () =>
          measureColdReplay(mf, 10_000, "cold_replay_ms_10k_events"),
        );
        // Opt-in: minutes of real time (bench/schedules.mjs).
        const schedules = Number(process.env.BENCH_SCHEDULES ?? 0);
        if (schedules > 0) {
          await phase(`schedules: ${schedules} every minute`, async () => {
            const minutes = Number(process.env.BENCH_SCHEDULE_MINUTES ?? 5);
            const call = (method, path, body) => engineJson(mf, method, path, body);
            Object.assign(
              metrics,
              await measureSchedules(call, { count: schedules, minutes, log }),
            );
          });
        }
      } else {
        await phase("Cloudflare Workflows: 10 step.do", () => measureCfWorkflows(bench));
        log("engine metrics are NaN: the engine did not build or start (see above)");
      }
    } finally {
      await mf.dispose();
    }
  }

  metrics.latency_vs_cf_workflows = round(
    metrics.latency_10_steps_ms / metrics.cf_workflows_latency_10_steps_ms,
    3,
  );
  metrics.latency_vs_cf_workflows_local = round(
    metrics.latency_10_local_steps_ms / metrics.cf_workflows_latency_10_steps_ms,
    3,
  );
  log(`total ${round((performance.now() - t0) / 1000, 1)} s`);
  const block = Object.entries(metrics).map(([name, value]) => `${name}: ${value}`);
  process.stdout.write(`${block.join("\n")}\n`);
}

// `npm run bench -- --profile`: the CPU profile by phase instead (bench/profile.mjs).
if (process.argv.includes("--profile")) await import("./profile.mjs");
else await main();
