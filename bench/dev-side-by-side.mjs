#!/usr/bin/env node
/**
 * `npm run bench:dev`: Sundial and Cloudflare Workflows measured the way issue #14 measured them,
 * as a new user runs them: Sundial under `node scripts/dev.mjs` (what `npm run dev` runs: the D1
 * migrations, then one `wrangler dev` with the engine and the example activity Worker), Cloudflare
 * Workflows under `wrangler dev` (bench/cf-dev/: a 10-step `TenSteps` and a create/status API),
 * both up at once, on the same workerd, driven by one plain HTTP client (Node's fetch, keep-alive).
 * It measures 30 sequential 10-step workflows per engine, interleaved run by run, and 200 at once,
 * with the CPU of every server process (`/proc`: wrangler's Node processes, its proxy workerd, the
 * workerd running the Workers, esbuild) and the peak memory of each tree. bench/README.md says how.
 * Progress on stderr; the table and then `name: value` lines on stdout.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { DevServer } from "./dev-procs.mjs";
import { jsonCall } from "./engine-client.mjs";
import { log, median, round, stats } from "./util.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const wrangler = join(root, "node_modules/wrangler/bin/wrangler.js");
const num = (name, fallback) => Number(process.env[name] ?? fallback);
const SUNDIAL_PORT = num("BENCH_DEV_PORT", 8821);
const CF_PORT = num("BENCH_DEV_CF_PORT", 8831);
const RUNS = num("BENCH_DEV_RUNS", 30);
const WARMUPS = 3;
const BURST = num("BENCH_DEV_BURST", 200);
const PINGS = num("BENCH_DEV_PINGS", 500);
const CF_POLL_MS = num("BENCH_DEV_CF_POLL_MS", 2); // sequential runs: the client polls /status
const CF_SWEEP_MS = num("BENCH_DEV_CF_SWEEP_MS", 20); // the burst: one poller, oldest first
const STEPS = 10;

const env = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  CI: "true",
  // BENCH_DEV_NO_INSPECTOR=1: wrangler 4.86 has no flag to turn its inspector proxy off; in a VS Code
  // debug terminal (this variable set) it leaves it off. For the experiment in bench/README.md only.
  ...(process.env.BENCH_DEV_NO_INSPECTOR ? { VSCODE_INSPECTOR_OPTIONS: "{}" } : {}),
};
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** Client-side request counts per variant (one plain HTTP client for both engines). */
const requests = new Map();
/** Requests resent: 503s of the `wrangler dev` proxy, and requests it held past their timeout. */
const resent = { status503: 0, stalled: 0 };
const STALL_MS = num("BENCH_DEV_STALL_MS", 10_000);
const STALL_GET_MS = num("BENCH_DEV_STALL_GET_MS", 2000); // a status poll answers in ms

/**
 * One JSON request. Resends what the `wrangler dev` 4.86 proxy drops under bursts
 * (../shared/TOOLCHAIN.md): a 503 "restarted mid-request", or no answer within `STALL_MS` (plus
 * the long-poll's own wait; `STALL_GET_MS` for a status poll); a resent start is safe (Sundial answers 409 for a running id; a
 * Cloudflare instance may be made twice). Both are counted and printed.
 */
async function call(tag, port, method, path, body, waitMs = 0) {
  const limit = method === "GET" && waitMs === 0 ? STALL_GET_MS : waitMs + STALL_MS;
  for (let attempt = 1; ; attempt++) {
    requests.set(tag, (requests.get(tag) ?? 0) + 1);
    let reply;
    try {
      reply = await jsonCall(
        (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(limit) }),
        `http://127.0.0.1:${port}${path}`,
        method,
        body,
      );
    } catch (err) {
      if (attempt >= 5) throw err;
      resent.stalled++;
      const why = err.name === "TimeoutError" ? `no answer in ${limit} ms` : err.message;
      log(`  ${method} ${path}: ${why}, resent`);
      continue;
    }
    if (reply.status === 503 && attempt < 5) {
      resent.status503++;
      log(
        `  ${method} ${path}: 503 from the proxy (${String(reply.json?.raw).slice(0, 40)}…), resent`,
      );
      continue;
    }
    return reply;
  }
}

