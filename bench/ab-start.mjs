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
import { alternatingBatches, median, pairedMedian } from "./ab-batches.mjs";
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
const res = await alternatingBatches({ rounds, batch, warmups: 30, settleMs, one: start });
await mf.dispose();
for (const k of ["a", "b"]) {
  const x = res[k];
  console.log(
    `${k}: start p50 ${median(x.ms).toFixed(2)} ms (n=${x.n}), CPU ${(x.cpu / x.n).toFixed(2)} ms/start; per-batch p50s ${x.rounds.map((v) => v.toFixed(1)).join(" ")}; CPU ${x.cpus.map((v) => v.toFixed(1)).join(" ")}`,
  );
}
// Paired by round (a and b ran back to back): the median of b − a is what the load moves least.
const diff = (key) => pairedMedian(res, key);
console.log(
  `b − a, median over ${rounds} paired rounds: start p50 ${diff("rounds").toFixed(2)} ms, CPU ${diff("cpus").toFixed(2)} ms/start`,
);
