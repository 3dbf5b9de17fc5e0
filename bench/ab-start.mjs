/**
 * @module `node bench/ab-start.mjs <engine-a.js> <engine-b.js> [rounds] [batch]`: the start path of
 * two engine builds side by side in one Miniflare (as bench/ab.mjs), in alternating batches of
 * `batch` starts (order flipped each round), each on a new workflow id and a task queue with no
 * consumer. Per build: the client-side start p50 and workerd's CPU per start (from /proc, per
 * batch: only one build runs at a time). CPU moves less than wall time with the machine's load.
 * BENCH_AB_SETTLE_MS (e.g. 1500): a pause after each batch, inside its CPU window, so that the
 * alarms its starts leave (a second later) count for it, not for whichever batch runs then.
 */

import { performance } from "node:perf_hooks";
import { Miniflare } from "miniflare";
import { workerdThreadCpuMs } from "./cpu.mjs";
import { sinkEngineWorker } from "./setup.mjs";

const [aJs, bJs] = [process.argv[2], process.argv[3]];
const rounds = Number(process.argv[4] ?? 10);
const batch = Number(process.argv[5] ?? 50);
const settleMs = Number(process.env.BENCH_AB_SETTLE_MS ?? 0);
const mf = new Miniflare({ workers: [sinkEngineWorker(aJs, "a"), sinkEngineWorker(bJs, "b")] });
await mf.ready;
const w = { a: await mf.getWorker("a"), b: await mf.getWorker("b") };
let seq = 0;
const start = async (which) => {
  const t0 = performance.now();
  const r = await w[which].fetch("http://localhost/api/v1/workflows", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      workflowType: "steps",
      workflowId: `abs-${which}-${++seq}`,
      taskQueue: "sink",
      input: { n: 10, local: false },
    }),
  });
  await r.text();
  if (r.status !== 201) throw new Error(`${which}: HTTP ${r.status}`);
  return performance.now() - t0;
};
const med = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
const res = {
  a: { ms: [], cpu: 0, n: 0, rounds: [], cpus: [] },
  b: { ms: [], cpu: 0, n: 0, rounds: [], cpus: [] },
};
for (let i = 0; i < 30; i++) for (const k of ["a", "b"]) await start(k); // warm-up
for (let r = 0; r < rounds; r++) {
  for (const k of r % 2 ? ["a", "b"] : ["b", "a"]) {
    const c0 = workerdThreadCpuMs();
    const ms = [];
    for (let i = 0; i < batch; i++) ms.push(await start(k));
    if (settleMs > 0) await new Promise((r) => setTimeout(r, settleMs));
    const cpu = workerdThreadCpuMs() - c0;
    res[k].cpu += cpu;
    res[k].n += batch;
    res[k].ms.push(...ms);
    res[k].rounds.push(med(ms));
    res[k].cpus.push(cpu / batch);
  }
}
await mf.dispose();
for (const k of ["a", "b"]) {
  const x = res[k];
  console.log(
    `${k}: start p50 ${med(x.ms).toFixed(2)} ms (n=${x.n}), CPU ${(x.cpu / x.n).toFixed(2)} ms/start; per-batch p50s ${x.rounds.map((v) => v.toFixed(1)).join(" ")}; CPU ${x.cpus.map((v) => v.toFixed(1)).join(" ")}`,
  );
}
// Paired by round (a and b ran back to back): the median of b − a is what the load moves least.
const diff = (key) => med(res.a[key].map((v, i) => res.b[key][i] - v));
console.log(
  `b − a, median over ${rounds} paired rounds: start p50 ${diff("rounds").toFixed(2)} ms, CPU ${diff("cpus").toFixed(2)} ms/start`,
);
