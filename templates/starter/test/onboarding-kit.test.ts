/**
 * The starter workflow with sundial/testing: virtual time (a 7-day confirmation window passes in
 * milliseconds), typed handles, activity mocks, an eviction in the middle of a run, and a schedule
 * over two weeks of virtual time.
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

it("the README's schedule: an onboarding each weekday at 9:00 Berlin time, two weeks in virtual time", async () => {
  const berlin = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/Berlin",
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
  });
  const at9 = (ms: number) => /^(Mon|Tue|Wed|Thu|Fri) 09:00$/.test(berlin.format(ms));
  // The weekday 9:00 instants of the next 14 days (whole UTC hours, since Berlin's offsets are).
  const from = env.now();
  const firstHour = Math.floor(from / 3_600_000) * 3_600_000 + 3_600_000;
  const expected: string[] = [];
  for (let t = firstHour; t <= from + 14 * 86_400_000; t += 3_600_000) {
    if (at9(t)) expected.push(new Date(t).toISOString());
  }

  const schedule = await env.createSchedule({
    scheduleId: "weekday-onboarding",
    spec: {
      calendars: [{ hour: "9", minute: "0", dayOfWeek: "MON-FRI" }],
      timezone: "Europe/Berlin",
    },
    action: { startWorkflow: { workflowType: "onboarding", input: { email: "team@example.com" } } },
    policies: { overlap: "AllowAll" },
  });
  await env.sleep("14d"); // each action at its time; the 7-day confirmation windows pass too

  const { info } = await schedule.describe();
  expect(info.actionCount).toBe(expected.length);
  const recent = info.recentActions.map((a) => a.scheduledTime).reverse();
  expect(recent).toEqual(expected.slice(-recent.length));
  // Started a week or more ago, with no confirmation: expired (completed).
  const old = info.recentActions.filter(
    (a) => Date.parse(a.scheduledTime) < env.now() - 7 * 86_400_000 - 3_600_000,
  );
  for (const action of old) {
    expect(await env.getHandle<typeof onboarding>(action.workflowId).result()).toMatchObject({
      status: "expired",
    });
  }
});
