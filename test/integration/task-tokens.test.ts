/**
 * @module Signed task tokens (issue #11), end to end: over the engine's real SundialService binding a
 * forged, altered (each field), other-namespace, truncated or unsigned token is refused before any
 * execution is touched (history and pending activity unchanged), while the genuine token still
 * works; a secret rotation keeps an in-flight activity completing (warm and cold).
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createReporter } from "../../src/engine";
import { encodeToken } from "../../src/execution/addressing";
import { signTaskToken } from "../../src/security/task-token-mac";
import {
  describeWf,
  eventTypes,
  eventually,
  evictIfCold,
  history,
  result,
  start,
  uniqueId,
} from "../helpers";

const parked = { taskQueue: "parked", startToCloseTimeout: "1m", retry: { maximumAttempts: 1 } };

/** A workflow waiting on one activity of the unconsumed "parked" queue; the test is its consumer. */
async function waitingOnActivity(prefix: string) {
  const workflowId = uniqueId(prefix);
  const { runId } = await start({
    workflowType: "sequence",
    workflowId,
    input: { types: ["echo"], options: parked },
  });
  await eventually(async () => {
    if (!(await eventTypes(workflowId)).includes("ActivityTaskScheduled")) {
      throw new Error("not scheduled yet");
    }
  });
  const fields = { namespace: "default", workflowId, runId, seq: 1, attempt: 1 };
  return { workflowId, runId, fields, token: await signTaskToken(env, encodeToken(fields)) };
}

/** Replaces the body part at `index` (0 namespace … 4 attempt) and keeps the signature. */
function alter(token: string, index: number, value: string): string {
  const parts = token.split("~");
  parts[index] = encodeURIComponent(value);
  return parts.join("~");
}

/** Every report of `token` is refused as forged or malformed, and nothing about the run changed. */
async function refusedChangingNothing(workflowId: string, token: string, reason: RegExp) {
  const before = await history(workflowId);
  const described = await describeWf(workflowId);
  expect(await env.SUNDIAL.activityStarted(token, "d-forged")).toBeNull();
  const beat = await env.SUNDIAL.activityHeartbeat(token, '{"p":1}');
  expect(beat).toEqual({ cancelRequested: true, reason: expect.stringMatching(reason) });
  expect(await env.SUNDIAL.activityCompleted(token, '"forged"')).toBeNull();
  expect(await env.SUNDIAL.activityFailed(token, '{"message":"forged"}')).toBeNull();
  expect(await history(workflowId)).toEqual(before);
  expect((await describeWf(workflowId)).pendingActivities).toEqual(described.pendingActivities);
}

describe("signed task tokens", () => {
  it("refuses forged, altered, other-namespace, truncated and unsigned tokens; the genuine one works", async () => {
    const { workflowId, fields, token } = await waitingOnActivity("tok-forged");
    const body = encodeToken(fields);
    const forged = `${body}~${"A".repeat(43)}`;
    const otherSecret = await signTaskToken({ SUNDIAL_TOKEN_SECRET: "not-the-engine's" }, body);
    const cases: Array<[string, string, RegExp]> = [
      ["forged signature", forged, /^Forged or altered task token: /],
      ["signed with another secret", otherSecret, /^Forged or altered task token: /],
      ["namespace altered", alter(token, 0, "other"), /^Forged or altered task token: /],
      ["workflow id altered", alter(token, 1, `${workflowId}x`), /^Forged or altered/],
      ["run id altered", alter(token, 2, crypto.randomUUID()), /^Forged or altered/],
      ["seq altered", alter(token, 3, "2"), /^Forged or altered task token: /],
      ["attempt altered", alter(token, 4, "2"), /^Forged or altered task token: /],
      ["truncated signature", token.slice(0, -1), /^Forged or altered task token: /],
      ["signature cut off", body, /no signature/],
      ["signature emptied", `${body}~`, /^Forged or altered task token: /],
    ];
    for (const [, bad, reason] of cases) await refusedChangingNothing(workflowId, bad, reason);
    // Validly signed, but for the same workflow id in another namespace: another execution (none).
    const before = await history(workflowId);
    const otherNamespace = await signTaskToken(env, encodeToken({ ...fields, namespace: "other" }));
    expect(await env.SUNDIAL.activityStarted(otherNamespace, "d-other")).toBeNull();
    expect(await env.SUNDIAL.activityCompleted(otherNamespace, '"other"')).toBeNull();
    expect(await history(workflowId)).toEqual(before);
    // Nothing was started by any of them: the genuine token starts and completes the activity.
    expect(await env.SUNDIAL.activityStarted(token, "d-1")).toMatchObject({ input: "0" });
    expect(await env.SUNDIAL.activityCompleted(token, '"done"')).toBeNull();
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: ["done"] });
  });

  it("a secret rotation keeps an in-flight activity completing; the retired secret alone stops working", async () => {
    // Issued under the current secret, the attempt is in flight when the secret rotates.
    const { workflowId, token } = await waitingOnActivity("tok-rotate");
    const rotated = createReporter({
      ...env,
      SUNDIAL_TOKEN_SECRET: "the-new-secret",
      SUNDIAL_TOKEN_SECRET_PREVIOUS: env.SUNDIAL_TOKEN_SECRET,
    });
    const newOnly = createReporter({ ...env, SUNDIAL_TOKEN_SECRET: "the-new-secret" });
    expect(await rotated.activityStarted(token, "d-1")).toMatchObject({ input: "0", attempt: 1 });
    await evictIfCold();
    expect(await rotated.activityHeartbeat(token, '{"p":1}')).toEqual({ cancelRequested: false });
    // Once the previous secret is dropped, a token of the old secret is a forgery.
    expect(await newOnly.activityHeartbeat(token)).toEqual({
      cancelRequested: true,
      reason: expect.stringMatching(/^Forged or altered task token: /),
    });
    await evictIfCold();
    expect(await rotated.activityCompleted(token, '"done"')).toBeNull();
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: ["done"] });
  });

  it("an eager task is handed out signed with the current secret", async () => {
    const workflowId = uniqueId("tok-eager");
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
    const rotated = createReporter({
      ...env,
      SUNDIAL_TOKEN_SECRET: "the-new-secret",
      SUNDIAL_TOKEN_SECRET_PREVIOUS: env.SUNDIAL_TOKEN_SECRET,
    });
    const offer = { taskQueue: "parked", activityTypes: ["echo"], deliveryId: "d-1" };
    const eager = await rotated.activityCompleted(token, "0", offer);
    expect(eager).toMatchObject({ activityId: "2", input: "1" });
    // Signed with the new secret: a reporter that knows only the new one takes it.
    const newOnly = createReporter({ ...env, SUNDIAL_TOKEN_SECRET: "the-new-secret" });
    expect(await newOnly.activityCompleted(eager!.token, "1")).toBeNull();
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: [0, 1] });
  });

  it("a deployed engine without a token secret accepts no token, and says how to set one", async () => {
    const { workflowId, token } = await waitingOnActivity("tok-nosecret");
    const unconfigured = createReporter({
      ...env,
      SUNDIAL_TOKEN_SECRET: undefined,
      SUNDIAL_AUTH: "required",
    });
    const before = await history(workflowId);
    expect(await unconfigured.activityStarted(token, "d")).toBeNull();
    expect(await unconfigured.activityHeartbeat(token)).toEqual({
      cancelRequested: true,
      reason: expect.stringMatching(/SUNDIAL_TOKEN_SECRET is not set.*wrangler secret put/),
    });
    expect(await history(workflowId)).toEqual(before);
  });
});
