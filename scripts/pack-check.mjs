#!/usr/bin/env node
/**
 * @module The package as a user gets it (issue #12). `npm run pack:check` runs every step below and
 * prints how long each took; the vitest project "pack" (test/pack/) runs the same steps as tests.
 *
 * 1. `npm pack` (its `prepack` builds dist/) into a temporary folder outside the repository.
 * 2. `npm exec --package=<tarball> -- sundial init my-app` there: the scaffold depends on the tarball.
 * 3. `npm install` in the scaffold (the registry, or npm's cache first), then its typecheck,
 *    `npm test` and `wrangler deploy --dry-run`.
 * 4. A fresh TypeScript project that installs the tarball imports every export path and
 *    type-checks, under moduleResolution "bundler" and "nodenext" (skipLibCheck off: our
 *    declarations are checked in full), with no path mapping.
 * 5. A file importing only `sundial/workflow`, bundled as wrangler would: it must pull no engine
 *    code (no `cloudflare:workers`, no hono, zod or jose). Prints its size. The same for
 *    `sundial/activity` and `sundial/client`.
 * 6. `npm run dev` in the scaffold, then the README's curl commands against it, and the installed
 *    `sundial` command (node_modules/.bin) describing the workflow they ran.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const QUIET = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};

/**
 * The environment of every child: without npm's and vitest's variables (run from `npm test`,
 * `npm_config_local_prefix` and friends would point nested npm commands back at this repository).
 */
function childEnv(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|VITEST|INIT_CWD$|NODE_ENV$|TEST$|NODE_OPTIONS$)/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...QUIET, ...extra };
}

/** Runs `command args` in `cwd`; resolves with its output, rejects with it on a non-zero exit. */
export function run(command, args, { cwd, env, timeoutMs = 300_000 } = {}) {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd,
      env: childEnv(env),
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
    const timer = setTimeout(() => {
      log += `\n(timed out after ${timeoutMs} ms)`;
      killGroup(child, "SIGKILL");
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      fail(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) done(log);
      else
        fail(
          new Error(`${command} ${args.join(" ")} (in ${cwd}) exited ${code ?? signal}:\n${log}`),
        );
    });
  });
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** npm's npx install folders now, to remove the one this check creates. */
function npxDirs() {
  const dir = join(homedir(), ".npm", "_npx");
  return existsSync(dir) ? new Set(readdirSync(dir)) : new Set();
}

/** A new temporary folder outside the repository. */
export function workDir() {
  return mkdtempSync(join(tmpdir(), "sundial-pack-"));
}

/** Deletes `dir` and everything in it. */
export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/** Steps 1–3a: the tarball, `sundial init my-app` from it, the scaffold installed. */
export async function packAndScaffold(work) {
  const packOut = await run("npm", ["pack", "--pack-destination", work], { cwd: repoRoot });
  const name = readdirSync(work).find((file) => /^sundial-.*\.tgz$/.test(file));
  if (!name) throw new Error(`npm pack wrote no tarball into ${work}:\n${packOut}`);
  const tarball = join(work, name);

  const before = npxDirs();
  try {
    await run(
      "npm",
      [
        "exec",
        "--yes",
        "--prefer-offline",
        `--package=./${name}`, // as the README says: from the folder that holds the tarball
        "--",
        "sundial",
        "init",
        "my-app",
      ],
      { cwd: work },
    );
  } finally {
    for (const dir of npxDirs()) {
      if (!before.has(dir))
        rmSync(join(homedir(), ".npm", "_npx", dir), { recursive: true, force: true });
    }
  }
  const app = join(work, "my-app");
  const pkg = JSON.parse(readFileSync(join(app, "package.json"), "utf8"));
  if (pkg.dependencies?.sundial !== `file:../${name}`) {
    throw new Error(
      `the scaffold depends on ${pkg.dependencies?.sundial}, not the tarball ${name}`,
    );
  }
  await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: app });
  return { tarball, app };
}

/** Step 3b: the scaffold's own checks, as its README and package.json give them. */
export async function checkScaffold(app) {
  await run("npm", ["run", "typecheck"], { cwd: app });
  const tests = await run("npm", ["test"], { cwd: app, env: { NO_COLOR: "1" } });
  await run("npx", ["wrangler", "deploy", "--dry-run", "--outdir", ".wrangler/deploy-check"], {
    cwd: app,
  });
  return tests;
}

