/**
 * @module The server side of `npm run bench:dev` (bench/dev-side-by-side.mjs): starting a dev
 * server (`node scripts/dev.mjs …` or `wrangler dev …`) in its own process group, counting the
 * `[wrangler:info]` lines it prints, reading the CPU and memory of its whole process tree from
 * Linux /proc, and killing the tree at the end.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { log } from "./util.mjs";

const TICK_MS = 1000 / 100; // USER_HZ: 100 on Linux
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

/** The pid and every descendant of it (from /proc/<pid>/task/<tid>/children). */
export function treePids(root) {
  const out = [];
  const walk = (pid) => {
    out.push(pid);
    let tids = [];
    try {
      tids = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/);
    } catch {
      return;
    }
    for (const child of tids.filter(Boolean)) walk(Number(child));
  };
  walk(root);
  return out;
}

/** One process: its name, command line, CPU (user + system, ms), RSS and peak RSS (kB). */
function procInfo(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (name) => Number(status.match(new RegExp(`^${name}:\\s+(\\d+)`, "m"))?.[1] ?? 0);
    const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
    return {
      pid,
      comm,
      args,
      cpuMs: (Number(fields[11]) + Number(fields[12])) * TICK_MS,
      rssKb: kb("VmRSS"),
      hwmKb: kb("VmHWM"),
    };
  } catch {
    return undefined; // gone meanwhile
  }
}

/**
 * A dev server's processes and their parts: `proxy` is the workerd that listens on the server's
 * port (wrangler's ProxyWorker), `workerd` the one running the Workers, `node` wrangler's (and the
 * dev script's) Node processes, `other` the rest (esbuild's service).
 */
function partOf(p, port) {
  if (p.comm.includes("workerd")) {
    return p.args.includes(`entry=127.0.0.1:${port} `) || p.args.endsWith(`entry=127.0.0.1:${port}`)
      ? "proxy"
      : "workerd";
  }
  if (p.comm === "node" || p.comm === "MainThread" || p.args.startsWith(process.execPath)) {
    return "node";
  }
  return "other";
}

export const PARTS = ["node", "proxy", "workerd", "other"];

