/**
 * @module Builds and starts what `npm run bench` measures: the engine (wrangler dry-run of
 * bench/engine.ts with wrangler.toml's settings), the bench Worker (bench/worker.ts, esbuild), and
 * one Miniflare running both with wrangler.toml's bindings.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { log } from "./util.mjs";

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

/** The engine's bundle path, or null (logged) when it does not build. */
export function buildEngine() {
  const wrangler = join(ROOT, "node_modules", ".bin", "wrangler");
  const r = spawnSync(
    wrangler,
    ["deploy", "--dry-run", "--outdir", ENGINE_OUT, join("bench", "engine.ts")],
    { cwd: ROOT, env: { ...process.env, ...QUIET_ENV }, encoding: "utf8" },
  );
  const entry = join(ENGINE_OUT, "engine.js");
  if (r.status !== 0 || !existsSync(entry)) {
    const out = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n").slice(-25).join("\n");
    log(`engine build failed (exit ${r.status}):\n${out}`);
    return null;
  }
  return entry;
}

export async function buildBenchWorker() {
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
export function engineWorker(scriptPath) {
  return {
    name: "sundial",
    modules: true,
    scriptPath,
    compatibilityDate: COMPAT.compatibilityDate,
    // wrangler.toml's flags: the consumer's return ends a batch (sdk/activity/batch.ts).
    compatibilityFlags: [...COMPAT.compatibilityFlags, "queue_consumer_no_wait_for_wait_until"],
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

/**
 * The stand-alone tools' engine: an engine bundle (`wrangler deploy --dry-run --outdir`) alone,
 * its tasks going to a Queue nobody consumes (task queue "sink"): a start does all it must and
 * nothing runs after it. `name` names the Worker and its Queue (two builds side by side).
 */
export function sinkEngineWorker(scriptPath, name = "engine") {
  return {
    name,
    modules: true,
    scriptPath: resolve(scriptPath),
    modulesRoot: dirname(resolve(scriptPath)),
    ...COMPAT,
    durableObjects: {
      WORKFLOW_EXECUTION: { className: "WorkflowExecution", useSQLite: true },
      SCHEDULE: { className: "ScheduleObject", useSQLite: true },
    },
    queueProducers: { SINK_QUEUE: { queueName: `${name}-sink` } },
    bindings: { SUNDIAL_TASK_QUEUES: '{"sink":"SINK_QUEUE"}', SUNDIAL_AUTH: "disabled" },
  };
}

/**
 * An engine build for the side-by-side tools (ab.mjs, ab-steps.mjs, ab-burst.mjs): its "default"
 * task queue consumed (batch size 10, no batch wait), and a "sink" queue nobody consumes.
 */
export function abEngineWorker(scriptPath, name) {
  const sink = sinkEngineWorker(scriptPath, name);
  return {
    ...sink,
    queueProducers: { ...sink.queueProducers, ACTIVITY_QUEUE: { queueName: `${name}-acts` } },
    queueConsumers: { [`${name}-acts`]: QUEUE_CONSUMER },
    bindings: {
      SUNDIAL_TASK_QUEUES: '{"default":"ACTIVITY_QUEUE","sink":"SINK_QUEUE"}',
      SUNDIAL_AUTH: "disabled",
    },
  };
}

export function benchWorker(scriptPath) {
  return {
    name: "bench",
    modules: true,
    scriptPath,
    ...COMPAT,
    durableObjects: {
      FLOOR: { className: "FloorDO", useSQLite: true },
      HOP_CHAIN: { className: "HopChain", useSQLite: true },
      ALARM_PROBE: { className: "AlarmProbe", useSQLite: true },
    },
    queueProducers: { HOP_QUEUE: { queueName: "bench-hops" } },
    queueConsumers: { "bench-hops": QUEUE_CONSUMER },
    workflows: { BENCH_WF: { name: "bench-wf", className: "TenSteps" } },
  };
}

/** Starts Miniflare with the given Workers; resolves to null (logged) if the runtime will not start. */
export async function startMiniflare(workers) {
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
