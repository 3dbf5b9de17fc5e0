/** @module CPU time of the Miniflare runtime (workerd) under this process, from Linux /proc. */
import { readdirSync, readFileSync } from "node:fs";

/** CPU time (user + system, ms) of the workerd processes under this one (Miniflare's runtime). */
export function workerdCpuMs() {
  let total = 0;
  const tick = 1000 / 100; // USER_HZ: 100 on Linux
  const walk = (pid) => {
    let children = [];
    try {
      children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/);
    } catch {
      return;
    }
    for (const child of children.filter(Boolean)) {
      try {
        const stat = readFileSync(`/proc/${child}/stat`, "utf8");
        const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        if (comm.includes("workerd")) total += (Number(fields[11]) + Number(fields[12])) * tick;
      } catch {
        // gone meanwhile
      }
      walk(child);
    }
  };
  walk(process.pid);
  return total;
}

/** On-CPU time (ms, ns precision) of every thread of the workerd processes under this one. */
export function workerdThreadCpuMs() {
  let ns = 0;
  const walk = (pid) => {
    let children = [];
    try {
      children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/);
    } catch {
      return;
    }
    for (const child of children.filter(Boolean)) {
      try {
        if (readFileSync(`/proc/${child}/comm`, "utf8").includes("workerd")) {
          for (const tid of readdirSync(`/proc/${child}/task`)) {
            ns += Number(
              readFileSync(`/proc/${child}/task/${tid}/schedstat`, "utf8").split(" ")[0],
            );
          }
        }
      } catch {
        // gone meanwhile
      }
      walk(child);
    }
  };
  walk(process.pid);
  return ns / 1e6;
}
