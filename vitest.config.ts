import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { kCurrentWorker } from "miniflare";
import { defineConfig } from "vitest/config";

/** D1 migrations of the visibility index, applied by test/setup/d1-migrations.ts in each test file. */
const d1Migrations = await readD1Migrations(
  fileURLToPath(new URL("./migrations", import.meta.url)),
);

/**
 * AES-256-GCM keys of the "encrypted" projects (test/integration/encrypted/): the engine encrypts
 * every stored payload with "k1". Test-only values, of course.
 */
const TEST_ENCRYPTION_KEYS = JSON.stringify({
  primary: "k1",
  keys: { k1: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" },
});

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
        ...extraBindings,
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
      },
    },
  });
}

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
          testTimeout: 30_000,
        },
      },
      {
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
        test: {
          name: "warm",
          include: ["test/integration/**/*.test.ts"],
          exclude: ["test/integration/encrypted/**"],
          setupFiles: ["./test/setup/d1-migrations.ts"],
          testTimeout: 30_000,
        },
      },
      {
        plugins: [workerd("cold")],
        test: {
          name: "cold",
          include: ["test/integration/**/*.test.ts"],
          exclude: ["test/integration/encrypted/**"],
          setupFiles: ["./test/setup/d1-migrations.ts"],
          testTimeout: 30_000,
        },
      },
      // Encryption at rest: the same engine with SUNDIAL_ENCRYPTION_KEYS set. SUNDIAL_ENCRYPTED_ALL=1
      // runs every integration test encrypted (e.g. `--project encrypted-warm test/integration/x.test.ts`).
      ...(["warm", "cold"] as const).map((mode) => ({
        plugins: [workerd(mode, { SUNDIAL_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS })],
        test: {
          name: `encrypted-${mode}`,
          include: process.env.SUNDIAL_ENCRYPTED_ALL
            ? ["test/integration/**/*.test.ts"]
            : ["test/integration/encrypted/**/*.test.ts"],
          setupFiles: ["./test/setup/d1-migrations.ts"],
          testTimeout: 30_000,
        },
      })),
    ],
  },
});