let seq = 0;

/** Sundial: POST /api/v1/workflows, then GET …/result?wait=30s until closed. Times in ms. */
async function sundialRun(local, tag) {
  const workflowId = `devbench-${process.pid}-${++seq}`;
  const t0 = performance.now();
  const start = await call(tag, SUNDIAL_PORT, "POST", "/api/v1/workflows", {
    workflowType: "steps",
    workflowId,
    taskQueue: "default",
    input: local ? { n: STEPS, local: true } : { n: STEPS },
  });
  const startMs = performance.now() - t0;
  // 409: a start resent after a 503 had started it already.
  if (start.status !== 201 && start.status !== 409) {
    throw new Error(`start ${workflowId}: HTTP ${start.status} ${JSON.stringify(start.json)}`);
  }
  for (;;) {
    const r = await call(
      tag,
      SUNDIAL_PORT,
      "GET",
      `/api/v1/workflows/${workflowId}/result?wait=30s`,
      undefined,
      30_000,
    );
    if (r.status === 200 && r.json.status === "Completed" && r.json.result === STEPS) {
      return { startMs, ms: performance.now() - t0 };
    }
    if (r.status !== 202)
      throw new Error(`${workflowId}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
  }
}

async function cfCreate(tag) {
  const c = await call(tag, CF_PORT, "POST", "/create", { n: STEPS });
  if (c.status !== 201 || typeof c.json.id !== "string") {
    throw new Error(`cf create: HTTP ${c.status} ${JSON.stringify(c.json)}`);
  }
  return c.json.id;
}

/** One GET /status; true once complete (throws on an error or a failed instance). */
async function cfDone(tag, id, query = "") {
  const s = await call(
    tag,
    CF_PORT,
    "GET",
    `/status?id=${id}${query}`,
    undefined,
    query ? 30_000 : 0,
  );
  if (s.status !== 200)
    throw new Error(`cf status ${id}: HTTP ${s.status} ${JSON.stringify(s.json)}`);
  if (s.json.status === "complete") {
    if (s.json.output !== STEPS) throw new Error(`cf ${id} output ${JSON.stringify(s.json)}`);
    return true;
  }
  if (s.json.status === "errored" || s.json.status === "terminated") {
    throw new Error(`cf ${id}: ${JSON.stringify(s.json)}`);
  }
  return false;
}

/**
 * Cloudflare Workflows, as its user would: POST /create, then GET /status every `CF_POLL_MS`
 * after each answer until complete (it has no wait primitive). `longPoll`: one GET /status that
 * polls `status()` every 1 ms inside the Worker instead (a variant, like `npm run bench`'s).
 */
async function cfRun(longPoll, tag) {
  const t0 = performance.now();
  const id = await cfCreate(tag);
  const startMs = performance.now() - t0;
  for (;;) {
    if (await cfDone(tag, id, longPoll ? "&waitMs=30000&pollMs=1" : "")) break;
    await sleep(CF_POLL_MS);
  }
  return { startMs, ms: performance.now() - t0 };
}

const VARIANTS = {
  queue: (tag) => sundialRun(false, tag),
  local: (tag) => sundialRun(true, tag),
  cf: (tag) => cfRun(false, tag),
  cfLongPoll: (tag) => cfRun(true, tag),
};

/** Warm-ups, then `RUNS` rounds; each round runs every variant once, the order rotated. */
async function sequential() {
  const names = Object.keys(VARIANTS);
  for (const name of names) for (let i = 0; i < WARMUPS; i++) await VARIANTS[name]("warmup");
  const runs = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < RUNS; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(r + k) % names.length];
      runs[name].push(await VARIANTS[name](`seq-${name}`));
    }
  }
  for (const name of names) {
    log(`  ${name}: start request ${stats(runs[name].map((x) => x.startMs))}`);
    log(`  ${name}: start → result ${stats(runs[name].map((x) => x.ms))}`);
    log(`  ${name}: client requests per workflow ${round(requests.get(`seq-${name}`) / RUNS)}`);
  }
  return runs;
}

/** `BURST` workflows at once; wall time and the server tree's CPU and log lines meanwhile. */
async function burst(server, name) {
  await sleep(1500); // what earlier phases left (alarms, waitUntil) runs before the mark
  const mark = server.mark();
  const t0 = performance.now();
  if (name === "cf") {
    // All created at once; then two pollers walk the instances oldest first, each until complete,
    // `CF_SWEEP_MS` between polls: ≈ one status request per instance (200 pollers would drown it).
    // Two, so that an instance whose status() does not answer for seconds (it happens under this
    // burst; the poll is resent after `STALL_GET_MS`) holds up only one of them.
    const ids = await Promise.all(Array.from({ length: BURST }, () => cfCreate("burst-cf")));
    const poller = async () => {
      for (let id = ids.shift(); id !== undefined; id = ids.shift()) {
        while (!(await cfDone("burst-cf", id))) await sleep(CF_SWEEP_MS);
      }
    };
    await Promise.all([poller(), poller()]);
  } else {
    await Promise.all(Array.from({ length: BURST }, () => VARIANTS[name](`burst-${name}`)));
  }
  const wall = performance.now() - t0;
  const during = server.since(mark);
  await sleep(1000);
  const after = server.since(mark);
  const per = (x) => round(x / BURST);
  log(
    `  ${name}: ${BURST} at once in ${round(wall)} ms → ${round((BURST * STEPS * 1000) / wall, 1)} steps/s; ` +
      `CPU per workflow: all ${per(during.cpu.all)} (node ${per(during.cpu.node)}, proxy workerd ` +
      `${per(during.cpu.proxy)}, workerd ${per(during.cpu.workerd)}, other ${per(during.cpu.other)}) ms; ` +
      `with the next 1 s: all ${per(after.cpu.all)} ms`,
  );
  log(
    `  ${name}: client requests per workflow ${per(requests.get(`burst-${name}`))}; ` +
      `[wrangler:info] lines per workflow (within 1 s after): requests ${per(after.lines.http)}, ` +
      `queue batches ${per(after.lines.queue)}, other ${per(after.lines.other)}; inspector ` +
      `messages posted to wrangler's Node ${per(after.lines.inspector)} (Network.* ${per(after.lines.network)}), ` +
      `debug log entries ${per(after.lines.debug)}`,
  );
  return { wall, during, after };
}

/** `PINGS` sequential no-op requests: what each request costs every part of the server. */
async function pings(server, path) {
  for (let i = 0; i < 20; i++) await call("ping", server.port, "GET", path);
  await sleep(500);
  const mark = server.mark();
  const times = [];
  for (let i = 0; i < PINGS; i++) {
    const t0 = performance.now();
    await call("ping", server.port, "GET", path);
    times.push(performance.now() - t0);
  }
  await sleep(500); // the request log line is posted to wrangler's Node after the answer
  const d = server.since(mark);
  const per = (x) => round(x / PINGS, 3);
  log(
    `  ${server.name}: ${PINGS} × GET ${path}: ${stats(times)}; CPU per request: ` +
      `all ${per(d.cpu.all)}, node ${per(d.cpu.node)}, proxy workerd ${per(d.cpu.proxy)}, ` +
      `workerd ${per(d.cpu.workerd)} ms; log lines ${d.lines.http}, inspector messages ${d.lines.inspector}`,
  );
  return { node: d.cpu.node / PINGS, proxy: d.cpu.proxy / PINGS, all: d.cpu.all / PINGS };
}

const dirs = [];
let logsDir;
// Extra `wrangler dev` arguments for both servers (e.g. "--log-level warn"), for experiments.
const EXTRA = (process.env.BENCH_DEV_WRANGLER_ARGS ?? "").split(" ").filter(Boolean);
const servers = [];
async function stopAll() {
  await Promise.all(servers.map((s) => s.stop()));
  for (const dir of dirs) {
    if (process.env.BENCH_DEV_KEEP_LOGS && dir === logsDir)
      log(`wrangler debug logs kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    log(`${signal}: stopping the dev servers`);
    stopAll().finally(() => process.exit(130));
  });
}

async function main() {
  log(
    `load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  );
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), "sundial-devbench-"));
    dirs.push(dir);
    return dir;
  };
  // Each server's wrangler debug log in a file of its own, to count what it logs per workflow.
  const logs = fresh();
  logsDir = logs;
  const logOf = (name) => join(logs, `${name}-wrangler.log`);
  const withLog = (e, name) => ({ ...e, WRANGLER_LOG_PATH: logOf(name) });
  const sundial = new DevServer(
    "sundial",
    [
      join(root, "scripts/dev.mjs"),
      ...["--port", String(SUNDIAL_PORT), "--inspector-port", String(SUNDIAL_PORT + 1)],
      ...["--persist-to", fresh(), ...EXTRA],
    ],
    { port: SUNDIAL_PORT, cwd: root, env: withLog(env, "sundial"), debugLog: logOf("sundial") },
  );
  servers.push(sundial);
  const cf = new DevServer(
    "cf",
    [
      wrangler,
      ...["dev", "-c", "bench/cf-dev/wrangler.toml", "--ip", "127.0.0.1"],
      ...["--port", String(CF_PORT), "--inspector-port", String(CF_PORT + 1)],
      ...["--persist-to", fresh(), ...EXTRA],
    ],
    { port: CF_PORT, cwd: root, env: withLog(env, "cf"), debugLog: logOf("cf") },
  );
  servers.push(cf);
  const sampler = setInterval(() => {
    for (const s of servers) s.sampleMemory();
  }, 100);
  const [readySundial, readyCf] = await Promise.all([
    sundial.ready("/api/v1/namespaces"),
    cf.ready("/ping"),
  ]);
  log(`ready: sundial in ${readySundial} ms, cf in ${readyCf} ms`);
  await sleep(2000); // dev.mjs creates its example schedule once the engine answers
  log(`sundial processes: ${sundial.describe()}`);
  log(`cf processes: ${cf.describe()}`);

  const idle = [sundial.mark(), cf.mark()];
  await sleep(2000);
  const [idleS, idleC] = [sundial.since(idle[0]), cf.since(idle[1])];
  log(`idle CPU over 2 s: sundial ${round(idleS.cpu.all)} ms, cf ${round(idleC.cpu.all)} ms`);

  log("per-request cost of the dev servers (no-op requests)");
  const pingS = await pings(sundial, "/api/v1/devbench-ping"); // the engine's 404
  const pingC = await pings(cf, "/ping");

  log(`${RUNS} sequential ${STEPS}-step workflows per variant, interleaved`);
  const runs = await sequential();

  log(`${BURST} at once`);
  // BENCH_DEV_LOCAL_FIRST=1: the local burst before the queue burst (to see what the order does).
  let bq;
  let bl;
  if (process.env.BENCH_DEV_LOCAL_FIRST) {
    bl = await burst(sundial, "local");
    bq = await burst(sundial, "queue");
  } else {
    bq = await burst(sundial, "queue");
    bl = await burst(sundial, "local");
  }
  const bc = await burst(cf, "cf");
  clearInterval(sampler);
  for (const s of servers) s.sampleMemory();
  const hwm = [sundial.hwmKb(), cf.hwmKb()];

  // wrangler's Node CPU by difference: the request lines are paid at the no-op requests' rate;
  // what is left of the local burst is the inspector messages' (no queue batches there). A queue
  // batch line takes a request line's path (a POST to Node, the logger); with ≈ 20 of them per
  // burst, a difference would be noise, so none is printed.
  const inspectorNode =
    (bl.during.cpu.node - pingS.node * bl.after.lines.http) / Math.max(1, bl.after.lines.inspector);
  log(
    `wrangler's Node CPU: ${round(pingS.node, 3)} ms per request line (sundial), ${round(pingC.node, 3)} (cf); ` +
      `by difference ≈ ${round(inspectorNode, 3)} ms per inspector message (local burst)`,
  );
  log(
    `load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(
        " ",
      )}; requests resent: ${resent.status503} after a 503, ${resent.stalled} after no answer`,
  );

  const p50 = (xs) => round(median(xs));
  const perWf = (x) => round(x / BURST);
  const ratio = (a, b) => round(a / b, 3);
  const sps = (b) => round((BURST * STEPS * 1000) / b.wall, 1);
  const m = {
    dev_start_request_p50_ms: p50([...runs.queue, ...runs.local].map((x) => x.startMs)),
    dev_cf_start_request_p50_ms: p50(runs.cf.map((x) => x.startMs)),
    dev_latency_10_steps_ms: p50(runs.queue.map((x) => x.ms)),
    dev_latency_10_local_steps_ms: p50(runs.local.map((x) => x.ms)),
    dev_cf_latency_10_steps_ms: p50(runs.cf.map((x) => x.ms)),
    dev_cf_latency_10_steps_long_poll_ms: p50(runs.cfLongPoll.map((x) => x.ms)),
    dev_steps_per_s_queue: sps(bq),
    dev_steps_per_s_local: sps(bl),
    dev_cf_steps_per_s: sps(bc),
    dev_cpu_ms_per_workflow_all: perWf(bq.during.cpu.all),
    dev_cpu_ms_per_workflow_all_local: perWf(bl.during.cpu.all),
    dev_cf_cpu_ms_per_workflow_all: perWf(bc.during.cpu.all),
    dev_cpu_ms_per_workflow_workerd: perWf(bq.during.cpu.workerd + bq.during.cpu.proxy),
    dev_cpu_ms_per_workflow_workerd_local: perWf(bl.during.cpu.workerd + bl.during.cpu.proxy),
    dev_cf_cpu_ms_per_workflow_workerd: perWf(bc.during.cpu.workerd + bc.during.cpu.proxy),
    dev_cpu_ms_per_workflow_node: perWf(bq.during.cpu.node),
    dev_cpu_ms_per_workflow_node_local: perWf(bl.during.cpu.node),
    dev_cf_cpu_ms_per_workflow_node: perWf(bc.during.cpu.node),
    dev_peak_memory_mb: round(sundial.peakRssKb / 1024, 0),
    dev_cf_peak_memory_mb: round(cf.peakRssKb / 1024, 0),
    dev_hwm_sum_memory_mb: round(hwm[0] / 1024, 0),
    dev_cf_hwm_sum_memory_mb: round(hwm[1] / 1024, 0),
    dev_requests_per_workflow: round(requests.get("seq-queue") / RUNS),
    dev_cf_requests_per_workflow: round(requests.get("seq-cf") / RUNS),
    dev_requests_per_workflow_burst: perWf(requests.get("burst-queue")),
    dev_cf_requests_per_workflow_burst: perWf(requests.get("burst-cf")),
    dev_log_lines_per_workflow: perWf(bq.after.lines.http + bq.after.lines.queue),
    dev_log_lines_per_workflow_local: perWf(bl.after.lines.http + bl.after.lines.queue),
    dev_cf_log_lines_per_workflow: perWf(bc.after.lines.http + bc.after.lines.queue),
    dev_queue_batches_per_workflow: perWf(bq.after.lines.queue),
    dev_inspector_messages_per_workflow: perWf(bq.after.lines.inspector),
    dev_inspector_messages_per_workflow_local: perWf(bl.after.lines.inspector),
    dev_cf_inspector_messages_per_workflow: perWf(bc.after.lines.inspector),
    dev_node_cpu_ms_per_inspector_message: round(inspectorNode, 3),
    dev_node_cpu_ms_per_request: round(pingS.node, 3),
    dev_cf_node_cpu_ms_per_request: round(pingC.node, 3),
    dev_proxy_cpu_ms_per_request: round(pingS.proxy, 3),
    dev_cf_proxy_cpu_ms_per_request: round(pingC.proxy, 3),
    dev_requests_resent_503: resent.status503,
    dev_requests_resent_stalled: resent.stalled,
  };
  Object.assign(m, {
    dev_start_vs_cf: ratio(m.dev_start_request_p50_ms, m.dev_cf_start_request_p50_ms),
    dev_latency_vs_cf: ratio(m.dev_latency_10_steps_ms, m.dev_cf_latency_10_steps_ms),
    dev_latency_local_vs_cf: ratio(m.dev_latency_10_local_steps_ms, m.dev_cf_latency_10_steps_ms),
    dev_throughput_vs_cf: ratio(m.dev_steps_per_s_queue, m.dev_cf_steps_per_s),
    dev_throughput_local_vs_cf: ratio(m.dev_steps_per_s_local, m.dev_cf_steps_per_s),
    dev_cpu_all_vs_cf: ratio(m.dev_cpu_ms_per_workflow_all, m.dev_cf_cpu_ms_per_workflow_all),
    dev_cpu_all_local_vs_cf: ratio(
      m.dev_cpu_ms_per_workflow_all_local,
      m.dev_cf_cpu_ms_per_workflow_all,
    ),
    dev_cpu_workerd_vs_cf: ratio(
      m.dev_cpu_ms_per_workflow_workerd,
      m.dev_cf_cpu_ms_per_workflow_workerd,
    ),
    dev_cpu_workerd_local_vs_cf: ratio(
      m.dev_cpu_ms_per_workflow_workerd_local,
      m.dev_cf_cpu_ms_per_workflow_workerd,
    ),
  });
  const row = (what, s, c) => `| ${what} | ${s} | ${c} |`;
  console.log(
    [
      "| npm run bench:dev (one run) | Sundial (npm run dev) | Cloudflare Workflows (wrangler dev) |",
      "|---|---|---|",
      row(
        "start request p50",
        `${m.dev_start_request_p50_ms} ms`,
        `${m.dev_cf_start_request_p50_ms} ms`,
      ),
      row(
        "10 queue-activity steps, p50",
        `${m.dev_latency_10_steps_ms} ms`,
        `${m.dev_cf_latency_10_steps_ms} ms`,
      ),
      row("10 local-activity steps, p50", `${m.dev_latency_10_local_steps_ms} ms`, "—"),
      row(
        `${BURST} at once, steps/s (queue / local)`,
        `${m.dev_steps_per_s_queue} / ${m.dev_steps_per_s_local}`,
        `${m.dev_cf_steps_per_s}`,
      ),
      row(
        "CPU per workflow, all server processes (queue / local)",
        `${m.dev_cpu_ms_per_workflow_all} / ${m.dev_cpu_ms_per_workflow_all_local} ms`,
        `${m.dev_cf_cpu_ms_per_workflow_all} ms`,
      ),
      row(
        "of which workerd (queue / local)",
        `${m.dev_cpu_ms_per_workflow_workerd} / ${m.dev_cpu_ms_per_workflow_workerd_local} ms`,
        `${m.dev_cf_cpu_ms_per_workflow_workerd} ms`,
      ),
      row(
        "peak memory of the server processes",
        `${m.dev_peak_memory_mb} MB`,
        `${m.dev_cf_peak_memory_mb} MB`,
      ),
      "",
    ].join("\n"),
  );
  for (const [k, v] of Object.entries(m)) console.log(`${k}: ${v}`);
}

try {
  await main();
} finally {
  await stopAll();
}
