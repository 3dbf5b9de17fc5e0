/**
 * `eventually` (test/helpers.ts) evicts nothing once it has given up. vi.waitFor rejects at its
 * timeout without waiting for the check under way; that check's eviction (cold project) used to
 * land in the next test and abort its objects mid-request.
 */
import { expect, it } from "vitest";
import { coldEvictions, eventually } from "../helpers";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it("a check still under way when eventually times out evicts nothing afterwards", async () => {
  await sleep(250); // past the helper's minimum gap between evictions (200 ms)
  const before = coldEvictions.done;
  let checks = 0;
  const slowFailingCheck = async () => {
    checks += 1;
    await sleep(300); // outlives the 100 ms timeout below
    throw new Error("not yet");
  };
  await expect(eventually(slowFailingCheck, 100)).rejects.toThrow();
  await sleep(400); // the check fails now, after eventually gave up
  expect(checks).toBe(1);
  expect(coldEvictions.done).toBe(before);
});
