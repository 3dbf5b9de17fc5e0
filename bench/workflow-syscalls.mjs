/**
 * @module `node bench/workflow-syscalls.mjs [queue|local]`: workerd's `fsync` and `openat` calls per
 * 10-step workflow, 100 started at once (the bench's engine and Miniflare, `strace -f -y` on
 * workerd; needs Debian's strace). Each sync runs on the isolate's thread. See bench/README.md,
 * "What a start costs on disk".
 */
import { execSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { runSteps } from "./engine-client.mjs";
import {
  benchWorker,
  buildBenchWorker,
  buildEngine,
  engineWorker,
  startMiniflare,
} from "./setup.mjs";

const local = process.argv[2] === "local";
const [engineEntry, benchEntry] = await Promise.all([
  Promise.resolve().then(buildEngine),
  buildBenchWorker(),
]);
const mf = await startMiniflare([engineWorker(engineEntry), benchWorker(benchEntry)]);
for (let i = 0; i < 20; i++) await runSteps(mf, 10, local, "warm");
const pid = execSync(`pgrep -P ${process.pid} -f 'workerd serve'`).toString().trim().split("\n")[0];
const out = `/tmp/burst-sys-${process.pid}.txt`;
const strace = spawn("strace", [
  "-f",
  "-y",
  "-p",
  pid,
  "-e",
  "trace=fsync,fdatasync,openat",
  "-o",
  out,
]);
const exited = new Promise((r) => strace.on("exit", r));
await new Promise((r) => setTimeout(r, 1000));
const N = 100;
await Promise.all(Array.from({ length: N }, () => runSteps(mf, 10, local, "b")));
await new Promise((r) => setTimeout(r, 1500));
strace.kill("SIGINT");
await exited;
await mf.dispose();
const kinds = new Map();
for (const line of readFileSync(out, "utf8").split("\n")) {
  const m = /(fsync|fdatasync|openat)\((\d+)<([^>]*)>(?:, "([^"]*)")?/.exec(line);
  if (!m) continue;
  const full = m[4] ? `${m[3]}/${m[4]}` : m[3];
  const path = full.replace(/\/tmp\/[^/]*\//, "").replace(/[0-9a-f]{64}/, "<obj>");
  const key = `${m[1]} ${path}`;
  kinds.set(key, (kinds.get(key) ?? 0) + 1);
}
console.log(`${N} workflows (${local ? "local" : "queue"}); per workflow:`);
for (const [k, v] of [...kinds].sort((a, b) => b[1] - a[1]))
  console.log(`  ${(v / N).toFixed(2).padStart(6)}  ${k}`);
