/**
 * @module `npm run bench`: builds the engine (wrangler dry-run) and the bench Worker (esbuild), runs
 * both in one Miniflare, measures, and prints the `name: value` block last on stdout. Progress and
 * diagnostics go to stderr. See bench/README.md for what each number means. The phases live in
 * their own modules: setup.mjs (build, Miniflare), cf.mjs (Cloudflare Workflows), throughput.mjs
 * (200 at once, CPU), timers.mjs (timer overshoot), schedules.mjs (opt-in), rows.mjs (when present);
 * engine-client.mjs and dispatch.mjs are the HTTP client, util.mjs the statistics.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import {
  cfWorkflowOnce,
  cfWorkflowOneRequest,
  clientRoundTrip,
  measureCfWorkflows,
  reportCf,
} from "./cf.mjs";
import { workerdCpuMs } from "./cpu.mjs";
import { engineJson, jsonCall, runSteps } from "./engine-client.mjs";
import { measureSchedules } from "./schedules.mjs";
import {
  benchWorker,
  buildBenchWorker,
  buildEngine,
  engineWorker,
  startMiniflare,
} from "./setup.mjs";
import { cfBurst, engineBurst } from "./throughput.mjs";
import { measureTimerOvershoot } from "./timers.mjs";
import { log, median, round, stats } from "./util.mjs";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

/** Metrics in print order; a metric left NaN says on stderr why. */
const metrics = {
  floor_rpc_sql_per_s: Number.NaN,
  steps_per_s_warm: Number.NaN,
  step_overhead_vs_floor: Number.NaN,
  steps_per_s_warm_queue: Number.NaN,
  queue_step_overhead_vs_floor: Number.NaN,
  rows_written_per_step: Number.NaN,
  start_request_p50_ms: Number.NaN,
  cf_workflows_start_request_p50_ms: Number.NaN,
  start_vs_cf_workflows: Number.NaN,
  latency_10_steps_ms: Number.NaN,
  latency_10_local_steps_ms: Number.NaN,
  cf_workflows_latency_10_steps_ms: Number.NaN,
  latency_vs_cf_workflows: Number.NaN,
  latency_local_vs_cf_workflows: Number.NaN,
  throughput_10_step_workflows_per_s: Number.NaN,
  throughput_10_local_step_workflows_per_s: Number.NaN,
  cf_workflows_throughput_per_s: Number.NaN,
  throughput_vs_cf_workflows: Number.NaN,
  throughput_local_vs_cf_workflows: Number.NaN,
  cpu_ms_per_workflow: Number.NaN,
  cpu_ms_per_workflow_local: Number.NaN,
  cf_workflows_cpu_ms_per_workflow: Number.NaN,
  cpu_per_workflow_vs_cf_workflows: Number.NaN,
  cpu_per_workflow_local_vs_cf_workflows: Number.NaN,
  timer_overshoot_p99_ms: Number.NaN,
  cold_replay_ms_1k_events: Number.NaN,
  cold_replay_ms_10k_events: Number.NaN,
};
/** The queue-hop floor's ms per hop (stderr diagnostic for queue steps). */
let queueHopMs = Number.NaN;

