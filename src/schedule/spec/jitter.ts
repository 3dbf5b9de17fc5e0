/**
 * @module Jitter: a delay that looks random but is a pure function of (schedule id, nominal time),
 * so a recomputation after a crash or on another machine gives the same actual time (no
 * Math.random). FNV-1a over the text, then the 32-bit finalizer of MurmurHash3 (fmix32) twice for
 * 53 well-mixed bits, scaled into [0, bound).
 */

function fnv1a(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** A fraction in [0, 1) fixed by the key. */
export function hashFraction(key: string): number {
  const high = fmix32(fnv1a(key, 0)) >>> 11; // 21 bits
  const low = fmix32(fnv1a(key, 0x9e3779b9)); // 32 bits
  return (high * 0x100000000 + low) / 2 ** 53;
}

/** A whole number of ms in [0, bound) fixed by (scheduleId, nominalMs); 0 when bound ≤ 1. */
export function jitterFor(scheduleId: string, nominalMs: number, boundMs: number): number {
  if (!(boundMs > 1)) return 0;
  const value = Math.floor(hashFraction(`${scheduleId}\u0000${nominalMs}`) * boundMs);
  return Math.min(value, boundMs - 1);
}
