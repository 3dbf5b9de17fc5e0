/**
 * @module Test-only: `setTimeout(fn, 0)` runs as `setImmediate(fn)`. The runtime drains workflow
 * code with a zero timeout (a macrotask: every microtask has run by then); Node clamps that to
 * 1 ms, which makes thousands of replays spend most of their time asleep. `setImmediate` is also a
 * macrotask that runs after the microtask queue is empty, so the runtime sees the same order.
 * Import it BEFORE the runtime, so that anything the runtime installs over `setTimeout` (for
 * workflow code) wraps this one rather than the reverse.
 */
const realSetTimeout = globalThis.setTimeout;
/** Node's (the test tsconfig carries Workers types only). */
const { setImmediate } = globalThis as unknown as {
  setImmediate: (handler: (...args: unknown[]) => void, ...args: unknown[]) => unknown;
};

function immediateZeroTimeout(
  handler: (...args: unknown[]) => void,
  delay?: number,
  ...args: unknown[]
): ReturnType<typeof setTimeout> {
  if ((delay ?? 0) <= 0) {
    return setImmediate(handler, ...args) as unknown as ReturnType<typeof setTimeout>;
  }
  return realSetTimeout(handler, delay, ...args);
}

globalThis.setTimeout = Object.assign(immediateZeroTimeout, realSetTimeout) as typeof setTimeout;
