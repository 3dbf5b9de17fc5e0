/** @module Vitest setup: the visibility index's tables in this test file's D1 database. */
import { applyD1Migrations, env } from "cloudflare:test";

await applyD1Migrations(env.VISIBILITY, env.TEST_MIGRATIONS);
