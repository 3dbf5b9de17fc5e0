import { performance } from "node:perf_hooks";
import { Miniflare } from "miniflare";
import { alternatingBatches, median, pairedMedian } from "./ab-batches.mjs";
import { abEngineWorker } from "./setup.mjs";

const [aJs, bJs] = [process.argv[2], process.argv[3]];
const rounds = Number(process.argv[4] ?? 10);
const batch = Number(process.argv[5] ?? 10);
const n = Number(process.argv[6] ?? 10);
const local = process.env.BENCH_AB_LOCAL === "1";
const mf = new Miniflare({ workers: [abEngineWorker(aJs, "a"), abEngineWorker(bJs, "b")] });
await mf.ready;
const w = { a: await mf.getWorker("a"), b: await mf.getWorker("b") };
let seq = 0;
const run = async (which) => {
  const id = `abw-${which}-${++seq}`;
  const t0 = performance.now();
  const r = await w[which].fetch("http://localhost/api/v1/workflows", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ workflowType: "steps", workflowId: id, input: { n, local } }),
  });
  await r.text();
  if (r.status !== 201) throw new Error(`${which}: start HTTP ${r.status}`);
  for (;;) {
    const g = await w[which].fetch(`http://localhost/api/v1/workflows/${id}/result?wait=30s`);
    await g.text();
    if (g.status === 200) break;
    if (g.status !== 202) throw new Error(`${which}: result HTTP ${g.status}`);
  }
  return performance.now() - t0;
};
const res = await alternatingBatches({ rounds, batch, warmups: 5, one: run });
await mf.dispose();
for (const k of ["a", "b"]) {
  const x = res[k];
  console.log(
    `${k}: ${n}-${local ? "local" : "queue"}-step workflow p50 ${median(x.ms).toFixed(2)} ms (n=${x.n}), CPU ${(x.cpu / x.n).toFixed(2)} ms/workflow; per-batch p50s ${x.rounds.map((v) => v.toFixed(1)).join(" ")}; CPU ${x.cpus.map((v) => v.toFixed(1)).join(" ")}`,
  );
}
// Paired by round (a and b ran back to back): the median of b − a is what the load moves least.
const diff = (key) => pairedMedian(res, key);
const mean = (xs) => xs.reduce((s, v) => s + v, 0) / xs.length;
const cpuDiffs = res.a.cpus.map((v, i) => res.b.cpus[i] - v);
const se = Math.sqrt(
  cpuDiffs.reduce((s, v) => s + (v - mean(cpuDiffs)) ** 2, 0) / (rounds * (rounds - 1)),
);
console.log(
  `b − a, mean over ${rounds} paired rounds: CPU ${mean(cpuDiffs).toFixed(2)} ± ${se.toFixed(2)} (s.e.) ms/workflow`,
);
console.log(
  `b − a, median over ${rounds} paired rounds: workflow p50 ${diff("rounds").toFixed(2)} ms, CPU ${diff("cpus").toFixed(2)} ms/workflow`,
);
