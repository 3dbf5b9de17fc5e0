/**
 * Console lines written inside a Durable Object make no RPC call to vitest (test/setup/vitest-rpc.ts).
 * Through vitest's console, each line was a call sent from the object's context: an object aborted
 * before it went out (the cold project's evictions) lost it, and vitest then waited for its answer
 * forever at the end of the file (the cold project hung after limits-gaps).
 */
import { runInDurableObject } from "cloudflare:test";
import { expect, it, vi } from "vitest";
import { stub, uniqueId } from "../helpers";

interface WorkerState {
  rpc: object;
}

it("a console line written inside a Durable Object makes no RPC call to vitest", async () => {
  const state = (globalThis as unknown as { __vitest_worker__: WorkerState }).__vitest_worker__;
  const rpc = state.rpc;
  const calls: string[] = [];
  state.rpc = new Proxy(rpc, {
    get(target, property, receiver) {
      if (typeof property === "string" && !property.startsWith("$")) calls.push(property);
      return Reflect.get(target, property, receiver);
    },
  });
  const warn = vi.spyOn(console, "warn");
  try {
    await runInDurableObject(stub(uniqueId("object-console")), () => {
      console.warn("object-console: a line from inside a Durable Object");
      console.error("object-console: and an error line");
    });
    // Vitest's console sends its buffered lines a microtask later: give them every chance.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(warn).toHaveBeenCalledWith("object-console: a line from inside a Durable Object");
    expect(calls.filter((method) => method === "onUserConsoleLog")).toEqual([]);
  } finally {
    warn.mockRestore();
    state.rpc = rpc;
  }
});
