/**
 * @module Vitest setup (workerd projects, first of the setup files): console lines go to workerd's
 * own log instead of through vitest's RPC, and a file whose RPC call to vitest is never answered
 * fails with the call's name instead of hanging.
 *
 * Why: vitest-pool-workers (0.15) sends a console line written inside a Durable Object to vitest
 * from that object's context, as a request to its runner object. An object aborted before the
 * request goes out (abortAllDurableObjects: the cold project evicts every object, up to every
 * 200 ms) loses the line, so its RPC call (`onUserConsoleLog`) is never answered. Vitest awaits
 * every call of a test file before it ends the file, without a timeout: the run stopped there for
 * good, at no CPU, with every test reported (the cold project after limits-gaps, whose objects
 * warn while they are evicted). Seen through workerd's inspector during such a hang: one call
 * pending, `onUserConsoleLog`; rejecting it let the run finish. Upstream: cloudflare/workers-sdk
 * issue 14180 (console from a broken object hangs the pool), fixed by buffering in PR 14678.
 */
import { afterAll } from "vitest";
import { describeCalls, trackRpcCalls } from "./rpc-calls";

interface WorkerState {
  rpc: {
    $rejectPendingCalls(handler: (call: { method: string; reject(e: Error): void }) => void): void;
  };
}

const state = (globalThis as { __vitest_worker__?: WorkerState }).__vitest_worker__;
// The pool keeps workerd's console there before vitest puts its own in place of `console`.
const workerdConsole = (globalThis as { __console?: Console }).__console;
if (!state?.rpc || !workerdConsole || workerdConsole === console) {
  throw new Error(
    "test/setup/vitest-rpc.ts: vitest-pool-workers no longer exposes vitest's worker state or " +
      "workerd's console (globalThis.__vitest_worker__, globalThis.__console); see this file " +
      "for why they are needed, and check whether the pool still loses Durable Objects' console lines",
  );
}

// Every context (the test's, each object's) writes straight to workerd's log, which the pool
// prints as the runtime's output: no request to the runner, nothing an eviction can lose. The
// lines lose vitest's per-test heading. `vi.spyOn(console, "warn")` still sees every call.
for (const level of ["debug", "info", "log", "warn", "error"] as const) {
  console[level] = workerdConsole[level].bind(workerdConsole);
}

/** An answer takes milliseconds; a call unanswered this long after the file's tests is lost. */
const UNANSWERED_MS = 10_000;

const tracked = trackRpcCalls(state.rpc);
state.rpc = tracked.rpc;

// Registered first, so it runs after every other afterAll (vitest runs them in reverse order).
afterAll(async () => {
  const deadline = Date.now() + UNANSWERED_MS;
  while (tracked.calls.pending().length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const lost = tracked.calls.pending();
  if (lost.length === 0) return;
  // Rejected, vitest's end-of-file wait for them ends, and the file fails with this error.
  state.rpc.$rejectPendingCalls(({ method, reject }) =>
    reject(new Error(`vitest RPC call "${method}" was never answered (test/setup/vitest-rpc.ts)`)),
  );
  throw new Error(
    `vitest RPC calls still unanswered ${UNANSWERED_MS / 1000} s after this file's tests: ` +
      `${describeCalls(lost)}. A call made from a Durable Object aborted before it went out is ` +
      "lost, and vitest would have waited for it forever (see test/setup/vitest-rpc.ts).",
  );
}, UNANSWERED_MS + 5_000);
