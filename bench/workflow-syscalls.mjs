/**
 * @module `node bench/workflow-syscalls.mjs [queue|local]`: workerd's `fsync` and `openat` calls per
 * 10-step workflow, 100 started at once (the bench's engine and Miniflare, `strace -f -y` on
 * workerd; needs Debian's strace). Each sync runs on the isolate's thread. See bench/README.md,
 * "What a start costs on disk".
 */
import { runSteps } from "./engine-client.mjs";
import {
  benchWorker,
  buildBenchWorker,
  buildEngine,
  engineWorker,
  startMiniflare,
} from "./setup.mjs";
import { printPer, traceWorkerd } from "./syscalls.mjs";

const local = process.argv[2] === "local";
const [engineEntry, benchEntry] = await Promise.all([
  Promise.resolve().then(buildEngine),
  buildBenchWorker(),
]);
const mf = await startMiniflare([engineWorker(engineEntry), benchWorker(benchEntry)]);
for (let i = 0; i < 20; i++) await runSteps(mf, 10, local, "warm");
const trace = await traceWorkerd();
const N = 100;
await Promise.all(Array.from({ length: N }, () => runSteps(mf, 10, local, "b")));
await new Promise((r) => setTimeout(r, 1500));
const kinds = await trace.stop();
await mf.dispose();
printPer(kinds, N, `${N} workflows (${local ? "local" : "queue"}); per workflow:`);
