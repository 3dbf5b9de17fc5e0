/**
 * @module Cloudflare Workflows' side of `npm run bench`: the `TenSteps` workflow of bench/worker.ts
 * (10 no-op `step.do`), driven as the engine's `steps` runs are. Every request goes through
 * `mf.dispatchFetch` to the bench Worker (Miniflare's `MF-Route-Override` header picks it), the same
 * client path as the engine's requests (bench/engine-client.mjs): one request creates an instance
 * and answers its id (as `POST /workflows` answers), a second awaits it (as `GET …/result?wait=`
 * does; the bench Worker polls `status()` every `pollMs` inside the Worker, while the engine's object
 * wakes its long-poll on close).
 */
import { performance } from "node:perf_hooks";
import { dispatch } from "./dispatch.mjs";
import { log, median, round, stats } from "./util.mjs";

export async function benchJson(mf, path) {
  const res = await dispatch(mf, `http://localhost${path}`, {
    headers: { "MF-Route-Override": "bench" },
  });
  return { status: res.status, json: await res.json() };
}

/** Diagnostics: the client round trip alone (`/ping` answers at once), median of `n`, in ms. */
export async function clientRoundTrip(mf, n = 50) {
  const times = [];
  for (let i = 0; i < n + 5; i++) {
    const t0 = performance.now();
    await benchJson(mf, "/ping");
    times.push(performance.now() - t0);
  }
  return median(times.slice(5));
}

/**
 * One 10-step instance, start to result. `ms` and `startMs` are client-side (the whole run, the
 * create request alone); `create` is `create()` alone, timed inside the Worker.
 */
export async function cfWorkflowOnce(mf, pollMs = 1) {
  const t0 = performance.now();
  const c = await benchJson(mf, "/cf-workflow/create?steps=10");
  const startMs = performance.now() - t0;
  if (c.status !== 200 || typeof c.json.id !== "string") {
    throw new Error(`cf-workflow/create: HTTP ${c.status} ${JSON.stringify(c.json)}`);
  }
  const r = await benchJson(mf, `/cf-workflow/result?id=${c.json.id}&pollMs=${pollMs}`);
  const ms = performance.now() - t0;
  if (r.status !== 200 || r.json.output !== 10) {
    throw new Error(`cf-workflow/result: HTTP ${r.status} ${JSON.stringify(r.json)}`);
  }
  return { ms, startMs, create: c.json.createMs, polls: r.json.polls };
}

/** Diagnostics: create and await in one request (one client round trip fewer than either API needs). */
export async function cfWorkflowOneRequest(mf) {
  const t0 = performance.now();
  const r = await benchJson(mf, "/cf-workflow?steps=10&pollMs=1");
  const ms = performance.now() - t0;
  if (r.status !== 200 || r.json.output !== 10) {
    throw new Error(`cf-workflow: HTTP ${r.status} ${JSON.stringify(r.json)}`);
  }
  return { ms, inner: r.json.ms };
}

/** Logs the runs' spread; returns Cloudflare's latency and start-request medians. */
export function reportCf(runs, oneRequest = []) {
  log(`  cf workflows, client-side (create + result requests): ${stats(runs.map((r) => r.ms))}`);
  log(`  cf workflows, create request, client-side: ${stats(runs.map((r) => r.startMs))}`);
  log(`  cf workflows, create() alone, inside the Worker: ${stats(runs.map((r) => r.create))}`);
  log(`  cf workflows, status polls per run: median ${median(runs.map((r) => r.polls))}`);
  if (oneRequest.length > 0) {
    log(
      `  cf workflows, one request (create + poll in the Worker), client-side: ${stats(oneRequest.map((r) => r.ms))}`,
    );
    log(`  cf workflows, one request, inside Worker: ${stats(oneRequest.map((r) => r.inner))}`);
  }
  return {
    cf_workflows_latency_10_steps_ms: round(median(runs.map((r) => r.ms))),
    cf_workflows_start_request_p50_ms: round(median(runs.map((r) => r.startMs))),
  };
}

/** Cloudflare Workflows alone (when the engine is not there to interleave with). */
export async function measureCfWorkflows(mf) {
  for (let i = 0; i < 3; i++) await cfWorkflowOnce(mf);
  const runs = [];
  for (let i = 0; i < 30; i++) runs.push(await cfWorkflowOnce(mf));
  return reportCf(runs);
}
