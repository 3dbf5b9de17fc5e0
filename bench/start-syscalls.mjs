/**
 * @module `node bench/start-syscalls.mjs <engine.js> [starts]`: what a start request makes workerd
 * do on disk. Runs the engine alone in Miniflare (a task queue with no consumer, so nothing runs
 * after each start but its own background work), then `N` sequential starts of new workflow ids
 * while `strace -f -y` (Debian's strace; this script does not install it) records workerd's
 * `fsync` and `openat` calls. Prints them per start, by file: the new object's database, its
 * rollback journal (used once, while SQLite creates the file), its WAL, the directory, and the
 * namespace's `metadata.sqlite` (workerd's local alarm index). workerd makes these calls on the
 * isolate's thread, so every one of them is thread time no request can use.
 */
import { Miniflare } from "miniflare";
import { sinkEngineWorker } from "./setup.mjs";
import { printPer, traceWorkerd } from "./syscalls.mjs";

const js = process.argv[2];
const n = Number(process.argv[3] ?? 100);
const mf = new Miniflare({ workers: [sinkEngineWorker(js)] });
await mf.ready;
const w = await mf.getWorker();
const start = (workflowId) =>
  w
    .fetch("http://localhost/api/v1/workflows", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        workflowType: "steps",
        workflowId,
        taskQueue: "sink",
        input: { n: 10 },
      }),
    })
    .then((r) => r.text());
for (let i = 0; i < 10; i++) await start(`warm-${i}`);
const trace = await traceWorkerd();
for (let i = 0; i < n; i++) await start(`s-${i}`);
await new Promise((r) => setTimeout(r, 300)); // each start's send and its DELETE
const kinds = await trace.stop();
await mf.dispose();
printPer(kinds, n, `${n} starts; per start:`);
