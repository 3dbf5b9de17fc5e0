/**
 * @module API key material: the `sk_<id>_<secret>` format, salted SHA-256 hashes and a constant-time
 * comparison. Pure WebCrypto (runs in workerd and in Node 20).
 *
 * The id (16 hex characters) finds the row; the secret (32 random bytes, base64url) is never stored:
 * the row holds a random salt and SHA-256(salt ‖ secret). A 256-bit random secret needs no slow hash
 * (nothing to brute-force), so SHA-256 is enough and keeps every request cheap.
 */

const KEY_PATTERN = /^sk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
/** Longest bearer token read at all: longer ones are refused before any hashing. */
export const MAX_BEARER_LENGTH = 512;

export type Role = "reader" | "writer" | "admin";
export const ROLES: readonly Role[] = ["reader", "writer", "admin"];

export interface ParsedKey {
  id: string;
  secret: string;
}

/** The id and secret of a well-formed API key, or null (the caller then tries the admin key). */
export function parseApiKey(token: string): ParsedKey | null {
  if (token.length > MAX_BEARER_LENGTH) return null;
  const m = KEY_PATTERN.exec(token);
  return m ? { id: m[1] as string, secret: m[2] as string } : null;
}

/**
 * The bearer token of an `Authorization` header: `missing` without one, `malformed` when it is not
 * `Bearer <printable token>` of at most {@link MAX_BEARER_LENGTH} characters.
 */
export function bearerToken(
  header: string | null | undefined,
): { token: string } | "missing" | "malformed" {
  if (header === null || header === undefined || header === "") return "missing";
  if (header.length > MAX_BEARER_LENGTH + 7) return "malformed";
  const m = /^Bearer ([\x21-\x7e]+)$/i.exec(header);
  return m ? { token: m[1] as string } : "malformed";
}

export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

function base64url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function randomHex(bytes: number): string {
  return toHex(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** A new key: its id, the full key text (shown once) and the secret part. */
export function newApiKey(): { id: string; key: string; secret: string } {
  const id = randomHex(8);
  const secret = base64url(crypto.getRandomValues(new Uint8Array(32)));
  return { id, secret, key: `sk_${id}_${secret}` };
}

/** SHA-256(salt ‖ secret) in hex. */
export async function hashSecret(salt: string, secret: string): Promise<string> {
  const data = new TextEncoder().encode(`${salt}:${secret}`);
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", data)));
}

/**
 * Equal strings, in time that depends only on their lengths (callers compare fixed-length digests,
 * so nothing about the secret leaks through timing).
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const n = Math.max(a.length, b.length);
  let diff = a.length ^ b.length;
  for (let i = 0; i < n; i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return diff === 0;
}

/** Whether `secret` matches the stored salt and hash. */
export async function secretMatches(secret: string, salt: string, hash: string): Promise<boolean> {
  return constantTimeEqual(await hashSecret(salt, secret), hash);
}

/** Whether `token` is the bootstrap admin key: both hashed first, so the compare is fixed-length. */
export async function isAdminKey(token: string, adminKey: string | undefined): Promise<boolean> {
  if (!adminKey) return false;
  const [a, b] = await Promise.all([hashSecret("admin", token), hashSecret("admin", adminKey)]);
  return constantTimeEqual(a, b);
}
