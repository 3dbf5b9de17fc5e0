/**
 * @module The built-in codec: AES-256-GCM with key ids, keys from the secret
 * `SUNDIAL_ENCRYPTION_KEYS`:
 *
 *     {"primary": "2026-05", "keys": {"2026-05": "<base64 of 32 bytes>", "2025-11": "<…>"}}
 *
 * The primary key encrypts; every listed key decrypts, so keys rotate by adding a new one, making it
 * primary, and dropping an old one only once nothing stored under it is still kept (retention).
 * Each value: `[1: version][1: key id length][key id][12: random IV][ciphertext][16: tag]`; the
 * version and key id are authenticated (GCM additional data), so neither can be altered unnoticed.
 */
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from "node:crypto";
import { fromBase64, type PayloadCodec, PayloadDecodeError } from "./codec";

export const AES_CODEC_ID = "aes256gcm";
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** `SUNDIAL_ENCRYPTION_KEYS` that cannot be used: the engine refuses to run rather than store plaintext. */
export class EncryptionKeysError extends Error {
  override name = "EncryptionKeysError";
  constructor(problem: string) {
    super(
      `SUNDIAL_ENCRYPTION_KEYS ${problem}; expected {"primary": "<id>", "keys": {"<id>": "<base64 of 32 random bytes>", …}}`,
    );
  }
}

export interface Keyring {
  primary: string;
  keys: Map<string, Uint8Array>;
}

/** Parses and checks the secret's JSON (ids, 32-byte keys, a primary that is listed). */
export function parseKeyring(raw: string): Keyring {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new EncryptionKeysError("is not JSON");
  }
  const { primary, keys } = (parsed ?? {}) as { primary?: unknown; keys?: unknown };
  if (typeof keys !== "object" || keys === null || Array.isArray(keys)) {
    throw new EncryptionKeysError('has no "keys" object');
  }
  const out = new Map<string, Uint8Array>();
  for (const [id, value] of Object.entries(keys)) {
    if (!KEY_ID.test(id)) {
      throw new EncryptionKeysError(
        `has key id ${JSON.stringify(id)}: ids are 1-64 of A-Z a-z 0-9 . _ -`,
      );
    }
    const bytes = typeof value === "string" ? fromBase64(value) : undefined;
    if (bytes?.length !== 32) {
      throw new EncryptionKeysError(`key "${id}" is not the base64 of 32 bytes`);
    }
    out.set(id, bytes);
  }
  if (typeof primary !== "string" || !out.has(primary)) {
    throw new EncryptionKeysError('"primary" does not name one of its keys');
  }
  return { primary, keys: out };
}

function header(keyId: string): Uint8Array {
  const id = new TextEncoder().encode(keyId);
  const h = new Uint8Array(2 + id.length);
  h[0] = VERSION;
  h[1] = id.length;
  h.set(id, 2);
  return h;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The key id an AES-GCM value was encrypted with (it is not secret). */
export function aesKeyId(data: Uint8Array): string {
  if (data.length < 2 || data[0] !== VERSION) {
    throw new PayloadDecodeError("A stored payload is not an AES-GCM value of version 1");
  }
  const n = data[1]!;
  if (data.length < 2 + n + IV_BYTES + TAG_BYTES) {
    throw new PayloadDecodeError("A stored AES-GCM payload is cut short");
  }
  return new TextDecoder().decode(data.subarray(2, 2 + n));
}

export function aesGcmCodec(ring: Keyring): PayloadCodec {
  // Imported once: a cipher made from raw key bytes costs ~12x more in workerd (~0.3 ms).
  const keys = new Map<string, KeyObject>(
    [...ring.keys].map(([id, bytes]) => [id, createSecretKey(bytes)]),
  );
  const primaryKey = keys.get(ring.primary)!;
  const primaryHeader = header(ring.primary);
  return {
    id: AES_CODEC_ID,
    encode(data) {
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const cipher = createCipheriv("aes-256-gcm", primaryKey, iv).setAAD(primaryHeader);
      const body = cipher.update(data);
      const last = cipher.final();
      return concat([primaryHeader, iv, body, last, cipher.getAuthTag()]);
    },
    decode(data) {
      const keyId = aesKeyId(data);
      const key = keys.get(keyId);
      if (!key) {
        throw new PayloadDecodeError(
          `A stored payload is encrypted with key "${keyId}", which SUNDIAL_ENCRYPTION_KEYS does not hold (it holds: ${[...ring.keys.keys()].join(", ")}); add the key back to read it`,
        );
      }
      const at = 2 + data[1]!;
      const iv = data.subarray(at, at + IV_BYTES);
      const tag = data.subarray(data.length - TAG_BYTES);
      const body = data.subarray(at + IV_BYTES, data.length - TAG_BYTES);
      const decipher = createDecipheriv("aes-256-gcm", key, iv)
        .setAAD(data.subarray(0, at))
        .setAuthTag(tag);
      try {
        return concat([decipher.update(body), decipher.final()]);
      } catch {
        throw new PayloadDecodeError(
          `A stored payload encrypted with key "${keyId}" fails authentication: it was altered, or the key "${keyId}" is not the one it was encrypted with`,
        );
      }
    },
  };
}
