/** @module API key material (src/auth/keys.ts): format, bearer parsing, salted hashes, constant-time compare. */
import { describe, it } from "vitest";
import {
  bearerToken,
  constantTimeEqual,
  hashSecret,
  isAdminKey,
  newApiKey,
  parseApiKey,
  secretMatches,
} from "../../../src/auth/keys";

describe("API keys", () => {
  it("creates sk_<id>_<secret> keys that parse back", ({ expect }) => {
    const { id, key, secret } = newApiKey();
    expect(key).toMatch(/^sk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(parseApiKey(key)).toEqual({ id, secret });
    expect(newApiKey().key).not.toBe(key);
  });

  it("refuses malformed keys", ({ expect }) => {
    const { key } = newApiKey();
    for (const bad of [
      "",
      "sk_",
      key.slice(0, -1),
      `${key}x`,
      key.replace("sk_", "pk_"),
      `sk_${"g".repeat(16)}_${"a".repeat(43)}`,
      "x".repeat(100_000),
    ]) {
      expect(parseApiKey(bad), bad.slice(0, 40)).toBeNull();
    }
  });

  it("reads the bearer token of an Authorization header", ({ expect }) => {
    expect(bearerToken(undefined)).toBe("missing");
    expect(bearerToken("")).toBe("missing");
    expect(bearerToken("Bearer abc")).toEqual({ token: "abc" });
    expect(bearerToken("bearer abc")).toEqual({ token: "abc" });
    for (const bad of [
      "Basic abc",
      "Bearer",
      "Bearer ",
      "Bearer a b",
      "Bearer a\tb",
      "abc",
      `Bearer ${"a".repeat(600)}`,
    ]) {
      expect(bearerToken(bad), bad.slice(0, 20)).toBe("malformed");
    }
  });

  it("matches a secret only against its own salted hash", async ({ expect }) => {
    const { secret } = newApiKey();
    const hash = await hashSecret("salt-1", secret);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(secret);
    expect(await secretMatches(secret, "salt-1", hash)).toBe(true);
    expect(await secretMatches(secret, "salt-2", hash)).toBe(false);
    expect(await secretMatches(`${secret.slice(0, -1)}A`, "salt-1", hash)).toBe(
      secret.endsWith("A"),
    );
    expect(await hashSecret("salt-2", secret)).not.toBe(hash);
  });

  it("compares the admin key", async ({ expect }) => {
    expect(await isAdminKey("test-admin", "test-admin")).toBe(true);
    expect(await isAdminKey("test-admin ", "test-admin")).toBe(false);
    expect(await isAdminKey("test-admin", undefined)).toBe(false);
    expect(await isAdminKey("", "")).toBe(false);
  });

  it("compares in constant time by construction (all positions, lengths)", ({ expect }) => {
    expect(constantTimeEqual("abc", "abc")).toBe(true);
    expect(constantTimeEqual("abc", "abd")).toBe(false);
    expect(constantTimeEqual("abc", "ab")).toBe(false);
    expect(constantTimeEqual("", "")).toBe(true);
    expect(constantTimeEqual("ab", "abc")).toBe(false);
  });
});