const EXPORTS_CHECK = `// The package's export paths but sundial/testing, as a user imports them.
import { createSundial, type EngineEnv, type Limits, type SundialConfig, WorkflowExecutionBase } from "sundial";
import { type ActivityContext, createActivityWorker } from "sundial/activity";
import { createClient, type SundialClient, WorkflowFailedError } from "sundial/client";
import { ApplicationFailure, defineSignal, defineWorkflow, type WorkflowContext } from "sundial/workflow";

export const approve = defineSignal<{ by: string }>("approve");
export const hello = defineWorkflow("hello", async (ctx: WorkflowContext, name: string) => {
  await ctx.sleep("1s");
  if (!name) throw ApplicationFailure.nonRetryable("no name");
  return \`Hello, \${name}!\`;
});
const config: SundialConfig = { workflows: [hello], limits: { maxPayloadBytes: 1024 } satisfies Partial<Limits> };
const sundial = createSundial(config);
export const { WorkflowExecution, SundialService } = sundial;
export default sundial.handler;
export const base: typeof WorkflowExecutionBase = WorkflowExecutionBase;
export type Env = EngineEnv;
export const worker = createActivityWorker({
  activities: { greet: async (input: { name: string }, ctx: ActivityContext) => \`\${input.name} \${ctx.attempt}\` },
});
const client: SundialClient = createClient({ baseUrl: "http://127.0.0.1:8787" });
export async function startHello(): Promise<string> {
  try {
    return await (await client.start<typeof hello>("hello", { input: "Ada" })).result();
  } catch (err) {
    if (err instanceof WorkflowFailedError) return err.status;
    throw err;
  }
}
`;

const TESTING_CHECK = `// sundial/testing, in a project that has @cloudflare/vitest-pool-workers (its optional peer).
import * as testing from "sundial/testing";

export const kit = testing;
`;

/** Step 4: a fresh TypeScript project imports every export path and type-checks. */
export async function checkConsumer(work, tarball, toolVersions) {
  const dir = join(work, "consumer");
  mkdirSync(dir, { recursive: true });
  const pkg = {
    name: "consumer",
    private: true,
    type: "module",
    dependencies: { sundial: `file:${tarball}` },
    devDependencies: {
      "@cloudflare/workers-types": toolVersions["@cloudflare/workers-types"],
      "@cloudflare/vitest-pool-workers": toolVersions["@cloudflare/vitest-pool-workers"],
      typescript: toolVersions.typescript,
      vitest: toolVersions.vitest,
    },
  };
  await writeFile(join(dir, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
  await writeFile(join(dir, "index.ts"), EXPORTS_CHECK);
  await writeFile(join(dir, "testing.ts"), TESTING_CHECK);
  // Our declarations are checked in full (skipLibCheck off) under both resolutions. sundial/testing
  // needs vitest-pool-workers' types, whose own declarations do not pass a full check: that
  // project skips library checks, as Workers projects do.
  const configs = {
    bundler: { resolution: "bundler", files: ["index.ts"], testing: false },
    nodenext: { resolution: "nodenext", files: ["index.ts"], testing: false },
    testing: { resolution: "bundler", files: ["index.ts", "testing.ts"], testing: true },
  };
  for (const [name, config] of Object.entries(configs)) {
    const tsconfig = {
      compilerOptions: {
        target: "es2022",
        lib: ["es2023"],
        module: config.resolution === "bundler" ? "esnext" : "nodenext",
        moduleResolution: config.resolution,
        strict: true,
        noEmit: true,
        verbatimModuleSyntax: true,
        skipLibCheck: config.testing,
        types: [
          "@cloudflare/workers-types",
          ...(config.testing ? ["@cloudflare/vitest-pool-workers/types"] : []),
        ],
      },
      files: config.files,
    };
    await writeFile(join(dir, `tsconfig.${name}.json`), `${JSON.stringify(tsconfig, null, 2)}\n`);
  }
  await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: dir });
  await Promise.all(
    Object.keys(configs).map((name) =>
      run(process.execPath, ["node_modules/typescript/bin/tsc", "-p", `tsconfig.${name}.json`], {
        cwd: dir,
      }),
    ),
  );
  return dir;
}

