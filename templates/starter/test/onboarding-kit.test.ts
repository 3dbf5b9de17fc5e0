/**
 * The starter workflow with sundial/testing: virtual time (a 7-day confirmation window passes in
 * milliseconds), typed handles, activity mocks, and an eviction in the middle of a run.
 */
import { createTestEnv } from "sundial/testing";
import { expect, it } from "vitest";
import { confirm, onboarding, status } from "../src/workflows";

const env = createTestEnv();

it("expires after 7 days without a confirmation: virtual time, not wall time", async () => {
  const started = Date.now();
  const handle = await env.start(onboarding, { email: "bob@example.com" });
  expect(await handle.result()).toEqual({
    email: "bob@example.com",
    status: "expired",
    confirmedBy: null,
    accountId: null,
  });
  expect(Date.now() - started).toBeLessThan(2_000);
});

it("confirmed, it waits out its timer and activates the account (a mocked activity)", async () => {
  env.mockActivities({ activateAccount: async () => ({ accountId: "mocked-account" }) });
  const handle = await env.start(onboarding, { email: "ada@example.com", activationDelay: "1h" });
  await expect.poll(() => handle.query(status)).toBe("waiting for the confirmation");
  await handle.signal(confirm, { by: "ada" });
  expect(await handle.result()).toEqual({
    email: "ada@example.com",
    status: "active",
    confirmedBy: "ada",
    accountId: "mocked-account",
  });
});

it("survives an eviction while it waits", async () => {
  const handle = await env.start(onboarding, { email: "eve@example.com" });
  await expect.poll(() => handle.query(status)).toBe("waiting for the confirmation");
  await env.evictAll();
  await handle.signal(confirm, { by: "eve" });
  expect(await handle.result()).toMatchObject({ status: "active", confirmedBy: "eve" });
});

it("survives a crash right after its signal is committed", async () => {
  const handle = await env.start(onboarding, { email: "joe@example.com" });
  await expect.poll(() => handle.query(status)).toBe("waiting for the confirmation");
  await env.crashNextTransition(handle, "afterCommit", { kind: "signal" });
  await handle.signal(confirm, { by: "joe" });
  expect(await handle.result()).toMatchObject({ status: "active", confirmedBy: "joe" });
});
