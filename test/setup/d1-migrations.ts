/** @module Vitest setup (workerd projects): applies the D1 migrations to this test file's VISIBILITY database. */
import { applyD1Migrations, env } from "cloudflare:test";

await applyD1Migrations(env.VISIBILITY, env.TEST_MIGRATIONS);
