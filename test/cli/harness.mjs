/**
 * @module Node-side helpers of the CLI tests: a real `wrangler dev` on a free port and the `sundial`
 * command as a child process. Plain JS with types in harness.d.mts, so that the root tsconfig (typed
 * for workerd, without Node's types) can check the tests that import it.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

const QUIET = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};

/** A TCP port nobody listens on right now. */
export function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => done(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Applies migrations/ to the local D1 visibility index kept in `persistTo`. */
export function applyD1Migrations(persistTo) {
  const args = [
    join(repoRoot, "node_modules/wrangler/bin/wrangler.js"),
    ...["d1", "migrations", "apply", "VISIBILITY", "--local", "--persist-to", persistTo],
    ...["-c", "wrangler.toml"],
  ];
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      env: { ...process.env, ...QUIET, CI: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    child.stdout.on("data", (chunk) => {
      log += chunk;
    });
    child.stderr.on("data", (chunk) => {
      log += chunk;
    });
    child.on("error", fail);
    child.on("close", (code) =>
      code === 0 ? done() : fail(new Error(`d1 migrations apply exited with ${code}:\n${log}`)),
    );
  });
}

/** Live (not zombie) processes, as { pid, ppid, pgrp, name }, from /proc (Linux); undefined without it. */
async function processTable() {
  let pids;
  try {
    pids = (await readdir("/proc")).filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const table = [];
  for (const pid of pids) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, "utf8");
      // "pid (comm) state ppid pgrp …"; comm may hold spaces and parentheses.
      const close = stat.lastIndexOf(")");
      const [state, ppid, pgrp] = stat.slice(close + 2).split(" ");
      if (state === "Z" || state === "X") continue;
      const name = stat.slice(stat.indexOf("(") + 1, close);
      table.push({ pid: Number(pid), ppid: Number(ppid), pgrp: Number(pgrp), name });
    } catch {
      // Gone meanwhile.
    }
  }
  return table;
}

/** Pids of `root`'s process group and of all its descendants (workerd), alive now. */
async function treeOf(root) {
  const table = await processTable();
  if (!table) {
    try {
      process.kill(-root, 0);
      return [{ pid: root, name: `group ${root}` }];
    } catch {
      return [];
    }
  }
  const found = new Map(
    table.filter((p) => p.pgrp === root || p.pid === root).map((p) => [p.pid, p]),
  );
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of table) {
      if (!found.has(p.pid) && found.has(p.ppid)) {
        found.set(p.pid, p);
        grew = true;
      }
    }
  }
  return [...found.values()];
}

/**
 * Starts `wrangler dev`. The ports come from freePort(), which cannot hold them: a wrangler dev of
 * another test project may take one first. Then wrangler exits with "Address already in use", and
 * this starts it again on new ports.
 */
export async function startDevServer(options = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDevServerOnce(options);
    } catch (err) {
      const taken = err instanceof Error && err.message.includes("Address already in use");
      if (!taken || attempt >= 3) throw err;
    }
  }
}

async function startDevServerOnce(options) {
  const timeoutMs = options.timeoutMs ?? 45_000;
  const [port, inspectorPort] = [await freePort(), await freePort()];
  // A caller's persistTo is kept (a restart reuses it); a fresh one is ours and deleted on stop().
  const ownState = !options.persistTo;
  const persistTo = options.persistTo ?? (await mkdtemp(join(tmpdir(), "sundial-cli-test-")));
  if (options.migrate) await applyD1Migrations(persistTo);
  const args = [
    join(repoRoot, "node_modules/wrangler/bin/wrangler.js"),
    "dev",
    ...(options.main ? [options.main] : []),
    ...["-c", "wrangler.toml"],
    ...(options.activityWorker === false ? [] : ["-c", "examples/activity-worker/wrangler.toml"]),
    ...["--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort)],
    ...["--persist-to", persistTo, "--log-level", "warn"],
    // As `npm run dev`: auth disabled, task tokens signed with the public dev secret.
    ...["--var", "SUNDIAL_AUTH:disabled"],
  ];
  // Its own process group, so that stop() reaches workerd too.
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, ...QUIET },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let log = "";
  child.stdout.on("data", (chunk) => {
    log += chunk;
  });
  child.stderr.on("data", (chunk) => {
    log += chunk;
  });
  const exited = new Promise((done) => child.once("exit", done));
  const address = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, "SIGINT");
      } catch {}
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {}
      }, 5_000);
      await exited;
      clearTimeout(timer);
    }
    if (ownState) await rm(persistTo, { recursive: true, force: true });
  };

  // A crash: SIGKILL to the whole process group (wrangler and workerd) and any descendant, no
  // cleanup, state kept. Resolves with the killed processes once none of them is left.
  const kill = async () => {
    const before = await treeOf(child.pid);
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {}
    // Any descendant that left the group dies too.
    for (const p of before) {
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {}
    }
    if (child.exitCode === null && child.signalCode === null) await exited;
    for (const deadline = Date.now() + 10_000; ; ) {
      const table = (await processTable()) ?? [];
      const alive = [
        ...(await treeOf(child.pid)),
        ...before.filter((p) => table.some((q) => q.pid === p.pid && q.name === p.name)),
      ];
      if (alive.length === 0) return before;
      if (Date.now() > deadline) {
        const names = alive.map((p) => `${p.pid} (${p.name})`).join(", ");
        throw new Error(`processes of wrangler dev ${child.pid} survived SIGKILL: ${names}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`wrangler dev exited with ${child.exitCode}:\n${log}`);
    }
    try {
      const res = await fetch(`${address}/`);
      await res.arrayBuffer();
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not answer within ${timeoutMs} ms:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { address, persistTo, pid: child.pid, stop, kill, log: () => log };
}

export function runCli(args, options = {}) {
  const env = { ...process.env, ...QUIET, ...(options.env ?? {}) };
  // The caller's shell may have these set: the test decides.
  for (const name of ["SUNDIAL_ADDRESS", "SUNDIAL_NAMESPACE", "SUNDIAL_API_KEY"]) {
    if (!options.env || !(name in options.env)) delete env[name];
  }
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(repoRoot, "cli/sundial.mjs"), ...args], {
      cwd: repoRoot,
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      stdout += chunk;
      options.onStdout?.(stdout);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
    child.on("error", fail);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      done({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.end(options.stdin ?? "");
  });
}

export async function startFakeServer(handler) {
  const requests = [];
  const server = createHttpServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    const request = {
      method: req.method ?? "GET",
      url: req.url ?? "/",
      headers: Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [
          k,
          Array.isArray(v) ? v.join(", ") : (v ?? ""),
        ]),
      ),
      body,
    };
    requests.push(request);
    try {
      const reply = await handler(request);
      res.writeHead(reply.status ?? 200, reply.headers ?? { "content-type": "application/json" });
      const chunks = Array.isArray(reply.body) ? reply.body : [reply.body ?? ""];
      for (const chunk of chunks) {
        res.write(chunk);
        if (reply.chunkDelayMs) await new Promise((r) => setTimeout(r, reply.chunkDelayMs));
      }
      res.end();
    } catch (err) {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(err));
    }
  });
  await new Promise((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    address: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise((done) => {
        server.closeAllConnections?.();
        server.close(() => done());
      }),
  };
}
