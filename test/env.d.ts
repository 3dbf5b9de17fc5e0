import type { EngineEnv } from "../src/config";

declare global {
  namespace Cloudflare {
    interface Env extends EngineEnv {
      ACTIVITY_QUEUE: Queue;
      NOTIFICATIONS_QUEUE: Queue;
      /** The visibility queue (wrangler.toml), consumed by the engine Worker. */
      VISIBILITY_QUEUE: Queue;
      SUNDIAL_TEST_MODE: "warm" | "cold";
      /** A rate limit of 5 a minute, for the auth tests (vitest.config.ts). */
      TEST_RATE_LIMIT: RateLimit;
      /** The fixture Worker's engine with small limits (test/fixtures/worker.ts). */
      LIMITED_EXECUTION: DurableObjectNamespace;
      /** The schedule objects (wrangler.toml). */
      SCHEDULE: DurableObjectNamespace;
      /** The engine's SundialService entrypoint (vitest.config.ts), as activity Workers bind it. */
      SUNDIAL: Service<
        import("../sdk/activity/protocol").ActivityReporter & Rpc.WorkerEntrypointBranded
      >;
    }
  }
}
