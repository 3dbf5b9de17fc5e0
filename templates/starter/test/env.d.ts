import type { EngineEnv } from "sundial";

declare global {
  namespace Cloudflare {
    interface Env extends EngineEnv {
      ACTIVITY_QUEUE: Queue;
      VISIBILITY: D1Database;
      /** The D1 migrations (vitest.config.ts), applied by test/setup.ts. */
      TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    }
  }
}
