import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

/** The visibility index's D1 migrations, shipped in the sundial package (test/setup.ts applies them). */
const migrations = await readD1Migrations(
  fileURLToPath(new URL("./node_modules/sundial/migrations", import.meta.url)),
);

export default defineConfig({
  plugins: [
    cloudflareTest({
      // The real wrangler.toml: the same Durable Object, Queue and D1 bindings as `wrangler dev`.
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        // SUNDIAL_UNSAFE: the engine's test-only hooks, for sundial/testing. Never in wrangler.toml.
        // SUNDIAL_AUTH: tests call the API without keys (a deployed engine requires them).
        bindings: { SUNDIAL_UNSAFE: "1", SUNDIAL_AUTH: "disabled", TEST_MIGRATIONS: migrations },
        queueConsumers: { "{{name}}-activities": { maxBatchTimeout: 0, maxRetries: 10 } },
      },
    }),
  ],
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["./test/setup.ts"],
    testTimeout: 30_000,
  },
});
