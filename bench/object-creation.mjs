/**
 * @module `node bench/object-creation.mjs [rounds] [perRound]`: what a new SQLite Durable Object
 * costs on this workerd, variant by variant (bench/object-creation-worker.ts), rounds interleaved
 * so all variants see the same machine load. Prints, per variant, the median wall time of the RPC
 * (Worker side, includes creating the object), of the work inside the object, and workerd's CPU
 * per call (from /proc). Note: performance.now() inside workerd only advances on I/O, so the inner
 * time of synchronous SQLite work reads 0; the outer time and the CPU are the real measures.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { workerdCpuMs } from "./cpu.mjs";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const OUT = join(BENCH_DIR, ".build", "object-creation", "worker.js");
const rounds = Number(process.argv[2] ?? 5);
const perRound = Number(process.argv[3] ?? 40);
const VARIANTS = (
  process.env.VARIANTS ??
  "rpc-only,read,insert,ddl-now,ddl-one-exec,ddl-in-txn,insert-alarm,ddl-alarm,existing"
).split(",");

await build({
  entryPoints: [join(BENCH_DIR, "object-creation-worker.ts")],
  outfile: OUT,
  bundle: true,
  format: "esm",
  target: "es2022",
  platform: "neutral",
  external: ["cloudflare:*"],
  logLevel: "warning",
});
const mf = new Miniflare({
  modules: true,
  scriptPath: OUT,
  compatibilityDate: "2026-04-20",
  compatibilityFlags: ["nodejs_compat"],
  durableObjects: { PROBE: { className: "Probe", useSQLite: true } },
});
await mf.ready;
const acc = Object.fromEntries(VARIANTS.map((v) => [v, { outer: [], inner: [], cpu: 0, n: 0 }]));
const call = async (v, n, tag) => {
  const variant = v === "existing" ? "insert" : v;
  const same = v === "existing" ? "1" : "0";
  const r = await mf.dispatchFetch(`http://x/?variant=${variant}&n=${n}&same=${same}&tag=${tag}`);
  return r.json();
};
for (const v of VARIANTS) await call(v, 5, "warm"); // warm-up
for (let r = 0; r < rounds; r++) {
  const order = r % 2 ? [...VARIANTS].reverse() : VARIANTS;
  for (const v of order) {
    const c0 = workerdCpuMs();
    const { outer, inner } = await call(v, perRound, `r${r}`);
    acc[v].cpu += workerdCpuMs() - c0;
    acc[v].n += perRound;
    acc[v].outer.push(...outer);
    acc[v].inner.push(...inner);
  }
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log("variant        rpc wall mean ms   inside mean ms   workerd CPU ms/call");
for (const v of VARIANTS) {
  const a = acc[v];
  console.log(
    `${v.padEnd(14)} ${mean(a.outer).toFixed(3).padStart(10)} ${mean(a.inner).toFixed(3).padStart(15)} ${(a.cpu / a.n).toFixed(3).padStart(18)}`,
  );
}
await mf.dispose();
