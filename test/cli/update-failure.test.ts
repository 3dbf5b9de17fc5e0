/**
 * @module `sundial workflow update` when the update was accepted but its handler threw: the API's
 * `200 {"updateId", "failure"}` (API.md) prints the failure and exits 6, with `--json` too.
 */
import { afterEach, describe, it } from "vitest";
import { type FakeReply, type FakeServer, runCli, startFakeServer } from "./harness.mjs";

let fake: FakeServer | undefined;

afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

const failed: FakeReply = {
  status: 200,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({
    updateId: "u1",
    failure: { message: "too late to extend", type: "Refused", nonRetryable: true },
  }),
};

describe("sundial workflow update", () => {
  it("prints a failed update's failure and exits 6", async ({ expect }) => {
    fake = await startFakeServer(() => failed);
    const base = ["--address", fake.address, "workflow", "update", "w1", "extend"];
    const text = await runCli([...base, "--update-id", "u1"]);
    expect(text.code).toBe(6);
    expect(text.stderr).toContain("update extend (u1) failed: Refused: too late to extend");
    const json = await runCli(["--json", ...base]);
    expect(json.code).toBe(6);
    expect(JSON.parse(json.stdout)).toEqual({
      updateId: "u1",
      failure: { message: "too late to extend", type: "Refused", nonRetryable: true },
    });
  });
});