/** Runs one measurement; a failure is reported and leaves its metrics NaN instead of ending the run. */
async function phase(name, fn) {
  const t0 = performance.now();
  log(`${name} ...`);
  try {
    const out = await fn();
    if (out) Object.assign(metrics, out);
    log(`${name} done in ${round((performance.now() - t0) / 1000, 1)} s`);
  } catch (err) {
    log(`${name} FAILED: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function measureFloor(mf, bench) {
  await (await bench.fetch("http://bench/floor?n=300")).text(); // warm-up
  const rates = [];
  for (let i = 0; i < 3; i++) {
    const r = await (await bench.fetch("http://bench/floor?n=1000")).json();
    log(`  floor: ${r.calls} calls in ${round(r.ms)} ms = ${round(r.perSecond, 0)}/s`);
    rates.push(r.perSecond);
  }
  metrics.floor_rpc_sql_per_s = round(median(rates), 0);
  // Diagnostics only: every workflow (Sundial's or Cloudflare's) lives in a new object, and every
  // request pays the client round trip.
  const cpu0 = workerdCpuMs();
  const fresh = await (await bench.fetch("http://bench/floor-new-object?n=100")).json();
  const cpu = (workerdCpuMs() - cpu0) / fresh.calls;
  log(
    `  new object + RPC + INSERT: ${round(fresh.msPerCall)} ms each, ${round(cpu)} ms workerd CPU (${fresh.calls} calls)`,
  );
  log(
    `  client round trip (mf.dispatchFetch, /ping): median ${round(await clientRoundTrip(mf))} ms`,
  );
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
  queueHopMs = seq.msPerHop;
  log(`  queue hop + RPC + INSERT, one chain of 100: ${round(seq.msPerHop)} ms per hop`);
  const ten = [];
  for (let i = 0; i < 10; i++) ten.push((await chains(1, 10)).ms);
  log(`  queue chain of 10 hops: ${stats(ten)}`);
  const cpu0 = workerdCpuMs();
  const burst = await chains(200, 10);
  const cpu = (workerdCpuMs() - cpu0) / 200;
  log(
    `  200 concurrent chains of 10 hops: ${round(burst.ms)} ms wall = ` +
      `${round((200 * 1000) / burst.ms, 1)} chains/s (the local queue's ceiling for the burst), ` +
      `${round(cpu)} ms workerd CPU per chain`,
  );
}

/**
 * 5 runs of 100 steps, each right after a short floor measurement (300 RPC + INSERT calls; for
 * queue steps also a 20-hop queue chain), so each ratio divides two numbers taken in the same
 * second: the machine's load moves both by 2× within a run.
 */
async function measureStepsRate(mf, bench) {
  const floorMs = async () => {
    const r = await (await bench.fetch("http://bench/floor?n=300")).json();
    return r.ms / r.calls;
  };
  const hopMs = async () => {
    const r = await (await bench.fetch("http://bench/hop-chains?chains=1&hops=20")).json();
    return r.msPerHop;
  };
  for (const local of [true, false]) {
    await runSteps(mf, 100, local, "warmup");
    const [times, vsFloor, vsHop] = [[], [], []];
    for (let i = 0; i < 5; i++) {
      const floor = await floorMs();
      const hop = local ? Number.NaN : await hopMs();
      const msPerStep = (await runSteps(mf, 100, local, "s100")).ms / 100;
      times.push(msPerStep * 100);
      vsFloor.push(msPerStep / floor);
      vsHop.push(msPerStep / hop);
    }
    const msPerStep = median(times) / 100;
    log(`  steps n=100 local=${local}: ${stats(times)}; ${round(msPerStep, 3)} ms/step`);
    log(`  per step / RPC + INSERT floor, each run: ${vsFloor.map((x) => round(x)).join(", ")}`);
    if (local) {
      metrics.steps_per_s_warm = round(1000 / msPerStep, 1);
      metrics.step_overhead_vs_floor = round(median(vsFloor));
    } else {
      metrics.steps_per_s_warm_queue = round(1000 / msPerStep, 1);
      metrics.queue_step_overhead_vs_floor = round(median(vsFloor));
      log(
        `  per queue step / queue-hop floor (20-hop chain), each run: ${vsHop.map((x) => round(x)).join(", ")}; ` +
          `median ${round(median(vsHop))} (100-hop chain earlier: ${round(queueHopMs)} ms per hop)`,
      );
    }
  }
}

/**
 * The 10-step latencies, interleaved run by run with Cloudflare Workflows' so that both see the
 * same machine load (this machine's load moves them by tens of percent between phases).
 */
async function measureLatency(mf) {
  const starts = [];
  const timed = async (local, tag) => {
    const run = await runSteps(mf, 10, local, tag);
    starts.push(run.startMs);
    return run.ms;
  };
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
  const [cf, cfOne, queue, local] = [[], [], [], []];
  for (let i = 0; i < 33; i++) {
    cf.push(await cfWorkflowOnce(mf));
    cfOne.push(await cfWorkflowOneRequest(mf));
    await engine(() => timed(false, "s10"), queue);
    await engine(() => timed(true, "l10"), local);
  }
  // The first 3 of each are warm-ups.
  for (const xs of [cf, cfOne, queue, local]) xs.splice(0, 3);
  Object.assign(metrics, reportCf(cf, cfOne));
  if (engineError) throw engineError;
  log(`  steps n=10 queue: ${stats(queue)}`);
  metrics.latency_10_steps_ms = round(median(queue));
  log(`  steps n=10 local: ${stats(local)}`);
  metrics.latency_10_local_steps_ms = round(median(local));
  starts.splice(0, 6); // the warm-ups' starts
  log(`  start request (POST /workflows, client-side): ${stats(starts)}`);
  metrics.start_request_p50_ms = round(median(starts));
}

/** Cold replays per history size (the median is the metric). */
const COLD_REPLAYS = 5;

async function measureColdReplay(mf, bench, n) {
  const run = await runSteps(mf, n, true, `replay${n}`);
  log(`  steps n=${n} local ran in ${round(run.ms)} ms`);
  // Each replay is cold (the object's cache dropped, the history read from SQLite); five of them,
  // the median reported: one sample swings with a GC pause or the first compile of the code.
  const times = [];
  let r;
  for (let i = 0; i < COLD_REPLAYS; i++) {
    r = await engineJson(mf, "POST", `/api/v1/unsafe/workflows/${run.workflowId}/replay`);
    if (r.status !== 200 || typeof r.json.replayMs !== "number") {
      throw new Error(`replay ${run.workflowId}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
    }
    times.push(r.json.replayMs);
  }
  log(
    `  replay n=${n} over ${r.json.historyLength} events, ms: ${times.map((t) => round(t)).join(", ")}`,
  );
  // Diagnostic only: a failure here must not lose the metric.
  try {
    const res = await bench.fetch(`http://bench/replay-floor?n=${r.json.historyLength}`);
    const floor = await res.json();
    log(
      `  floor: ${floor.rows} history-like rows read and JSON-parsed in one object: ${round(floor.ms)} ms`,
    );
  } catch (err) {
    log(`  replay floor FAILED: ${err instanceof Error ? err.message : String(err)}`);
  }
  return round(median(times));
}

/** `rows_written_per_step` comes from bench/rows.mjs (branch steprows) when it is there. */
async function measureRows(mf) {
  const path = join(BENCH_DIR, "rows.mjs");
  if (!existsSync(path)) {
    log("  rows_written_per_step: NaN, measured by bench/rows.mjs when present");
    return;
  }
  const { measureRowsWritten } = await import("./rows.mjs");
  return { rows_written_per_step: round(await measureRowsWritten(mf, log)) };
}

/** The schedules phase (opt-in: `BENCH_SCHEDULES=N`; minutes of real time, bench/schedules.mjs). */
async function schedulesPhase(mf) {
  const schedules = Number(process.env.BENCH_SCHEDULES ?? 0);
  if (schedules <= 0) return;
  await phase(`schedules: ${schedules} every minute`, () => {
    const minutes = Number(process.env.BENCH_SCHEDULE_MINUTES ?? 5);
    const call = (method, path, body) => engineJson(mf, method, path, body);
    return measureSchedules(call, { count: schedules, minutes, log });
  });
}

async function engineAndCf(mf, bench) {
  // `BENCH_ONLY=schedules`: that phase alone, on an engine that has done nothing else.
  if (process.env.BENCH_ONLY === "schedules") return schedulesPhase(mf);
  // `BENCH_ONLY=replay`: the cold replays alone.
  if (process.env.BENCH_ONLY === "replay") return replayPhases(mf, bench);
  await phase("floor: DO RPC + SQLite INSERT", () => measureFloor(mf, bench));
  await phase("floor: queue hops (diagnostics)", () => measureQueueFloor(bench));
  await phase("engine: steps n=100", () => measureStepsRate(mf, bench));
  await phase("engine: rows written per step", () => measureRows(mf));
  await phase("latency n=10: engine and Cloudflare Workflows, interleaved", () =>
    measureLatency(mf),
  );
  await phase("Cloudflare Workflows: burst of 200", () => cfBurst(mf));
  await phase("engine: burst of 200 n=10 queue", () => engineBurst(mf, false));
  await phase("engine: burst of 200 n=10 local", () => engineBurst(mf, true));
  await phase("engine: timers, 1 s sleeps", () => measureTimerOvershoot(mf));
  await replayPhases(mf, bench);
  await schedulesPhase(mf);
}

async function replayPhases(mf, bench) {
  await phase("engine: cold replay 1k", async () => ({
    cold_replay_ms_1k_events: await measureColdReplay(mf, bench, 1_000),
  }));
  await phase("engine: cold replay 10k", async () => ({
    cold_replay_ms_10k_events: await measureColdReplay(mf, bench, 10_000),
  }));
}

function ratios() {
  const m = metrics;
  const ratio = (a, b) => round(a / b, 3);
  m.start_vs_cf_workflows = ratio(m.start_request_p50_ms, m.cf_workflows_start_request_p50_ms);
  m.latency_vs_cf_workflows = ratio(m.latency_10_steps_ms, m.cf_workflows_latency_10_steps_ms);
  m.latency_local_vs_cf_workflows = ratio(
    m.latency_10_local_steps_ms,
    m.cf_workflows_latency_10_steps_ms,
  );
  m.throughput_vs_cf_workflows = ratio(
    m.throughput_10_step_workflows_per_s,
    m.cf_workflows_throughput_per_s,
  );
  m.throughput_local_vs_cf_workflows = ratio(
    m.throughput_10_local_step_workflows_per_s,
    m.cf_workflows_throughput_per_s,
  );
  m.cpu_per_workflow_vs_cf_workflows = ratio(
    m.cpu_ms_per_workflow,
    m.cf_workflows_cpu_ms_per_workflow,
  );
  m.cpu_per_workflow_local_vs_cf_workflows = ratio(
    m.cpu_ms_per_workflow_local,
    m.cf_workflows_cpu_ms_per_workflow,
  );
}

/**
 * `BENCH_ONLY=schedules BENCH_URL=http://127.0.0.1:8787 npm run bench`: the schedules phase against
 * an engine already running there (`npm run dev`, D1 and all), over plain HTTP.
 */
async function schedulesAgainstUrl(base) {
  const t0 = performance.now();
  const call = (method, path, body) => jsonCall(fetch, `${base}${path}`, method, body);
  const schedules = Number(process.env.BENCH_SCHEDULES ?? 1000);
  const minutes = Number(process.env.BENCH_SCHEDULE_MINUTES ?? 5);
  await phase(`schedules on ${base}: ${schedules} every minute`, () =>
    measureSchedules(call, { count: schedules, minutes, log }),
  );
  log(`total ${round((performance.now() - t0) / 1000, 1)} s`);
  const block = Object.entries(metrics).filter(([name]) => name.startsWith("schedule_"));
  process.stdout.write(`${block.map(([name, value]) => `${name}: ${value}`).join("\n")}\n`);
}

async function main() {
  if (process.env.BENCH_ONLY === "schedules" && process.env.BENCH_URL) {
    return schedulesAgainstUrl(process.env.BENCH_URL.replace(/\/$/, ""));
  }
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
      if (withEngine) await engineAndCf(mf, bench);
      else {
        await phase("floor: DO RPC + SQLite INSERT", () => measureFloor(mf, bench));
        await phase("Cloudflare Workflows: 10 step.do", () => measureCfWorkflows(mf));
        await phase("Cloudflare Workflows: burst of 200", () => cfBurst(mf));
        log("engine metrics are NaN: the engine did not build or start (see above)");
      }
    } finally {
      await mf.dispose();
    }
  }

  ratios();
  log(`total ${round((performance.now() - t0) / 1000, 1)} s`);
  const block = Object.entries(metrics).map(([name, value]) => `${name}: ${value}`);
  process.stdout.write(`${block.join("\n")}\n`);
}

// `npm run bench -- --profile`: the CPU profile by phase instead (bench/profile.mjs).
if (process.argv.includes("--profile")) await import("./profile.mjs");
else await main();
