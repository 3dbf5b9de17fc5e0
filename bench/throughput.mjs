/**
 * @module The 200-at-once phase of `npm run bench`: 200 10-step workflows started together, each
 * awaited by its own client, for Sundial's queue activities, its local activities and Cloudflare
 * Workflows. Throughput is 200 / the wall time from the burst's start to its last result; CPU is
 * workerd's process CPU time (bench/cpu.mjs) over the same span, divided by 200.
 */
import { performance } from "node:perf_hooks";
import { cfWorkflowOnce } from "./cf.mjs";
import { workerdCpuMs } from "./cpu.mjs";
import { retries } from "./dispatch.mjs";
import { runSteps } from "./engine-client.mjs";
import { log, median, round, stats } from "./util.mjs";

export const BURST = 200;
/**
 * How often each awaiting Cloudflare request polls `status()` in the burst. Every poll is an RPC
 * that costs CPU Cloudflare's engine would not spend otherwise, and 200 instances polling every
 * 1 ms would drown the workflows themselves; at 100 ms a burst of seconds is late by ≤ 100 ms
 * (a few percent) and the polls are a small share of the CPU (bench/README.md).
 */
export const CF_BURST_POLL_MS = Number(process.env.BENCH_CF_BURST_POLL_MS ?? 100);

/** Runs `count` of `runOne` at once; returns workflows per second and workerd CPU ms per workflow. */
async function burst(label, count, runOne) {
  const retries0 = retries();
  const cpu0 = workerdCpuMs();
  const t0 = performance.now();
  const results = await Promise.allSettled(Array.from({ length: count }, runOne));
  const wallMs = performance.now() - t0;
  const cpuMs = workerdCpuMs() - cpu0;
  const resent = retries() - retries0;
  if (resent > 0) log(`  ${label}: ${resent} requests resent (connection closed unanswered)`);
  const failed = results.filter((r) => r.status === "rejected");
  if (failed.length > 0) {
    const first = failed[0].reason;
    const cause = first?.cause
      ? ` (cause: ${first.cause.code ?? first.cause.message ?? first.cause})`
      : "";
    throw new Error(`${label}: ${failed.length}/${count} failed; first: ${first?.message}${cause}`);
  }
  const values = results.map((r) => r.value);
  log(
    `  ${label}: ${count} at once in ${round(wallMs)} ms; per-workflow latency ${stats(values.map((v) => v.ms))}`,
  );
  log(`  ${label}: start (create) request, client-side: ${stats(values.map((v) => v.startMs))}`);
  // Zero when /proc is not there to read (not Linux): say so rather than print a false 0.
  const perWorkflow = cpuMs > 0 ? cpuMs / count : Number.NaN;
  log(`  ${label}: workerd CPU ${round(cpuMs)} ms = ${round(perWorkflow)} ms per workflow`);
  return { perSecond: (count * 1000) / wallMs, cpuMs: perWorkflow, values };
}

export async function engineBurst(mf, local) {
  const label = `sundial ${local ? "local" : "queue"} steps`;
  const r = await burst(label, BURST, () => runSteps(mf, 10, local, local ? "lburst" : "burst"));
  return local
    ? {
        throughput_10_local_step_workflows_per_s: round(r.perSecond, 1),
        cpu_ms_per_workflow_local: round(r.cpuMs),
      }
    : {
        throughput_10_step_workflows_per_s: round(r.perSecond, 1),
        cpu_ms_per_workflow: round(r.cpuMs),
      };
}

export async function cfBurst(mf) {
  const r = await burst("cf workflows", BURST, () => cfWorkflowOnce(mf, CF_BURST_POLL_MS));
  log(
    `  cf workflows burst: status polls per instance median ${median(r.values.map((v) => v.polls))}, ` +
      `total ${r.values.reduce((a, v) => a + v.polls, 0)} (every ${CF_BURST_POLL_MS} ms)`,
  );
  return {
    cf_workflows_throughput_per_s: round(r.perSecond, 1),
    cf_workflows_cpu_ms_per_workflow: round(r.cpuMs),
  };
}
