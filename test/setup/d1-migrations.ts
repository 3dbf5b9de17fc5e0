/**
 * @module Vitest setup (workerd projects): applies the D1 migrations to this test file's VISIBILITY
 * database, and checks the cold project's evictions at the end of each file.
 */
import { applyD1Migrations, env } from "cloudflare:test";
import { afterAll, expect } from "vitest";
import { coldEvictions, mode } from "../helpers";

await applyD1Migrations(env.VISIBILITY, env.TEST_MIGRATIONS);

// Cold mode: every required eviction point really evicted (a helper that stopped evicting would
// quietly turn the cold project into a second warm one).
afterAll(() => {
  if (mode === "cold") expect(coldEvictions.done).toBeGreaterThanOrEqual(coldEvictions.required);
  else expect(coldEvictions.done).toBe(0);
});
