/**
 * The parts of `node:crypto` and `node:buffer` the payload codec uses (workerd provides both under
 * `nodejs_compat`, backed by BoringSSL). Synchronous on purpose: see codec.ts.
 */
declare module "node:crypto" {
  interface GcmCipher {
    setAAD(aad: Uint8Array): GcmCipher;
    update(data: Uint8Array): Uint8Array;
    final(): Uint8Array;
    getAuthTag(): Uint8Array;
  }
  interface GcmDecipher {
    setAAD(aad: Uint8Array): GcmDecipher;
    setAuthTag(tag: Uint8Array): GcmDecipher;
    update(data: Uint8Array): Uint8Array;
    final(): Uint8Array;
  }
  /** An imported key: creating a cipher from it skips importing the raw key on every call. */
  export interface KeyObject {
    readonly type: "secret";
  }
  export function createSecretKey(key: Uint8Array): KeyObject;
  export function createCipheriv(
    algorithm: "aes-256-gcm",
    key: KeyObject,
    iv: Uint8Array,
  ): GcmCipher;
  export function createDecipheriv(
    algorithm: "aes-256-gcm",
    key: KeyObject,
    iv: Uint8Array,
  ): GcmDecipher;
}

declare module "node:buffer" {
  interface NodeBuffer extends Uint8Array {
    toString(encoding?: "base64" | "utf8"): string;
  }
  export const Buffer: {
    from(data: Uint8Array): NodeBuffer;
    from(data: ArrayBufferLike, byteOffset: number, length: number): NodeBuffer;
    from(data: string, encoding: "base64" | "utf8"): NodeBuffer;
  };
}
