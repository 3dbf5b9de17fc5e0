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
import { execSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Miniflare } from "miniflare";

const js = process.argv[2];
const n = Number(process.argv[3] ?? 100);
const out = `/tmp/start-syscalls-${process.pid}.txt`;
const mf = new Miniflare({
  modules: true,
  scriptPath: resolve(js),
  modulesRoot: dirname(resolve(js)),
  compatibilityDate: "2026-04-20",
  compatibilityFlags: ["nodejs_compat"],
  durableObjects: {
    WORKFLOW_EXECUTION: { className: "WorkflowExecution", useSQLite: true },
    SCHEDULE: { className: "ScheduleObject", useSQLite: true },
  },
  queueProducers: { SINK_QUEUE: { queueName: "sink" } },
  bindings: { SUNDIAL_TASK_QUEUES: '{"sink":"SINK_QUEUE"}', SUNDIAL_AUTH: "disabled" },
});
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
// Miniflare's workerd is this process's child.
const pid = execSync(`pgrep -P ${process.pid} -f 'workerd serve'`).toString().trim().split("\n")[0];
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
for (let i = 0; i < n; i++) await start(`s-${i}`);
await new Promise((r) => setTimeout(r, 300)); // each start's send and its DELETE
strace.kill("SIGINT");
await exited;
await mf.dispose();
const kinds = new Map();
for (const line of readFileSync(out, "utf8").split("\n")) {
  const m = /(fsync|fdatasync|openat)\((\d+)<([^>]*)>(?:, "([^"]*)")?/.exec(line);
  if (!m) continue;
  const path = (m[4] ?? m[3]).replace(/.*\//, "").replace(/[0-9a-f]{64}/, "<object>");
  const key = `${m[1]} ${path || "<directory>"}`;
  kinds.set(key, (kinds.get(key) ?? 0) + 1);
}
console.log(`${n} starts; per start:`);
for (const [k, v] of [...kinds].sort((a, b) => b[1] - a[1])) {
  console.log(`  ${(v / n).toFixed(2).padStart(6)}  ${k}`);
}
