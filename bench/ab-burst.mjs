import { performance } from "node:perf_hooks";
import { Miniflare } from "miniflare";
import { workerdCpuMs } from "./cpu.mjs";
import { abEngineWorker } from "./setup.mjs";

const [aJs, bJs] = [process.argv[2], process.argv[3]];
const rounds = Number(process.argv[4] ?? 6);
const size = Number(process.argv[5] ?? 200);
const local = process.argv[6] === "1";
const settleMs = Number(process.env.BENCH_AB_SETTLE_MS ?? 1500);
const mf = new Miniflare({ workers: [abEngineWorker(aJs, "a"), abEngineWorker(bJs, "b")] });
await mf.ready;
const w = { a: await mf.getWorker("a"), b: await mf.getWorker("b") };
let seq = 0;
const run = async (which) => {
  const id = `abb-${which}-${++seq}`;
  const r = await w[which].fetch("http://localhost/api/v1/workflows", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ workflowType: "steps", workflowId: id, input: { n: 10, local } }),
  });
  await r.text();
  if (r.status !== 201) throw new Error(`start ${r.status}`);
  for (;;) {
    const g = await w[which].fetch(`http://localhost/api/v1/workflows/${id}/result?wait=30s`);
    await g.text();
    if (g.status === 200) return;
  }
};
const burst = async (which) => {
  const c0 = workerdCpuMs();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: size }, () => run(which)));
  const wall = performance.now() - t0;
  await new Promise((r) => setTimeout(r, settleMs));
  return { wall, cpu: (workerdCpuMs() - c0) / size };
};
const med = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return s[s.length >> 1];
};
await burst("a");
await burst("b");
const res = { a: [], b: [] };
for (let i = 0; i < rounds; i++) {
  for (const k of i % 2 ? ["a", "b"] : ["b", "a"]) res[k].push(await burst(k));
}
await mf.dispose();
for (const k of ["a", "b"]) {
  const walls = res[k].map((r) => r.wall);
  const cpus = res[k].map((r) => r.cpu);
  console.log(
    `${k}: ${size} at once (${local ? "local" : "queue"}): wall p50 ${med(walls).toFixed(0)} ms (${walls.map((x) => x.toFixed(0)).join(" ")}); workerd CPU per workflow p50 ${med(cpus).toFixed(2)} ms (${cpus.map((x) => x.toFixed(1)).join(" ")})`,
  );
}
