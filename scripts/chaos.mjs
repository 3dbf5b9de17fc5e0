#!/usr/bin/env node
/**
 * @module `npm run chaos`: the mixed crash soak. A real `wrangler dev` (engine + example activity
 * Worker) runs a mixed load (steps, loans with timers, approvals updated and signalled with fixed
 * ids during the kills, fan-outs with children, sagas with compensation, continue-as-new chains);
 * the whole wrangler/workerd process group is SIGKILLed again and again and restarted on the same
 * `--persist-to` state. Clients retry like real ones (same requestId / updateId). At the end every
 * workflow must be closed with the right result and a clean history, and it prints
 *   `N workflows, K kills, lost L, stuck S, duplicated D, wrong W`
 * exiting 1 unless all four are 0.
 *
 * Env: CHAOS_WORKFLOWS (1000), CHAOS_KILLS (30), CHAOS_SEED (random), CHAOS_RECOVERY_S (420).
 */
import { startDevServer } from "../test/cli/harness.mjs";
import { checkWorkflow } from "./chaos-check.mjs";
import { expectationOf, planWorkflows } from "./chaos-plan.mjs";

const N = Number(process.env.CHAOS_WORKFLOWS ?? 1000);
const KILLS = Number(process.env.CHAOS_KILLS ?? 30);
const SEED = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RECOVERY_MS = Number(process.env.CHAOS_RECOVERY_S ?? 420) * 1000;

/** Deterministic per seed (mulberry32), so a failing mix can be run again. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(SEED);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...args) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}]`, ...args);

const stats = { retriedCalls: 0, serverErrors: 0, startConflicts: [] };
let server;
let serverUp = Promise.resolve();

/**
 * One API call as a careful client makes it: on a dead server (connection refused, reset, timeout)
 * or a 5xx it waits and sends the same request again. 2xx–4xx come back to the caller.
 */
async function call(method, path, body, { until = Date.now() + RECOVERY_MS * 2 } = {}) {
  for (let attempt = 0; ; attempt++) {
    await serverUp;
    const address = server?.address;
    try {
      const res = await fetch(`${address}/api/v1${path}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(75_000),
      });
      const text = await res.text();
      if (res.status >= 500) {
        stats.serverErrors += 1;
        throw new Error(`${res.status} ${text.slice(0, 200)}`);
      }
      return { status: res.status, body: text ? JSON.parse(text) : null };
    } catch (err) {
      if (Date.now() > until) throw new Error(`${method} ${path}: gave up: ${err}`);
      stats.retriedCalls += 1;
      await sleep(Math.min(2000, 100 * 2 ** Math.min(attempt, 4)));
    }
  }
}

/** Runs `fn` over `items`, at most `limit` at once. */
async function pool(items, limit, fn) {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++];
      await fn(item);
    }
  });
  await Promise.all(workers);
}

const plan = planWorkflows(N, random);
const started = new Set();

async function startOne(w) {
  const res = await call("POST", "/workflows", {
    workflowType: w.type,
    workflowId: w.id,
    input: w.input,
    requestId: `start-${w.id}`,
  });
  if (res.status === 201 || res.status === 200) started.add(w.id);
  else stats.startConflicts.push(`${w.id}: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Approvals get an update (fixed updateId) and then the approving signal (fixed requestId). */
async function driveApproval(w) {
  const path = `/workflows/${encodeURIComponent(w.id)}`;
  const update = await call("POST", `${path}/updates/extend`, {
    input: { by: "1m" },
    updateId: `extend-${w.id}`,
    wait: "30s",
  });
  if (update.status !== 200) w.notes.push(`update answered ${update.status}`);
  const signal = await call("POST", `${path}/signals/approve`, {
    input: { approved: true, by: "chaos" },
    requestId: `approve-${w.id}`,
  });
  if (signal.status !== 202) w.notes.push(`signal answered ${signal.status}`);
}

async function main() {
  log(`seed ${SEED}: ${N} workflows, ${KILLS} kills`);
  const t0 = Date.now();
  server = await startDevServer({ migrate: true, timeoutMs: 120_000 });
  const persistTo = server.persistTo;
  const first = server;

  // The load arrives in waves, one per kill interval, so that starts, updates and signals happen
  // while the runtime dies and comes back.
  const waves = Array.from({ length: KILLS + 1 }, (_, i) =>
    plan.filter((_, j) => j % (KILLS + 1) === i),
  );
  const load = (async () => {
    for (const [i, wave] of waves.entries()) {
      await pool(wave, 16, startOne);
      const approvals = wave.filter((w) => w.type === "approval");
      void pool(approvals, 8, driveApproval).catch((err) => log(`approval driver: ${err}`));
      if (i < waves.length - 1) await sleep(2000 + random() * 3000);
    }
  })();

  let kills = 0;
  for (; kills < KILLS; kills++) {
    await sleep(3000 + random() * 6000);
    let reopen;
    serverUp = new Promise((r) => {
      reopen = r;
    });
    const killed = await server.kill();
    if (!killed.some((p) => p.name === "workerd")) log(`kill ${kills + 1}: no workerd seen`);
    server = await startDevServer({ persistTo, timeoutMs: 120_000 });
    reopen();
    if ((kills + 1) % 5 === 0) log(`kill ${kills + 1}/${KILLS} done, ${started.size} started`);
  }
  await load;
  log(`all ${started.size} starts acknowledged; waiting for every workflow to close`);

  const deadline = Date.now() + RECOVERY_MS;
  const outcome = { lost: [], stuck: [], duplicated: [], wrong: [] };
  await pool(plan, 12, async (w) => {
    const verdict = await checkWorkflow(w, expectationOf(w), { call, deadline, started });
    for (const [k, detail] of Object.entries(verdict)) if (detail) outcome[k].push(detail);
  });
  await server.stop();
  await first.stop();

  const secs = ((Date.now() - t0) / 1000).toFixed(0);
  log(
    `${stats.retriedCalls} client retries, ${stats.serverErrors} 5xx answers, ` +
      `${stats.startConflicts.length} refused starts, ${secs} s in all`,
  );
  for (const c of stats.startConflicts.slice(0, 10)) log(`refused start: ${c}`);
  for (const [k, list] of Object.entries(outcome)) {
    for (const d of list.slice(0, 10)) log(`${k}: ${d}`);
  }
  const line =
    `${N} workflows, ${kills} kills, lost ${outcome.lost.length}, stuck ${outcome.stuck.length}, ` +
    `duplicated ${outcome.duplicated.length}, wrong ${outcome.wrong.length}`;
  console.log(line);
  const clean =
    Object.values(outcome).every((l) => l.length === 0) && stats.startConflicts.length === 0;
  process.exit(clean ? 0 : 1);
}

main().catch(async (err) => {
  console.error(err);
  try {
    await server?.stop();
  } catch {}
  process.exit(2);
});