export class DevServer {
  /**
   * `argv`: what follows `node` (a script and its arguments); `port`: where it answers;
   * `debugLog`: the file wrangler writes its debug log to (`WRANGLER_LOG_PATH`), scanned for the
   * entries its InspectorProxyWorker posts to wrangler's Node process.
   */
  constructor(name, argv, { port, cwd, env, debugLog }) {
    this.name = name;
    this.port = port;
    this.debugLog = debugLog;
    this.debugOffset = 0;
    this.debugRest = "";
    this.lines = { http: 0, queue: 0, other: 0, debug: 0, inspector: 0, network: 0 };
    this.tail = [];
    this.peakRssKb = 0;
    this.seen = new Set();
    this.child = spawn(process.execPath, argv, {
      cwd,
      env,
      detached: true, // its own process group: the whole tree can be signalled at the end
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.exited = new Promise((done) => this.child.once("exit", (code, sig) => done(sig ?? code)));
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let rest = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk) => {
        const parts = (rest + chunk).split("\n");
        rest = parts.pop() ?? "";
        for (const line of parts) this.#line(line.replace(ANSI, ""));
      });
    }
  }

  #line(line) {
    this.tail.push(line);
    if (this.tail.length > 40) this.tail.shift();
    if (process.env.BENCH_DEV_VERBOSE) log(`${this.name}| ${line}`);
    const info = line.indexOf("[wrangler:info] ");
    if (info < 0) return;
    const rest = line.slice(info + 16);
    if (rest.startsWith("QUEUE ")) this.lines.queue++;
    else if (/^[A-Z]+ \/\S* \d{3} /.test(rest)) this.lines.http++;
    else this.lines.other++;
  }

  /**
   * Counts the debug log's new entries: all (`debug`), the runtime inspector messages the
   * InspectorProxyWorker forwarded (`inspector`), and of those the `Network.*` events (`network`).
   */
  #scanDebugLog() {
    let size;
    try {
      size = statSync(this.debugLog).size;
    } catch {
      return; // not written yet
    }
    if (size <= this.debugOffset) return;
    const buf = Buffer.alloc(size - this.debugOffset);
    const fd = openSync(this.debugLog, "r");
    try {
      readSync(fd, buf, 0, buf.length, this.debugOffset);
    } finally {
      closeSync(fd);
    }
    this.debugOffset = size;
    const parts = (this.debugRest + buf.toString("utf8")).split("\n--- ");
    this.debugRest = parts.pop() ?? "";
    for (const entry of parts) this.#entry(entry);
  }

  #entry(entry) {
    const body = entry.slice(entry.indexOf("\n") + 1);
    if (body.trim() === "" || body.trim() === "---") return;
    this.lines.debug++;
    if (body.includes("RUNTIME INCOMING MESSAGE")) {
      this.lines.inspector++;
      if (body.includes("method: 'Network.")) this.lines.network++;
    }
  }

  /** Resolves once `GET path` answers anything; throws if the server exits or `ms` pass. */
  async ready(path, ms = 120_000) {
    const t0 = Date.now();
    let exitCode;
    this.exited.then((code) => {
      exitCode = code;
    });
    while (Date.now() - t0 < ms) {
      if (exitCode !== undefined) break;
      try {
        const res = await fetch(`http://127.0.0.1:${this.port}${path}`);
        await res.arrayBuffer();
        return Date.now() - t0;
      } catch {
        await new Promise((done) => setTimeout(done, 250));
      }
    }
    throw new Error(
      `${this.name} did not answer on port ${this.port} (${exitCode === undefined ? "timeout" : `exited: ${exitCode}`}); last output:\n${this.tail.join("\n")}`,
    );
  }

  /** The tree's processes now (pid → info). */
  snapshot() {
    const procs = new Map();
    for (const pid of treePids(this.child.pid)) {
      const p = procInfo(pid);
      if (p === undefined) continue;
      p.part = partOf(p, this.port);
      procs.set(pid, p);
      this.seen.add(pid);
    }
    return procs;
  }

  /** Sums RSS over the tree; keeps the peak (call every 100 ms). */
  sampleMemory() {
    let kb = 0;
    for (const p of this.snapshot().values()) kb += p.rssKb;
    this.peakRssKb = Math.max(this.peakRssKb, kb);
    return kb;
  }

  /** The sum of each process's own peak RSS (VmHWM): an upper bound of the tree's peak. */
  hwmKb() {
    let kb = 0;
    for (const p of this.snapshot().values()) kb += p.hwmKb;
    return kb;
  }

  /** A mark: CPU per process and the log counters, for `since`. */
  mark() {
    if (this.debugLog) this.#scanDebugLog();
    return { procs: this.snapshot(), lines: { ...this.lines }, t: performance.now() };
  }

  /** CPU (ms) by part and in all, and log lines, between a `mark()` and now. */
  since(before) {
    const after = this.mark();
    const cpu = Object.fromEntries(PARTS.map((part) => [part, 0]));
    for (const [pid, p] of after.procs) {
      const was = before.procs.get(pid);
      cpu[p.part] += p.cpuMs - (was?.cpuMs ?? 0); // a process new since the mark: all of it
    }
    cpu.all = PARTS.reduce((sum, part) => sum + cpu[part], 0);
    const lines = {};
    for (const k of Object.keys(after.lines)) lines[k] = after.lines[k] - before.lines[k];
    return { cpu, lines, ms: after.t - before.t };
  }

  /** The processes and their parts, for the log. */
  describe() {
    return [...this.snapshot().values()]
      .map((p) => `${p.pid} ${p.part} ${p.comm} ${Math.round(p.rssKb / 1024)} MB`)
      .join("; ");
  }

  /** SIGINT to the process group, then SIGKILL to whatever of the tree is left after `ms`. */
  async stop(ms = 5000) {
    for (const pid of treePids(this.child.pid)) this.seen.add(pid);
    try {
      process.kill(-this.child.pid, "SIGINT");
    } catch {
      // already gone
    }
    await Promise.race([this.exited, new Promise((done) => setTimeout(done, ms))]);
    // The group, then any process of the tree that left it; only a pid that still belongs to a
    // process we saw in the tree (same group, or a child of one we saw), never a reused one.
    const left = [...this.seen].filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const [, ppid, pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return Number(pgrp) === this.child.pid || this.seen.has(Number(ppid));
      } catch {
        return false;
      }
    });
    for (const pid of [-this.child.pid, ...left]) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
}
