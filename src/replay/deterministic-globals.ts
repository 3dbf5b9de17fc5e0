/**
 * @module The globals workflow code may touch, made deterministic. Inside workflow code (the
 * AsyncLocalStorage context a runtime enters, propagated across awaits) the clock is the time of the
 * event being processed, randomness is the run's seeded generator, `setTimeout`/`setInterval` are
 * durable timers and `fetch` fails the workflow task. Everywhere else (the engine, other requests,
 * activities) every global is the real one. Pure: no `cloudflare:*` imports, runs in Node too.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { uuid4 } from "./determinism";

/** What a runtime provides to the patched globals while its workflow code runs. */
export interface DeterministicHost {
  /** `Date.now()`: the time of the event being processed. */
  deterministicNow(): number;
  /** `Math.random()`: the run's seeded generator (a throwaway fork of it in queries and validators). */
  deterministicRandom(): number;
  /** `performance.now()`: ms since the run started, in workflow time. */
  sinceStartMs(): number;
  /** `setTimeout`/`setInterval`: a durable timer; returns its handle. */
  setTimer(fn: unknown, ms: unknown, args: unknown[], repeat: boolean): number;
  /** `clearTimeout`/`clearInterval` of a handle `setTimer` returned. */
  clearTimer(handle: unknown): void;
  /** A global that cannot be made deterministic (fetch): fails the workflow task, naming `what`. */
  forbidden(what: string, advice: string): Error;
}

/** The runtime whose workflow code is running. */
export const activeRuntime = new AsyncLocalStorage<DeterministicHost>();

/** The real `setTimeout`, for the runtime's own use (draining microtasks): never a durable timer. */
export const realSetTimeout: typeof setTimeout = globalThis.setTimeout.bind(globalThis);
/** The real `setInterval`/`clearInterval`, for the runtime's own event-loop turns (drain.ts). */
export const realSetInterval: typeof setInterval = globalThis.setInterval.bind(globalThis);
export const realClearInterval: typeof clearInterval = globalThis.clearInterval.bind(globalThis);

const PATCHED = Symbol.for("sundial.deterministicGlobals");

type Fn = (...args: never[]) => unknown;

/** Replaces `obj[key]` by `make(real)`; leaves it alone where the host forbids it (then ctx.* is the way). */
function patch<T extends object>(obj: T | undefined, key: string, make: (real: Fn) => Fn): void {
  if (!obj) return;
  const real = (obj as Record<string, unknown>)[key];
  if (typeof real !== "function") return;
  try {
    Object.defineProperty(obj, key, {
      configurable: true,
      writable: true,
      value: make((real as Fn).bind(obj)),
    });
  } catch {
    // Not patchable in this host.
  }
}

function fillRandom(host: DeterministicHost, array: ArrayBufferView): void {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(host.deterministicRandom() * 256);
}

/**
 * Installs the patches once per isolate (module instances may be duplicated by bundling). Called
 * when a runtime is created, not on import: importing the runtime changes no global.
 */
export function installDeterministicGlobals(): void {
  const g = globalThis as typeof globalThis & { [PATCHED]?: true };
  if (g[PATCHED]) return;
  g[PATCHED] = true;
  const RealDate = Date;
  const realNow = Date.now.bind(Date);
  const host = () => activeRuntime.getStore();
  const now = () => host()?.deterministicNow() ?? realNow();
  g.Date = new Proxy(RealDate, {
    construct(target, args, newTarget) {
      const values = args.length === 0 && host() ? [now()] : args;
      return Reflect.construct(target, values, newTarget === g.Date ? target : newTarget);
    },
    // `Date()` called as a function returns the current time as a string.
    apply(target, thisArg, args) {
      return host() ? new target(now()).toString() : Reflect.apply(target, thisArg, args);
    },
    get(target, prop, receiver) {
      if (prop === "now") return now;
      return Reflect.get(target, prop, receiver);
    },
  });
  patch(Math, "random", (real) => () => host()?.deterministicRandom() ?? real());
  const c = (g as { crypto?: object }).crypto;
  patch(c, "randomUUID", (real) => () => {
    const h = host();
    return h ? uuid4(() => h.deterministicRandom()) : real();
  });
  patch(c, "getRandomValues", (real) => (array: never) => {
    const h = host();
    if (!h) return real(array);
    if (!ArrayBuffer.isView(array)) throw new TypeError("getRandomValues needs a typed array");
    fillRandom(h, array);
    return array;
  });
  patch((g as { performance?: object }).performance, "now", (real) => () => {
    const h = host();
    return h ? h.sinceStartMs() : real();
  });
  const timer =
    (repeat: boolean) =>
    (real: Fn) =>
    (fn: never, ms?: never, ...args: never[]) => {
      const h = host();
      return h ? h.setTimer(fn, ms, args, repeat) : real(fn, ms as never, ...args);
    };
  patch(g, "setTimeout", timer(false));
  patch(g, "setInterval", timer(true));
  const clear = (real: Fn) => (handle: never) => {
    const h = host();
    if (h) h.clearTimer(handle);
    else real(handle);
  };
  patch(g, "clearTimeout", clear);
  patch(g, "clearInterval", clear);
  patch(g, "fetch", (real) => (...args: never[]) => {
    const h = host();
    if (!h) return real(...args);
    return Promise.reject(
      h.forbidden("fetch()", "do I/O in an activity (ctx.activity / ctx.localActivity)"),
    );
  });
  const scheduler = (g as { scheduler?: object }).scheduler;
  patch(scheduler, "wait", (real) => (...args: never[]) => {
    const h = host();
    if (!h) return real(...args);
    return Promise.reject(h.forbidden("scheduler.wait()", "use ctx.sleep() (a durable timer)"));
  });
}
