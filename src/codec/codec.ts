/**
 * @module Payload codecs, in the spirit of Temporal's Data Converter + PayloadCodec: every payload
 * the engine stores (see payload-sql.ts for which) passes through a chain of codecs before it is
 * written, and back when it is read. Users add their own (`createSundial({ codecs })`, e.g.
 * compression); the built-in AES-256-GCM codec (aes-gcm.ts) is appended last when
 * `SUNDIAL_ENCRYPTION_KEYS` is set, so it encrypts what the others produced.
 *
 * Codecs are synchronous: every SQLite write of the engine happens inside a synchronous
 * transaction, and encoding at the write itself is what guarantees no write path stores plaintext
 * by forgetting to encode ahead of it. (WebCrypto is asynchronous only, so the built-in codec uses
 * `node:crypto`, BoringSSL in workerd; a compression codec can use `node:zlib`'s *Sync functions.)
 *
 * A stored value is an envelope `~sd1.<codec ids, in encode order, joined by +>.<base64>`. JSON text
 * never starts with `~`, so plaintext written before a codec was configured still reads back as is;
 * the envelope names its codecs, so adding one later leaves older values readable, and removing one
 * that values still need fails with its name. With no codec configured nothing is wrapped at all.
 */
import { Buffer } from "node:buffer";

/** One step of the chain. Its id is recorded in each envelope: keep it stable. */
export interface PayloadCodec {
  /** 1–32 of `a-z 0-9 -`. */
  readonly id: string;
  encode(data: Uint8Array): Uint8Array;
  decode(data: Uint8Array): Uint8Array;
}

/** What the engine uses: JSON text in, stored text out, and back. */
export interface CodecChain {
  /** True when nothing is configured: values are stored as they are. */
  readonly identity: boolean;
  encode(text: string): string;
  decode(stored: string): string;
}

export const ENVELOPE_PREFIX = "~sd1.";
const CODEC_ID = /^[a-z0-9-]{1,32}$/;

/** A stored payload that cannot be decoded (codec missing, wrong key, altered ciphertext). */
export class PayloadDecodeError extends Error {
  override name = "PayloadDecodeError";
}

export function isEnvelope(value: unknown): value is string {
  return typeof value === "string" && value.startsWith(ENVELOPE_PREFIX);
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

export function fromBase64(text: string): Uint8Array {
  return Buffer.from(text, "base64");
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

export const IDENTITY: CodecChain = {
  identity: true,
  encode: (text) => text,
  decode(stored) {
    if (!isEnvelope(stored)) return stored;
    throw new PayloadDecodeError(
      `A stored payload was encoded with codec(s) ${envelopeCodecs(stored).join(", ")}, but this deployment configures none (is SUNDIAL_ENCRYPTION_KEYS unset?)`,
    );
  },
};

/** The chain of `codecs` (applied in order when encoding, in reverse when decoding). */
export function codecChain(codecs: readonly PayloadCodec[]): CodecChain {
  if (codecs.length === 0) return IDENTITY;
  const byId = new Map<string, PayloadCodec>();
  for (const c of codecs) {
    if (!CODEC_ID.test(c.id)) {
      throw new TypeError(
        `A payload codec id is 1-32 of a-z, 0-9 and -; got ${JSON.stringify(c.id)}`,
      );
    }
    if (byId.has(c.id)) throw new TypeError(`Payload codec "${c.id}" is configured twice`);
    byId.set(c.id, c);
  }
  const header = `${ENVELOPE_PREFIX}${codecs.map((c) => c.id).join("+")}.`;
  return {
    identity: false,
    encode(text) {
      let bytes = utf8.encode(text);
      for (const c of codecs) bytes = c.encode(bytes);
      return header + toBase64(bytes);
    },
    decode(stored) {
      if (!isEnvelope(stored)) return stored;
      const end = stored.indexOf(".", ENVELOPE_PREFIX.length);
      if (end < 0) throw new PayloadDecodeError("A stored payload's envelope is cut short");
      const ids = stored.slice(ENVELOPE_PREFIX.length, end).split("+");
      let bytes = fromBase64(stored.slice(end + 1));
      for (const id of ids.reverse()) {
        const codec = byId.get(id);
        if (!codec) {
          throw new PayloadDecodeError(
            `A stored payload was encoded with codec "${id}", which this deployment does not configure (configured: ${[...byId.keys()].join(", ")})`,
          );
        }
        bytes = codec.decode(bytes);
      }
      try {
        return fromUtf8.decode(bytes);
      } catch {
        throw new PayloadDecodeError("A stored payload decoded to bytes that are not UTF-8 text");
      }
    },
  };
}

/** The codec ids of an envelope, in encode order (for tests and tooling). */
export function envelopeCodecs(stored: string): string[] {
  if (!isEnvelope(stored)) return [];
  const end = stored.indexOf(".", ENVELOPE_PREFIX.length);
  return stored.slice(ENVELOPE_PREFIX.length, end).split("+");
}

/** The bytes of an envelope's outermost layer (what its last codec produced). */
export function envelopeBytes(stored: string): Uint8Array {
  const end = stored.indexOf(".", ENVELOPE_PREFIX.length);
  return fromBase64(stored.slice(end + 1));
}
