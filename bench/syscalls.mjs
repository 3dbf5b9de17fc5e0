/**
 * @module `strace` on this process's Miniflare workerd (Debian's strace; not installed by the
 * bench): its `fsync`, `fdatasync` and `openat` calls, counted by call and file kind. Used by
 * bench/start-syscalls.mjs and bench/workflow-syscalls.mjs.
 */
import { execSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";

/**
 * Starts tracing; `stop()` ends it and resolves to the counts by `"<call> <file>"`, the file named
 * by its last path part, an object's hashed name as `<object>`.
 */
export async function traceWorkerd() {
  // Miniflare's workerd is this process's child.
  const pid = execSync(`pgrep -P ${process.pid} -f 'workerd serve'`)
    .toString()
    .trim()
    .split("\n")[0];
  const out = `/tmp/syscalls-${process.pid}.txt`;
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
  await new Promise((r) => setTimeout(r, 1000)); // attached
  return {
    async stop() {
      strace.kill("SIGINT");
      await exited;
      const kinds = new Map();
      for (const line of readFileSync(out, "utf8").split("\n")) {
        const m = /(fsync|fdatasync|openat)\((\d+)<([^>]*)>(?:, "([^"]*)")?/.exec(line);
        if (!m) continue;
        const path = (m[4] ?? m[3]).replace(/.*\//, "").replace(/[0-9a-f]{64}/, "<object>");
        const key = `${m[1]} ${path || "<directory>"}`;
        kinds.set(key, (kinds.get(key) ?? 0) + 1);
      }
      return kinds;
    },
  };
}

/** Prints the counts divided by `n`, most frequent first. */
export function printPer(kinds, n, heading) {
  console.log(heading);
  for (const [k, v] of [...kinds].sort((a, b) => b[1] - a[1])) {
    console.log(`  ${(v / n).toFixed(2).padStart(6)}  ${k}`);
  }
}
