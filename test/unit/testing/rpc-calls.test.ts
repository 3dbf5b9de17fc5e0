/**
 * The tracker behind test/setup/vitest-rpc.ts: a vitest RPC call is counted until its promise
 * settles, so a call that never gets an answer (lost with an aborted Durable Object) can be named
 * and failed instead of hanging the test file.
 */
import { describe, expect, it } from "vitest";
import { describeCalls, trackRpcCalls } from "../../setup/rpc-calls";

function fakeRpc() {
  const answers: Array<() => void> = [];
  const target = {
    onTaskUpdate: () => Promise.resolve("ok"),
    onUserConsoleLog: () => new Promise<void>((resolve) => answers.push(resolve)),
    onFail: () => Promise.reject(new Error("refused")),
    $rejectPendingCalls: () => "builtin",
    meta: { answers },
  };
  return target;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("trackRpcCalls", () => {
  it("counts a call until it is answered", async () => {
    const target = fakeRpc();
    const { rpc, calls } = trackRpcCalls(target);
    const log = rpc.onUserConsoleLog();
    expect(calls.pending()).toEqual(["onUserConsoleLog"]);
    target.meta.answers[0]!();
    await log;
    await settle();
    expect(calls.pending()).toEqual([]);
  });

  it("forgets answered and rejected calls, keeps the unanswered ones", async () => {
    const { rpc, calls } = trackRpcCalls(fakeRpc());
    expect(await rpc.onTaskUpdate()).toBe("ok");
    await expect(rpc.onFail()).rejects.toThrow("refused");
    void rpc.onUserConsoleLog();
    void rpc.onUserConsoleLog();
    await settle();
    expect(calls.pending()).toEqual(["onUserConsoleLog", "onUserConsoleLog"]);
    expect(describeCalls(calls.pending())).toBe("onUserConsoleLog ×2");
  });

  it("passes builtins and plain properties through untouched", () => {
    const target = fakeRpc();
    const { rpc, calls } = trackRpcCalls(target);
    expect(rpc.$rejectPendingCalls).toBe(target.$rejectPendingCalls);
    expect(rpc.meta).toBe(target.meta);
    expect(calls.pending()).toEqual([]);
  });

  it("keeps a method's asEvent (events get no answer, so they are not counted)", () => {
    const asEvent = () => undefined;
    const target = { onCancel: Object.assign(() => Promise.resolve(), { asEvent }) };
    const { rpc } = trackRpcCalls(target);
    expect((rpc.onCancel as unknown as { asEvent: unknown }).asEvent).toBe(asEvent);
  });
});

describe("describeCalls", () => {
  it("names each method once, with its count when more than one", () => {
    expect(describeCalls(["a", "b", "a"])).toBe("a ×2, b");
    expect(describeCalls([])).toBe("");
  });
});
