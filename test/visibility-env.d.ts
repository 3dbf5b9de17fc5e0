import type { D1Migration } from "cloudflare:test";

/** The visibility bindings the workerd tests see (wrangler.toml's D1 plus vitest.config.ts's migrations). */
declare global {
  namespace Cloudflare {
    interface Env {
      VISIBILITY: D1Database;
      TEST_MIGRATIONS: D1Migration[];
    }
  }
}
