/**
 * @module The alternating-batch loop of bench/ab-start.mjs and bench/ab-steps.mjs: per round, a
 * batch of `batch` sequential calls of `one(build)` on each build (order flipped each round), with
 * workerd's on-CPU time (schedstat) over each batch: only one build runs at a time.
 */
import { workerdThreadCpuMs } from "./cpu.mjs";

export const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];

/**
 * Runs the rounds; per build: every call's ms (`ms`), total CPU and calls (`cpu`, `n`), and per
 * round the batch's median ms (`rounds`) and CPU per call (`cpus`). `settleMs`: a pause after each
 * batch, inside its CPU window (what its objects do a moment later counts for it).
 */
export async function alternatingBatches({ rounds, batch, warmups, settleMs = 0, one }) {
  const res = {
    a: { ms: [], cpu: 0, n: 0, rounds: [], cpus: [] },
    b: { ms: [], cpu: 0, n: 0, rounds: [], cpus: [] },
  };
  for (let i = 0; i < warmups; i++) for (const k of ["a", "b"]) await one(k);
  for (let r = 0; r < rounds; r++) {
    for (const k of r % 2 ? ["a", "b"] : ["b", "a"]) {
      const c0 = workerdThreadCpuMs();
      const ms = [];
      for (let i = 0; i < batch; i++) ms.push(await one(k));
      if (settleMs > 0) await new Promise((done) => setTimeout(done, settleMs));
      const cpu = workerdThreadCpuMs() - c0;
      res[k].cpu += cpu;
      res[k].n += batch;
      res[k].ms.push(...ms);
      res[k].rounds.push(median(ms));
      res[k].cpus.push(cpu / batch);
    }
  }
  return res;
}

/** The median over rounds of b − a for a per-round series (a and b ran back to back). */
export function pairedMedian(res, key) {
  return median(res.a[key].map((v, i) => res.b[key][i] - v));
}
