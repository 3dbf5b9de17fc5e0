/**
 * @module Signed task tokens. The engine mints a token as `ns~workflowId~runId~seq~attempt`
 * (addressing.ts) and signs it where it leaves the engine (the activity Queue send, an eager task
 * handed back to a reporter): `<body>~<mac>`, the MAC an HMAC-SHA-256 (WebCrypto) of the body under
 * the secret `SUNDIAL_TOKEN_SECRET`, base64url. A report is checked at the one entry (the reporter,
 * before any execution is addressed): a token whose MAC does not verify under the current or the
 * previous secret (`SUNDIAL_TOKEN_SECRET_PREVIOUS`, for rotation) is refused and logged.
 *
 * The secret: `SUNDIAL_TOKEN_SECRET` when set. Otherwise a fixed, public development value, but only
 * when auth is explicitly disabled (`SUNDIAL_AUTH=disabled`, as `npm run dev` runs): a deployed
 * engine (no `SUNDIAL_AUTH`, or `required`) without the secret issues and accepts no token at all,
 * and says so in its log, rather than sign with a value anyone can read in this file.
 */
import type { EngineEnv } from "../config";
import { MAX_TOKEN_CHARS, parseTaskToken, type TaskToken } from "../execution/report-validation";

/** Used only with `SUNDIAL_AUTH=disabled` and no secret set: public, never a protection. */
export const DEV_TOKEN_SECRET = "sundial-dev-token-secret-NOT-A-SECRET";

/** A base64url HMAC-SHA-256: 32 bytes, 43 characters without padding. */
const MAC = /^[A-Za-z0-9_-]{43}$/;
/** Domain separation: a MAC made for something else under the same secret is no token MAC. */
const CONTEXT = "sundial-task-token-v1\n";

export const MISSING_SECRET_MESSAGE =
  "SUNDIAL_TOKEN_SECRET is not set, so task tokens can be neither issued nor checked; set it with `wrangler secret put SUNDIAL_TOKEN_SECRET` (any long random string), or run with SUNDIAL_AUTH=disabled for local development";

/** The token secret could not be resolved (a deployed engine without `SUNDIAL_TOKEN_SECRET`). */
export class TokenSecretMissingError extends Error {
  override name = "TokenSecretMissing";
  constructor() {
    super(MISSING_SECRET_MESSAGE);
  }
}

type TokenEnv = Pick<
  EngineEnv,
  "SUNDIAL_TOKEN_SECRET" | "SUNDIAL_TOKEN_SECRET_PREVIOUS" | "SUNDIAL_AUTH"
>;

/** The secrets a token may be signed with: the current one first (it signs), then the previous one. */
export function tokenSecrets(env: TokenEnv): string[] | null {
  const current = env.SUNDIAL_TOKEN_SECRET || undefined;
  const previous = env.SUNDIAL_TOKEN_SECRET_PREVIOUS || undefined;
  if (current) return previous && previous !== current ? [current, previous] : [current];
  if (env.SUNDIAL_AUTH === "disabled") return [DEV_TOKEN_SECRET];
  return null;
}

const keys = new Map<string, Promise<CryptoKey>>();
function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    // Two secrets at a time in practice; bound the cache anyway (a secret changes only by deploy).
    if (keys.size >= 8) keys.clear();
    keys.set(secret, key);
  }
  return key;
}

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Unpadded base64url, by table: one pass, no binary string, no btoa, no replacing afterwards. */
export function toBase64Url(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out +=
      BASE64URL[n >> 18]! +
      BASE64URL[(n >> 12) & 63]! +
      BASE64URL[(n >> 6) & 63]! +
      BASE64URL[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += BASE64URL[n >> 18]! + BASE64URL[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += BASE64URL[n >> 18]! + BASE64URL[(n >> 12) & 63]! + BASE64URL[(n >> 6) & 63]!;
  }
  return out;
}

function fromBase64Url(text: string): Uint8Array {
  const s = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Signs an unsigned token body (as addressing.ts's encodeToken makes it). */
export async function signTaskToken(env: TokenEnv, body: string): Promise<string> {
  const secrets = tokenSecrets(env);
  if (!secrets) throw new TokenSecretMissingError();
  const key = await hmacKey(secrets[0]!);
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(CONTEXT + body));
  return `${body}~${toBase64Url(new Uint8Array(mac))}`;
}

/** Why a token is refused: its shape, its signature, or no secret to check it with. */
export type TokenRefusal = "Malformed" | "Forged" | "Unverifiable";

export type VerifiedToken =
  | { ok: true; token: TaskToken }
  | { ok: false; reason: string; refusal: TokenRefusal };

/**
 * Checks a signed token: its MAC first (under each accepted secret, compared in constant time by
 * WebCrypto), then its fields. Nothing about an execution is read here: a refusal changes nothing.
 */
export async function verifyTaskToken(env: TokenEnv, token: unknown): Promise<VerifiedToken> {
  if (typeof token !== "string") {
    return { ok: false, reason: "a task token is a string", refusal: "Malformed" };
  }
  if (token.length > MAX_TOKEN_CHARS + 44) {
    return {
      ok: false,
      reason: `a task token is at most ${MAX_TOKEN_CHARS + 44} characters`,
      refusal: "Malformed",
    };
  }
  const parts = token.split("~", 7);
  if (parts.length === 5) {
    // The unsigned shape of older engines (and of hand-written tokens): say what is wrong with it.
    const unsigned = parseTaskToken(token);
    if (!unsigned.ok) return { ok: false, reason: unsigned.reason, refusal: "Malformed" };
    return { ok: false, reason: "it carries no signature", refusal: "Forged" };
  }
  if (parts.length !== 6) {
    return { ok: false, reason: "a task token has 6 parts separated by ~", refusal: "Malformed" };
  }
  const cut = token.lastIndexOf("~");
  const body = token.slice(0, cut);
  const mac = token.slice(cut + 1);
  const parsed = parseTaskToken(body);
  if (!parsed.ok) return { ok: false, reason: parsed.reason, refusal: "Malformed" };
  if (!MAC.test(mac)) {
    return { ok: false, reason: "its signature is not 43 base64url characters", refusal: "Forged" };
  }
  const secrets = tokenSecrets(env);
  if (!secrets) return { ok: false, reason: MISSING_SECRET_MESSAGE, refusal: "Unverifiable" };
  const signature = fromBase64Url(mac);
  const data = new TextEncoder().encode(CONTEXT + body);
  for (const secret of secrets) {
    if (await crypto.subtle.verify("HMAC", await hmacKey(secret), signature, data)) {
      return { ok: true, token: parsed.token };
    }
  }
  return {
    ok: false,
    reason: "its signature does not match (forged or altered)",
    refusal: "Forged",
  };
}
