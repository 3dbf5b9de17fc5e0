/**
 * The task-token MAC's base64url (a table encoder, issue 14: the step path signs a token per queued
 * task) is exactly btoa's base64 in the URL alphabet, unpadded, for every length remainder and every byte value.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toBase64Url } from "../../../src/security/task-token-mac";

/** The reference: btoa of the binary string, then the URL alphabet, unpadded (the old encoder). */
function reference(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

describe("toBase64Url", () => {
  it("matches btoa's base64, URL alphabet, unpadded, for any bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70 }), (bytes) => {
        expect(toBase64Url(bytes)).toBe(reference(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it("encodes a 32-byte MAC as 43 characters, every byte value included", () => {
    for (let start = 0; start < 256; start += 32) {
      const mac = Uint8Array.from({ length: 32 }, (_, i) => start + i);
      const text = toBase64Url(mac);
      expect(text).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(text).toBe(reference(mac));
    }
  });
});
