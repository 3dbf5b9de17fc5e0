/**
 * @module The deterministic sources of workflow code: the run's seeded generator and the UUIDs built
 * from it. Pure functions of their inputs, so a replay draws the same values. The globals that call
 * them inside workflow code are in ./deterministic-globals.ts.
 */

/**
 * One step of mulberry32: small, fast, and fully determined by the seed recorded in
 * WorkflowExecutionStarted. Returns the next state and a value in [0, 1).
 */
export function mulberry32(state: number): { state: number; value: number } {
  const next = (state + 0x6d2b79f5) >>> 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { state: next, value: ((t ^ (t >>> 14)) >>> 0) / 4294967296 };
}

/** A version-4 UUID built from `random` (deterministic when `random` is). */
export function uuid4(random: () => number): string {
  const bytes = Array.from({ length: 16 }, () => Math.floor(random() * 256));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
