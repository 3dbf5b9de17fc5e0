/**
 * @module Node-side helpers of the CLI tests: a real `wrangler dev` on a free port and the `sundial`
 * command as a child process. Plain JS with types in harness.d.mts, so that the root tsconfig (typed
 * for workerd, without Node's types) can check the tests that import it.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
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

export async function startDevServer(options = {}) {
  const timeoutMs = options.timeoutMs ?? 45_000;
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const persistTo = await mkdtemp(join(tmpdir(), "sundial-cli-test-"));
  if (options.migrate) await applyD1Migrations(persistTo);
  const args = [
    join(repoRoot, "node_modules/wrangler/bin/wrangler.js"),
    "dev",
    ...["-c", "wrangler.toml", "-c", "examples/activity-worker/wrangler.toml"],
    ...["--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort)],
    ...["--persist-to", persistTo, "--log-level", "warn"],
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
    await rm(persistTo, { recursive: true, force: true });
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
  return { address, stop, log: () => log };
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
