#!/usr/bin/env node
/**
 * `npm run dev [-- <wrangler dev args>]`: applies the D1 migrations of the visibility index to the
 * local database (`wrangler dev` does not), then runs the engine and the example activity Worker
 * in one `wrangler dev`. Arguments go to `wrangler dev` (`--port 9000`, `--ip 0.0.0.0`,
 * `--persist-to DIR`, …); `--persist-to` and `--env` also go to the migration, so both use the
 * same local state. `--ip` defaults to 127.0.0.1. Signals are passed on to `wrangler dev`.
 *
 * Auth: disabled unless `SUNDIAL_AUTH=required` is in the environment (then SUNDIAL_ADMIN_KEY goes
 * along as a `--var`, so the engine runs exactly as deployed); it says which at start.
 * Once the engine answers, it creates the example schedule `report-every-minute` (paused) if absent.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const wrangler = join(root, "node_modules/wrangler/bin/wrangler.js");
/**
 * What wrangler's bin script spawns: its CLI, with the flags the bin passes. The bin stays as a
 * second Node process for as long as its child runs (≈ 45 MB RSS for the whole `npm run dev`);
 * `wrangler dev` is started here directly instead. The bin is used when the CLI is not where
 * wrangler 4 keeps it.
 */
const wranglerCli = join(root, "node_modules/wrangler/wrangler-dist/cli.js");
const CLI_FLAGS = ["--no-warnings", "--experimental-vm-modules"];
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

/** `wrangler dev`, long-running: its CLI without the bin's extra process (see wranglerCli). */
function runDev(argv, options) {
  if (!existsSync(wranglerCli)) return run(argv, options);
  return spawn(process.execPath, [...CLI_FLAGS, wranglerCli, ...argv], { cwd: root, ...options });
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

// 2. Auth: off for development unless asked for (a deployed engine has it on).
const authVars = [];
if (process.env.SUNDIAL_AUTH === "required") {
  authVars.push("--var", "SUNDIAL_AUTH:required");
  if (process.env.SUNDIAL_ADMIN_KEY) {
    authVars.push("--var", `SUNDIAL_ADMIN_KEY:${process.env.SUNDIAL_ADMIN_KEY}`);
    console.error("sundial dev: auth REQUIRED (as deployed); the admin key is SUNDIAL_ADMIN_KEY");
  } else {
    console.error(
      "sundial dev: auth REQUIRED but SUNDIAL_ADMIN_KEY is not set: every API route answers 503",
    );
  }
} else {
  authVars.push("--var", "SUNDIAL_AUTH:disabled");
  console.error(
    "sundial dev: auth DISABLED: anyone who can reach this address can do anything " +
      "(run as deployed with SUNDIAL_AUTH=required SUNDIAL_ADMIN_KEY=<key> npm run dev)",
  );
}
for (const name of ["SUNDIAL_CORS_ORIGINS", "SUNDIAL_TOKEN_SECRET", "SUNDIAL_ENCRYPTION_KEYS"]) {
  if (process.env[name]) authVars.push("--var", `${name}:${process.env[name]}`);
}
if (process.env.SUNDIAL_AUTH === "required" && !process.env.SUNDIAL_TOKEN_SECRET) {
  // As deployed, task tokens need a secret (README, Security): one for this run, so activities
  // work; tokens of an earlier run are refused (their tasks are sent again at their timeouts).
  authVars.push("--var", `SUNDIAL_TOKEN_SECRET:${randomBytes(32).toString("base64url")}`);
  console.error(
    "sundial dev: task tokens signed with a secret generated for this run (set SUNDIAL_TOKEN_SECRET to keep one)",
  );
}

// 3. The engine and the example activity Worker in one process (they share queues).
const dev = runDev(
  [
    "dev",
    ...["-c", "wrangler.toml", "-c", "examples/activity-worker/wrangler.toml"],
    ...(has("--ip") ? [] : ["--ip", "127.0.0.1"]),
    ...authVars,
    ...args,
  ],
  { env, stdio: "inherit" },
);
exampleSchedule().catch((err) => {
  console.error(`sundial dev: the example schedule was not created (${err.message})`);
});
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    if (dev.exitCode === null && dev.signalCode === null) dev.kill(signal);
  });
}
/** The value of `--name X` / `--name=X` in `args`, or undefined. */
function argValue(name) {
  const at = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (at < 0) return undefined;
  return args[at].includes("=") ? args[at].slice(name.length + 1) : args[at + 1];
}

/**
 * The example schedule (README, Schedules): the `report` workflow every minute, created paused so
 * a fresh `npm run dev` starts nothing until someone unpauses it. Waits for the engine to answer.
 */
async function exampleSchedule() {
  const ip = argValue("--ip") ?? "127.0.0.1";
  const base = `http://${ip === "0.0.0.0" ? "127.0.0.1" : ip}:${argValue("--port") ?? "8787"}/api/v1`;
  const id = "report-every-minute";
  for (let i = 0; i < 120; i++) {
    if (dev.exitCode !== null || dev.signalCode !== null) return;
    try {
      // As deployed, the admin key creates it; without one (auth required, no key) it is left out.
      const headers =
        process.env.SUNDIAL_AUTH === "required"
          ? { authorization: `Bearer ${process.env.SUNDIAL_ADMIN_KEY ?? ""}` }
          : {};
      const res = await fetch(`${base}/schedules/${id}`, { headers });
      if (res.status === 200) return;
      if (res.status === 404) {
        const created = await fetch(`${base}/schedules`, {
          method: "POST",
          headers: { ...headers, "content-type": "application/json" },
          body: JSON.stringify({
            scheduleId: id,
            spec: { cron: ["* * * * *"] },
            action: { startWorkflow: { workflowType: "report", input: { kind: "minutely" } } },
            policies: { overlap: "Skip", catchupWindow: "10m" },
            state: { paused: true, note: "example: unpause to run the report every minute" },
          }),
        });
        if (created.status === 201 || created.status === 409) {
          console.log(`sundial dev: example schedule "${id}" is ready (paused)`);
          return;
        }
        throw new Error(`create answered ${created.status} ${await created.text()}`);
      }
    } catch (err) {
      if (!(err instanceof TypeError)) throw err; // TypeError: not listening yet
    }
    await new Promise((done) => setTimeout(done, 500));
  }
}

const ended = await exitOf(dev);
if (ended.signal) {
  process.removeAllListeners(ended.signal);
  process.kill(process.pid, ended.signal);
}
process.exit(ended.code ?? 1);
