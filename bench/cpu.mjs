/** @module CPU time of the Miniflare runtime (workerd) under this process, from Linux /proc. */
import { readdirSync, readFileSync } from "node:fs";

/** Calls `visit(pid)` for every workerd process under this one (a process gone meanwhile is skipped). */
function eachWorkerd(visit) {
  const walk = (pid) => {
    let children = [];
    try {
      children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/);
    } catch {
      return;
    }
    for (const child of children.filter(Boolean)) {
      try {
        if (readFileSync(`/proc/${child}/comm`, "utf8").includes("workerd")) visit(child);
      } catch {
        // gone meanwhile
      }
      walk(child);
    }
  };
  walk(process.pid);
}

/** CPU time (user + system, ms) of the workerd processes under this one (Miniflare's runtime). */
export function workerdCpuMs() {
  const tick = 1000 / 100; // USER_HZ: 100 on Linux
  let total = 0;
  eachWorkerd((pid) => {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    total += (Number(fields[11]) + Number(fields[12])) * tick;
  });
  return total;
}

/** On-CPU time (ms, ns precision) of every thread of the workerd processes under this one. */
export function workerdThreadCpuMs() {
  let ns = 0;
  eachWorkerd((pid) => {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    }
  });
  return ns / 1e6;
}
