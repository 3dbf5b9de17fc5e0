/**
 * The starter workflow end to end in workerd, through the engine's HTTP API: start, signal, result.
 * The activities really run through the Queue; the timer is the execution's real alarm.
 */
import { SELF } from "cloudflare:test";
import { expect, it } from "vitest";

const api = "http://sundial.test/api/v1/workflows";

function post(path: string, body: unknown) {
  return SELF.fetch(`${api}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

it("onboards a user: welcome email, confirm signal, timer, activation", async () => {
  const started = await post("", {
    workflowType: "onboarding",
    workflowId: "onboarding-ada",
    input: { email: "ada@example.com", activationDelay: "10ms" },
  });
  expect(started.status).toBe(201);

  const signaled = await post("/onboarding-ada/signals/confirm", { input: { by: "ada" } });
  expect(signaled.status).toBe(202);

  const result = await SELF.fetch(`${api}/onboarding-ada/result?wait=20s`);
  expect(await result.json()).toMatchObject({
    status: "Completed",
    result: {
      email: "ada@example.com",
      status: "active",
      confirmedBy: "ada",
      accountId: "account-onboarding-ada",
    },
  });
});

it("expires when nobody confirms in time", async () => {
  await post("", {
    workflowType: "onboarding",
    workflowId: "onboarding-bob",
    input: { email: "bob@example.com", confirmWithin: "10ms" },
  });
  const result = await SELF.fetch(`${api}/onboarding-bob/result?wait=20s`);
  expect(await result.json()).toMatchObject({
    status: "Completed",
    result: { status: "expired", confirmedBy: null },
  });
});