/** Bundles `source` (a module in `dir`) the way wrangler does: esbuild, workerd conditions. */
async function bundleOf(dir, file, source) {
  const { build } = await import("esbuild");
  await writeFile(join(dir, file), source);
  const result = await build({
    absWorkingDir: dir,
    entryPoints: [file],
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    external: ["cloudflare:*", "node:*"],
    metafile: true,
    minify: true,
    outfile: "out.js",
    logLevel: "silent",
  });
  const code = result.outputFiles[0].text;
  const inputs = Object.keys(result.metafile.inputs);
  const engine = inputs.filter((path) => /node_modules\/(hono|zod|jose|croner)\//.test(path));
  const problems = [
    ...(code.includes("cloudflare:workers") ? ["imports cloudflare:workers"] : []),
    ...(code.includes("node:async_hooks") ? ["imports node:async_hooks (the replay runtime)"] : []),
    ...(engine.length ? [`bundles ${engine.join(", ")}`] : []),
    ...(/\bDurableObject\b|WorkflowExecutionBase|Hono/.test(code) ? ["contains engine code"] : []),
  ];
  if (problems.length) throw new Error(`${file}: ${problems.join("; ")}`);
  return { bytes: code.length, inputs };
}

/**
 * Step 5: a file that imports only `sundial/workflow`, bundled as wrangler would, pulls no engine
 * code; nor do `sundial/activity` (an activity Worker) and `sundial/client`. Resolves with the
 * workflow bundle's size and inputs, and the other two sizes.
 */
export async function checkWorkflowBundle(dir) {
  const workflow = await bundleOf(
    dir,
    "workflow-only.ts",
    `import { defineSignal, defineWorkflow } from "sundial/workflow";
export const approve = defineSignal<{ by: string }>("approve");
export const hello = defineWorkflow("hello", async (ctx, name: string) => {
  let by = "";
  ctx.setHandler(approve, (s) => { by = s.by; });
  await ctx.condition(() => by !== "", "1d");
  return \`Hello, \${name}, approved by \${by}\`;
});
`,
  );
  const activity = await bundleOf(
    dir,
    "activity-only.ts",
    `import { createActivityWorker } from "sundial/activity";
export default createActivityWorker({ activities: { greet: async (input: { name: string }) => input.name } });
`,
  );
  const client = await bundleOf(
    dir,
    "client-only.ts",
    `import { createClient } from "sundial/client";
export const client = createClient({ baseUrl: "http://127.0.0.1:8787" });
`,
  );
  return { ...workflow, activityBytes: activity.bytes, clientBytes: client.bytes };
}

/** A TCP port nobody listens on right now. */
export function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => done(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** The port for `npm run dev`: SUNDIAL_PACK_PORT when set, else a free one. */
export async function devPort() {
  return Number(process.env.SUNDIAL_PACK_PORT) || (await freePort());
}

/** The README's shell block with the curl commands, pointed at `port`. */
export function readmeCurlScript(app, port) {
  const readme = readFileSync(join(app, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  const block = blocks.find((b) => b.includes("curl"));
  if (!block) throw new Error("the scaffold's README has no curl commands");
  return block.replaceAll("127.0.0.1:8787", `127.0.0.1:${port}`);
}

/**
 * Step 6: `npm run dev -- --port <port>` in the scaffold, then the README's curl commands. Resolves
 * with their output; the dev server is stopped (its whole process group) either way.
 */
export async function checkDevServer(app, port) {
  const dev = spawn(
    "npm",
    ["run", "dev", "--", "--port", String(port), "--inspector-port", String(port + 1)],
    {
      cwd: app,
      env: childEnv(),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  let log = "";
  dev.stdout.on("data", (chunk) => {
    log += chunk;
  });
  dev.stderr.on("data", (chunk) => {
    log += chunk;
  });
  const exited = new Promise((done) => dev.on("close", done));
  try {
    const deadline = Date.now() + 90_000;
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`, {
          headers: { accept: "application/json" },
        });
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      if (dev.exitCode !== null || Date.now() > deadline) {
        throw new Error(`npm run dev did not serve on port ${port}:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const curl = await run("bash", ["-euo", "pipefail", "-c", readmeCurlScript(app, port)], {
      cwd: app,
      timeoutMs: 60_000,
    });
    // The installed package's `sundial` command (node_modules/.bin) against the same server.
    const cli = await run("npx", ["sundial", "workflow", "describe", "onboarding-ada", "--json"], {
      cwd: app,
      env: { SUNDIAL_ADDRESS: `http://127.0.0.1:${port}` },
      timeoutMs: 60_000,
    });
    return { curl, cli };
  } finally {
    killGroup(dev, "SIGINT");
    const stopped = await Promise.race([
      exited.then(() => true),
      new Promise((r) => setTimeout(() => r(false), 10_000)),
    ]);
    if (!stopped) killGroup(dev, "SIGKILL");
  }
}

/** sundial's own devDependency versions (the scaffold pins the same ones). */
export function toolVersions() {
  return JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).devDependencies;
}

async function main() {
  const timings = [];
  const step = async (name, fn) => {
    const start = performance.now();
    process.stdout.write(`::: pack-check ${name}\n`);
    const value = await fn();
    const took = (performance.now() - start) / 1000;
    timings.push(`${name.padEnd(34)} ${took.toFixed(1).padStart(6)} s`);
    return value;
  };
  const work = workDir();
  const keep = process.argv.includes("--keep");
  try {
    const { tarball, app } = await step("pack, init, install", () => packAndScaffold(work));
    await step("scaffold typecheck, test, dry-run", () => checkScaffold(app));
    const consumer = await step("fresh project types", () =>
      checkConsumer(work, tarball, toolVersions()),
    );
    const bundle = await step("workflow-only bundle", () => checkWorkflowBundle(consumer));
    console.log(
      `pack-check: minified bundles without engine code: sundial/workflow ${bundle.bytes} bytes, sundial/activity ${bundle.activityBytes}, sundial/client ${bundle.clientBytes}`,
    );
    const port = await devPort();
    const dev = await step("npm run dev + README curl", () => checkDevServer(app, port));
    console.log(dev.curl.trim().split("\n").slice(-1)[0]);
  } finally {
    console.log(`::: pack-check timings\n${timings.map((t) => `    ${t}`).join("\n")}`);
    if (keep) console.log(`pack-check: kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`pack-check: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
