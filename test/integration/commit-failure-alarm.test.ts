/**
 * A workflow task that cannot commit even as a failed task records the failure alone with a retry
 * timer (transition.ts, recordCommitFailure). On a request's path (here a signal) nothing re-armed
 * the alarm for that timer: a run sleeping for an hour retried its task an hour late. The alarm now
 * comes down to the retry before the error goes back. (Found in review.)
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { post, start, stub, timers, uniqueId, waitForTimer } from "../helpers";

describe("a workflow task that cannot commit, on a request's path", () => {
  it("arms the alarm for its retry, not for the run's later timer", async () => {
    const workflowId = uniqueId("commit-fail-alarm");
    await start({ workflowType: "sleeper", workflowId, input: { sleeps: ["1h"] } });
    await waitForTimer(workflowId);
    await stub(workflowId).unsafeFailCommits(2);
    const res = await post(`/api/v1/workflows/${encodeURIComponent(workflowId)}/signals/poke`, {
      input: 1,
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    const retry = (await timers(workflowId)).find((t) => t.kind === "wft");
    expect(retry).toBeDefined();
    const armed = await runInDurableObject(stub(workflowId), (_o, state) =>
      state.storage.getAlarm(),
    );
    expect(armed).not.toBeNull();
    expect(armed!).toBeLessThanOrEqual(retry!.fireAtMs);
  });
});
