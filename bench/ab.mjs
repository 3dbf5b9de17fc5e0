/**
 * @module `node bench/ab.mjs <engine-a.js> <engine-b.js> [starts] [workflows]`: two engine builds
 * (e.g. `bench/.build/profile-engine/index.js` of two checkouts, built by `npm run bench --
 * --profile`) side by side in one Miniflare, requests alternated one by one (order flipped each
 * round), so both see the same machine load: on a shared, loaded machine separate runs differ by
 * more than most changes. Prints each build's start-request p50 (starts on a task queue with no
 * consumer) and 10-queue-step workflow p50, client-side.
 */

import { performance } from "node:perf_hooks";
import { Miniflare } from "miniflare";
import { abEngineWorker } from "./setup.mjs";

const [aJs, bJs] = [process.argv[2], process.argv[3]];
const starts = Number(process.argv[4] ?? 300);
const wfs = Number(process.argv[5] ?? 30);
const mf = new Miniflare({ workers: [abEngineWorker(aJs, "a"), abEngineWorker(bJs, "b")] });
await mf.ready;
const w = { a: await mf.getWorker("a"), b: await mf.getWorker("b") };
let seq = 0;
const start = async (which, taskQueue) => {
  const id = `ab-${which}-${++seq}`;
  const t0 = performance.now();
  const r = await w[which].fetch("http://localhost/api/v1/workflows", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      workflowType: "steps",
      workflowId: id,
      taskQueue,
      input: { n: 10, local: false },
    }),
  });
  await r.text();
  if (r.status !== 201) throw new Error(`${r.status}`);
  return { id, ms: performance.now() - t0 };
};
const run = async (which) => {
  const t0 = performance.now();
  const { id } = await start(which, "default");
  for (;;) {
    const g = await w[which].fetch(`http://localhost/api/v1/workflows/${id}/result?wait=30s`);
    await g.text();
    if (g.status === 200) break;
  }
  return performance.now() - t0;
};
const med = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
};
const res = { a: { start: [], wf: [] }, b: { start: [], wf: [] } };
for (let i = 0; i < 30; i++) {
  await start("a", "sink");
  await start("b", "sink");
}
for (let i = 0; i < starts; i++) {
  const order = i % 2 ? ["a", "b"] : ["b", "a"];
  for (const k of order) res[k].start.push((await start(k, "sink")).ms);
}
for (let i = 0; i < 3; i++) {
  await run("a");
  await run("b");
}
for (let i = 0; i < wfs; i++) {
  const order = i % 2 ? ["a", "b"] : ["b", "a"];
  for (const k of order) res[k].wf.push(await run(k));
}
await mf.dispose();
for (const k of ["a", "b"])
  console.log(
    `${k}: start p50 ${med(res[k].start).toFixed(2)} ms (n=${res[k].start.length}); 10 queue steps p50 ${med(res[k].wf).toFixed(2)} ms (n=${res[k].wf.length})`,
  );
