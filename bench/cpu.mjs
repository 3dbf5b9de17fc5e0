/** @module CPU time of the Miniflare runtime (workerd) under this process, from Linux /proc. */
import { readFileSync } from "node:fs";

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
