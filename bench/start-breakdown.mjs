/**
 * @module `node bench/start-breakdown.mjs <engine.js> [rounds] [perRound]`: where a start request's
 * wall time goes, by difference, in one Miniflare (client-side, `Worker.fetch` as bench/ab.mjs):
 * (1) a request the router answers without an object (a 404 route): the client hop and the Worker;
 * (2) `GET /workflows/{new id}`: the same plus the RPC to a NEW object that reads one row (404);
 * (3) a start naming a running workflow with `idConflictPolicy: UseExisting`: routing, validation
 *     and an RPC to an EXISTING object that writes nothing;
 * (4) a start of a new workflow id: everything (new object, schema, first task, commit, alarm).
 * The kinds alternate request by request, so all see the same load; printed are the medians and
 * the median per-round differences.
 */
import { performance } from "node:perf_hooks";
import { Miniflare } from "miniflare";
import { sinkEngineWorker } from "./setup.mjs";

const js = process.argv[2];
const rounds = Number(process.argv[3] ?? 10);
const perRound = Number(process.argv[4] ?? 30);
const mf = new Miniflare({ workers: [sinkEngineWorker(js)] });
await mf.ready;
const w = await mf.getWorker();
let seq = 0;
const body = (workflowId, extra = {}) =>
  JSON.stringify({
    workflowType: "steps",
    workflowId,
    taskQueue: "sink",
    input: { n: 10, local: false },
    ...extra,
  });
const timed = async (url, init, ok) => {
  const t0 = performance.now();
  const r = await w.fetch(url, init);
  await r.text();
  const ms = performance.now() - t0;
  if (r.status !== ok) throw new Error(`${url}: HTTP ${r.status}`);
  return ms;
};
const post = { method: "POST", headers: { "content-type": "application/json" } };
const KINDS = {
  router: () => timed("http://localhost/api/v1/no-such-route", {}, 404),
  newObjectRead: () => timed(`http://localhost/api/v1/workflows/probe-${++seq}`, {}, 404),
  existingStart: () =>
    timed(
      "http://localhost/api/v1/workflows",
      { ...post, body: body("running", { idConflictPolicy: "UseExisting" }) },
      200,
    ),
  newStart: () =>
    timed("http://localhost/api/v1/workflows", { ...post, body: body(`s-${++seq}`) }, 201),
};
await timed("http://localhost/api/v1/workflows", { ...post, body: body("running") }, 201);
const names = Object.keys(KINDS);
for (let i = 0; i < 20; i++) for (const k of names) await KINDS[k](); // warm-up
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const all = Object.fromEntries(names.map((k) => [k, []]));
const perRoundMed = Object.fromEntries(names.map((k) => [k, []]));
for (let r = 0; r < rounds; r++) {
  const these = Object.fromEntries(names.map((k) => [k, []]));
  for (let i = 0; i < perRound; i++) {
    const order = (i + r) % 2 ? names : [...names].reverse();
    for (const k of order) these[k].push(await KINDS[k]());
  }
  for (const k of names) {
    all[k].push(...these[k]);
    perRoundMed[k].push(med(these[k]));
  }
}
await mf.dispose();
for (const k of names) console.log(`${k.padEnd(14)} p50 ${med(all[k]).toFixed(2)} ms`);
const diff = (a, b) => med(perRoundMed[a].map((v, i) => v - perRoundMed[b][i])).toFixed(2);
console.log(`new object (RPC + one read) − router: ${diff("newObjectRead", "router")} ms`);
console.log(`existing-object start (no write) − router: ${diff("existingStart", "router")} ms`);
console.log(`new start − new object read: ${diff("newStart", "newObjectRead")} ms`);
console.log(`new start − existing-object start: ${diff("newStart", "existingStart")} ms`);
