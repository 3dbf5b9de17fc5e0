/**
 * @module Tracks the calls a vitest test worker makes to vitest over its RPC (birpc) until they are
 * answered, so that a call that is never answered fails its test file (test/setup/vitest-rpc.ts)
 * instead of hanging it: vitest awaits every such call before it ends a file, with no timeout.
 * Plain TypeScript (no workerd API): unit-tested in Node (test/unit/testing/rpc-calls.test.ts).
 */

/** The calls still unanswered, by method name (one entry per call). */
export interface RpcCalls {
  pending(): string[];
}

/**
 * Wraps `rpc` (vitest's worker RPC proxy): every method call goes through unchanged and is counted
 * until its promise settles. Builtins (`$rejectPendingCalls`, `$close`, …) and non-function
 * properties pass through untouched, and so does each method's `asEvent` (events get no answer).
 */
export function trackRpcCalls<T extends object>(rpc: T): { rpc: T; calls: RpcCalls } {
  const pending = new Map<number, string>();
  let next = 0;
  const wrapped = new Proxy(rpc, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof property !== "string" || property.startsWith("$")) return value;
      if (typeof value !== "function") return value;
      const method = value as ((...args: unknown[]) => unknown) & { asEvent?: unknown };
      const call = (...args: unknown[]) => {
        const result = method(...args);
        if (!(result instanceof Promise)) return result;
        const id = next++;
        pending.set(id, property);
        const done = () => pending.delete(id);
        result.then(done, done);
        return result;
      };
      return Object.assign(call, { asEvent: method.asEvent });
    },
  });
  return { rpc: wrapped, calls: { pending: () => [...pending.values()] } };
}

/** "onUserConsoleLog ×2, onTaskUpdate" for an error message. */
export function describeCalls(methods: string[]): string {
  const counts = new Map<string, number>();
  for (const m of methods) counts.set(m, (counts.get(m) ?? 0) + 1);
  return [...counts].map(([m, n]) => (n > 1 ? `${m} ×${n}` : m)).join(", ");
}
