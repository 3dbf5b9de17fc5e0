import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { kCurrentWorker } from "miniflare";
import { defineConfig } from "vitest/config";

/** D1 migrations of the visibility index, applied by test/setup/d1-migrations.ts in each test file. */
const d1Migrations = await readD1Migrations(
  fileURLToPath(new URL("./migrations", import.meta.url)),
);

/**
 * The package's own names (`sundial/workflow`, …), as the examples import them, mapped to the
 * sources: the same map as tsconfig.json "paths" and wrangler.toml [alias]. Longest first, so
 * "sundial" does not swallow "sundial/workflow".
 */
const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const sundialSources = [
  { find: /^sundial\/workflow$/, replacement: source("./sdk/workflow/index.ts") },
  { find: /^sundial\/activity$/, replacement: source("./sdk/activity/index.ts") },
  { find: /^sundial\/client$/, replacement: source("./sdk/client/index.ts") },
  { find: /^sundial\/testing$/, replacement: source("./src/testing/index.ts") },
  { find: /^sundial$/, replacement: source("./src/engine.ts") },
];

/**
 * AES-256-GCM keys of the "encrypted" projects (test/integration/encrypted/): the engine encrypts
 * every stored payload with "k1". Test-only values, of course.
 */
const TEST_ENCRYPTION_KEYS = JSON.stringify({
  primary: "k1",
  keys: { k1: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" },
});

/**
 * Setup of every workerd project. vitest-rpc.ts first: its afterAll (a never-answered RPC call to
 * vitest fails the file instead of hanging it) must run after every other.
 */
const workerdSetupFiles = ["./test/setup/vitest-rpc.ts", "./test/setup/d1-migrations.ts"];

/** The engine under test: the real wrangler.toml, with the fixture Worker as main. */
function workerd(mode: "warm" | "cold", extraBindings: Record<string, string> = {}) {
  return cloudflareTest({
    main: "./test/fixtures/worker.ts",
    wrangler: { configPath: "./wrangler.toml" },
    miniflare: {
      bindings: {
        SUNDIAL_UNSAFE: "1",
        // Cold: every activation replays from SQLite (no warm cache), as after an eviction.
        SUNDIAL_STICKY: mode === "warm" ? "true" : "false",
        // "parked" maps to a queue nobody consumes in tests (schedule-to-start timeouts).
        SUNDIAL_TASK_QUEUES: JSON.stringify({
          default: "ACTIVITY_QUEUE",
          parked: "NOTIFICATIONS_QUEUE",
        }),
        SUNDIAL_TEST_MODE: mode,
        // Task tokens are signed (src/security/task-token-mac.ts); tests rotate it per reporter.
        SUNDIAL_TOKEN_SECRET: "test-token-secret",
        TEST_MIGRATIONS: d1Migrations,
        // The tests of the engine run without auth; test/integration/auth-*.test.ts call the app
        // with SUNDIAL_AUTH=required and their own keys (test/auth-harness.ts).
        SUNDIAL_AUTH: "disabled",
        ...extraBindings,
      },
      // SUNDIAL_RATE_LIMIT of wrangler.toml, out of the way of the engine's tests; the auth tests
      // pass TEST_RATE_LIMIT (a small limit) as SUNDIAL_RATE_LIMIT.
      ratelimits: {
        SUNDIAL_RATE_LIMIT: { simple: { limit: 1_000_000, period: 60 } },
        TEST_RATE_LIMIT: { simple: { limit: 5, period: 60 } },
      },
      // The fixture Worker's second engine with small limits (test/fixtures/worker.ts).
      durableObjects: {
        LIMITED_EXECUTION: { className: "LimitedWorkflowExecution", useSQLite: true },
      },
      // The engine's own SundialService entrypoint, over RPC, as an activity Worker binds it.
      serviceBindings: { SUNDIAL: { name: kCurrentWorker, entrypoint: "SundialService" } },
      queueConsumers: {
        "sundial-activities": {
          maxBatchTimeout: 0,
          maxBatchSize: 10,
          maxRetries: 10,
          retryDelay: 0,
        },
        // wrangler.toml's visibility consumer, its batch timeout held at 0 whatever wrangler.toml says.
        "sundial-visibility": { maxBatchTimeout: 0, maxBatchSize: 100, maxRetries: 100 },
      },
    },
  });
}

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias: sundialSources },
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
          testTimeout: 30_000,
        },
      },
      {
        resolve: { alias: sundialSources },
        test: {
          name: "cli",
          include: ["test/cli/**/*.test.ts"],
          environment: "node",
          // Concurrent tests each run the CLI (a Node process) several times against one wrangler
          // dev: on two busy cores a test with ten runs needs more than a minute.
          testTimeout: 120_000,
        },
      },
      {
        resolve: { alias: sundialSources },
        test: {
          // The packed tarball: `sundial init` into a temporary folder, its install, typecheck,
          // tests, dry-run deploy and `npm run dev` (scripts/pack-check.mjs).
          name: "pack",
          include: ["test/pack/**/*.test.ts"],
          environment: "node",
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
      {
        resolve: { alias: sundialSources },
        test: {
          // Crash recovery: wrangler dev SIGKILLed mid-way and restarted on the same state.
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 180_000,
          hookTimeout: 150_000,
        },
      },
      {
        resolve: { alias: sundialSources },
        test: {
          // The web UI in a real chromium (Debian's /usr/bin/chromium) against wrangler dev.
          name: "ui",
          include: ["test/ui/**/*.test.ts"],
          environment: "node",
          testTimeout: 90_000,
          hookTimeout: 150_000,
        },
      },
      {
        plugins: [workerd("warm")],
        resolve: { alias: sundialSources },
        test: {
          name: "warm",
          include: ["test/integration/**/*.test.ts"],
          exclude: ["test/integration/encrypted/**"],
          setupFiles: workerdSetupFiles,
          testTimeout: 30_000,
        },
      },
      {
        plugins: [workerd("cold")],
        resolve: { alias: sundialSources },
        test: {
          name: "cold",
          include: ["test/integration/**/*.test.ts"],
          // hostile-input probes every route's parsing (no execution state is involved, so cold adds
          // nothing) and is the longest suite (~6 min per project, in two files): warm only keeps CI under 20 min.
          exclude: ["test/integration/encrypted/**", "test/integration/hostile-input-*.test.ts"],
          setupFiles: workerdSetupFiles,
          testTimeout: 30_000,
          // One file at a time (≈ 4–5 min here), as the hang fix was proven; on 2 cores vitest
          // runs one anyway (its default is cores − 1 workers). Not needed for the evictions:
          // each test file runs in its own workerd (the pool starts one per file), so
          // abortAllDurableObjects reaches only that file's objects. The hangs were console lines
          // lost with evicted objects (test/setup/vitest-rpc.ts).
          fileParallelism: false,
        },
      },
      // Encryption at rest: the same engine with SUNDIAL_ENCRYPTION_KEYS set. SUNDIAL_ENCRYPTED_ALL=1
      // runs every integration test encrypted (e.g. `--project encrypted-warm test/integration/x.test.ts`).
      ...(["warm", "cold"] as const).map((mode) => ({
        plugins: [workerd(mode, { SUNDIAL_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS })],
        resolve: { alias: sundialSources },
        test: {
          name: `encrypted-${mode}`,
          include: process.env.SUNDIAL_ENCRYPTED_ALL
            ? ["test/integration/**/*.test.ts"]
            : ["test/integration/encrypted/**/*.test.ts"],
          setupFiles: workerdSetupFiles,
          testTimeout: 30_000,
        },
      })),
    ],
  },
});
