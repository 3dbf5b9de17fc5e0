#!/usr/bin/env node
/**
 * `npm run dev [-- <wrangler dev args>]`: applies the D1 migrations of the visibility index to the
 * local database (`wrangler dev` does not), then runs the engine and the example activity Worker
 * in one `wrangler dev`. Arguments go to `wrangler dev` (`--port 9000`, `--ip 0.0.0.0`,
 * `--persist-to DIR`, …); `--persist-to` and `--env` also go to the migration, so both use the
 * same local state. `--ip` defaults to 127.0.0.1. Signals are passed on to `wrangler dev`.
 */
import { spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const wrangler = join(root, "node_modules/wrangler/bin/wrangler.js");
const args = process.argv.slice(2);

const QUIET = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};
const env = { ...QUIET, ...process.env };

/** The values of `--name X` / `--name=X` (and of the short alias) in `args`, as args again. */
function passOn(names) {
  const out = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    for (const name of names) {
      if (arg === name && i + 1 < args.length) out.push(name, args[++i]);
      else if (arg.startsWith(`${name}=`)) out.push(arg);
    }
  }
  return out;
}

const has = (name) => args.some((a) => a === name || a.startsWith(`${name}=`));

function run(argv, options) {
  return spawn(process.execPath, [wrangler, ...argv], { cwd: root, ...options });
}

function exitOf(child) {
  return new Promise((done) => {
    child.once("error", (err) => {
      console.error(`sundial dev: ${err.message}`);
      done({ code: 1, signal: null });
    });
    child.once("exit", (code, signal) => done({ code, signal: signal ?? null }));
  });
}

// 1. The local visibility tables. Non-interactive: no TTY on stdin and CI=true skip the prompt.
const migrate = run(
  [
    "d1",
    ...["migrations", "apply", "VISIBILITY", "--local", "-c", "wrangler.toml"],
    ...passOn(["--persist-to", "--env", "-e"]),
  ],
  { env: { ...env, CI: "true" }, stdio: ["ignore", "inherit", "inherit"] },
);
const migrated = await exitOf(migrate);
if (migrated.code !== 0) {
  console.error(
    `sundial dev: applying the D1 migrations failed (${migrated.signal ?? `exit ${migrated.code}`})`,
  );
  process.exit(migrated.code ?? 1);
}

// 2. The engine and the example activity Worker in one process (they share queues).
const dev = run(
  [
    "dev",
    ...["-c", "wrangler.toml", "-c", "examples/activity-worker/wrangler.toml"],
    ...(has("--ip") ? [] : ["--ip", "127.0.0.1"]),
    // Local development: auth disabled (task tokens signed with the public dev secret) unless
    // SUNDIAL_AUTH is given, e.g. SUNDIAL_AUTH=required to run exactly as deployed.
    ...["--var", `SUNDIAL_AUTH:${process.env.SUNDIAL_AUTH || "disabled"}`],
    ...args,
  ],
  { env, stdio: "inherit" },
);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    if (dev.exitCode === null && dev.signalCode === null) dev.kill(signal);
  });
}
const ended = await exitOf(dev);
if (ended.signal) {
  process.removeAllListeners(ended.signal);
  process.kill(process.pid, ended.signal);
}
process.exit(ended.code ?? 1);
