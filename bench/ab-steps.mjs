/**
 * @module `node bench/ab-steps.mjs <engine-a.js> <engine-b.js> [rounds] [batch] [steps]`: queue-activity
 * steps of two engine builds side by side in one Miniflare (as bench/ab.mjs), in alternating
 * batches of `batch` sequential `steps` workflows of `steps` (default 10) queue activities, start to
 * result (order flipped each round). Per build: the client-side workflow p50 and workerd's CPU per
 * workflow (from /proc schedstat, per batch: only one build runs at a time). With `steps` 0 the
 * same measures a start + result alone, so (CPU at n − CPU at 0) / n is the CPU of one step.
 * BENCH_AB_LOCAL=1: local activities instead (`input.local`).
 */

import { readdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { Miniflare } from "miniflare";

/** On-CPU time (ms, ns precision) of every thread of the workerd processes under this one. */
function workerdThreadCpuMs() {
  let ns = 0;
  const walk = (pid) => {
    let children = [];
    try {
      children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/);
    } catch {
      return;
    }
    for (const child of children.filter(Boolean)) {
      try {
        if (readFileSync(`/proc/${child}/comm`, "utf8").includes("workerd")) {
          for (const tid of readdirSync(`/proc/${child}/task`)) {
            ns += Number(
              readFileSync(`/proc/${child}/task/${tid}/schedstat`, "utf8").split(" ")[0],
            );
          }
        }
      } catch {
        // gone meanwhile
      }
      walk(child);
    }
  };
  walk(process.pid);
  return ns / 1e6;
}

const [aJs, bJs] = [process.argv[2], process.argv[3]];
const rounds = Number(process.argv[4] ?? 10);
const batch = Number(process.argv[5] ?? 10);
const n = Number(process.argv[6] ?? 10);
const local = process.env.BENCH_AB_LOCAL === "1";
const consumer = { maxBatchSize: 10, maxBatchTimeout: 0, maxRetries: 10, retryDelay: 0 };
const worker = (name, scriptPath) => ({
  name,
  modules: true,
  scriptPath: resolve(scriptPath),
  modulesRoot: dirname(resolve(scriptPath)),
  compatibilityDate: "2026-04-20",
  compatibilityFlags: ["nodejs_compat"],
  durableObjects: {
    WORKFLOW_EXECUTION: { className: "WorkflowExecution", useSQLite: true },
    SCHEDULE: { className: "ScheduleObject", useSQLite: true },
  },
  queueProducers: { ACTIVITY_QUEUE: { queueName: `${name}-acts` } },
  queueConsumers: { [`${name}-acts`]: consumer },
  bindings: { SUNDIAL_TASK_QUEUES: '{"default":"ACTIVITY_QUEUE"}', SUNDIAL_AUTH: "disabled" },
});
const mf = new Miniflare({ workers: [worker("a", aJs), worker("b", bJs)] });
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
const med = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
const res = {
  a: { ms: [], cpu: 0, n: 0, rounds: [], cpus: [] },
  b: { ms: [], cpu: 0, n: 0, rounds: [], cpus: [] },
};
for (let i = 0; i < 5; i++) for (const k of ["a", "b"]) await run(k); // warm-up
for (let r = 0; r < rounds; r++) {
  for (const k of r % 2 ? ["a", "b"] : ["b", "a"]) {
    const c0 = workerdThreadCpuMs();
    const ms = [];
    for (let i = 0; i < batch; i++) ms.push(await run(k));
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
    `${k}: ${n}-${local ? "local" : "queue"}-step workflow p50 ${med(x.ms).toFixed(2)} ms (n=${x.n}), CPU ${(x.cpu / x.n).toFixed(2)} ms/workflow; per-batch p50s ${x.rounds.map((v) => v.toFixed(1)).join(" ")}; CPU ${x.cpus.map((v) => v.toFixed(1)).join(" ")}`,
  );
}
// Paired by round (a and b ran back to back): the median of b − a is what the load moves least.
const diff = (key) => med(res.a[key].map((v, i) => res.b[key][i] - v));
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
