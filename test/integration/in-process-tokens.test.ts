/**
 * @module The engine's own consumer hands eager tasks out unsigned (issue 14: an HMAC sign and an
 * HMAC verify less per step, src/security/issued-tokens.ts): its reporter takes back exactly the
 * tokens it issued, while such an unsigned token is refused everywhere else (another reporter, the
 * SundialService binding) as before, and signed tokens work on the in-process reporter as ever.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createReporter } from "../../src/engine";
import { encodeToken } from "../../src/execution/addressing";
import { signTaskToken } from "../../src/security/task-token-mac";
import { eventually, evictIfCold, history, result, start, uniqueId } from "../helpers";

const parked = { taskQueue: "parked", startToCloseTimeout: "1m", retry: { maximumAttempts: 1 } };
const offer = { taskQueue: "parked", activityTypes: ["echo"], deliveryId: "d-1" };

/** A two-activity workflow on the unconsumed "parked" queue, its first attempt started by the test. */
async function firstStarted(prefix: string) {
  const workflowId = uniqueId(prefix);
  const { runId } = await start({
    workflowType: "sequence",
    workflowId,
    input: { types: ["echo", "echo"], options: parked },
  });
  const fields = { namespace: "default", workflowId, runId, seq: 1, attempt: 1 };
  const token = await signTaskToken(env, encodeToken(fields));
  await eventually(async () => {
    if (!(await env.SUNDIAL.activityStarted(token, "d-1"))) throw new Error("not scheduled yet");
  });
  return { workflowId, token };
}

describe("eager tokens of the in-process consumer", () => {
  it("are handed out unsigned and taken back only by the reporter that issued them", async () => {
    const { workflowId, token } = await firstStarted("tok-inproc");
    const own = createReporter(env, { inProcess: true });
    // A signed (queued) token works on the in-process reporter as on any other.
    const eager = await own.activityCompleted(token, "0", offer);
    expect(eager).toMatchObject({ activityId: "2", input: "1" });
    expect(eager!.token.split("~")).toHaveLength(5); // no MAC: it never leaves this Worker
    await evictIfCold();
    // Anyone else holding that string gets nothing, and nothing changes.
    const before = await history(workflowId);
    expect(await env.SUNDIAL.activityCompleted(eager!.token, '"forged"')).toBeNull();
    expect(await createReporter(env).activityCompleted(eager!.token, '"forged"')).toBeNull();
    const other = createReporter(env, { inProcess: true });
    expect(await other.activityCompleted(eager!.token, '"forged"')).toBeNull();
    expect(await other.activityHeartbeat(eager!.token)).toMatchObject({ cancelRequested: true });
    expect(await history(workflowId)).toEqual(before);
    // The issuing reporter: heartbeat and completion go through.
    expect(await own.activityHeartbeat(eager!.token, '{"p":1}')).toEqual({
      cancelRequested: false,
    });
    expect(await own.activityCompleted(eager!.token, "1", offer)).toBeNull();
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: [0, 1] });
  });

  it("a reporter for activity Workers (SundialService) still hands eager tasks out signed", async () => {
    const { workflowId, token } = await firstStarted("tok-signed");
    const eager = await createReporter(env).activityCompleted(token, "0", offer);
    expect(eager!.token.split("~")).toHaveLength(6);
    expect(await env.SUNDIAL.activityCompleted(eager!.token, "1")).toBeNull();
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: [0, 1] });
  });

  it("the in-process reporter refuses a forged signed token, changing nothing", async () => {
    const { workflowId, token } = await firstStarted("tok-forged");
    const own = createReporter(env, { inProcess: true });
    const before = await history(workflowId);
    const forged = `${token.slice(0, token.lastIndexOf("~"))}~${"A".repeat(43)}`;
    expect(await own.activityCompleted(forged, '"forged"', offer)).toBeNull();
    const body = token.slice(0, token.lastIndexOf("~"));
    expect(await own.activityCompleted(body, '"forged"', offer)).toBeNull(); // unsigned, not issued
    expect(await history(workflowId)).toEqual(before);
  });
});
