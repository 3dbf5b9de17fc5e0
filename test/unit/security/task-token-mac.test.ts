import { describe, expect, it } from "vitest";
import { encodeToken } from "../../../src/execution/addressing";
import {
  DEV_TOKEN_SECRET,
  signTaskToken,
  tokenSecrets,
  verifyTaskToken,
} from "../../../src/security/task-token-mac";

const fields = {
  namespace: "default",
  workflowId: "wf~with/odd chars",
  runId: "0b7d2c1e-6f0a-4f7e-9d4b-2b8f7a1c9e00",
  seq: 3,
  attempt: 2,
};
const env = { SUNDIAL_TOKEN_SECRET: "s1" };

describe("task token MAC", () => {
  it("round-trips every field", async () => {
    const token = await signTaskToken(env, encodeToken(fields));
    expect(await verifyTaskToken(env, token)).toEqual({ ok: true, token: fields });
  });

  it("refuses each altered field, a flipped signature character and a truncated signature", async () => {
    const token = await signTaskToken(env, encodeToken(fields));
    const parts = token.split("~");
    const altered = [
      ["other", 0],
      ["wf2", 1],
      ["1b7d2c1e-6f0a-4f7e-9d4b-2b8f7a1c9e00", 2],
      ["4", 3],
      ["3", 4],
    ] as const;
    for (const [value, i] of altered) {
      const copy = [...parts];
      copy[i] = value;
      expect(await verifyTaskToken(env, copy.join("~"))).toMatchObject({
        ok: false,
        refusal: "Forged",
      });
    }
    const mac = parts[5]!;
    const flipped = `${parts.slice(0, 5).join("~")}~${mac[0] === "A" ? "B" : "A"}${mac.slice(1)}`;
    expect(await verifyTaskToken(env, flipped)).toMatchObject({ ok: false, refusal: "Forged" });
    expect(await verifyTaskToken(env, token.slice(0, -2))).toMatchObject({
      ok: false,
      refusal: "Forged",
    });
    expect(await verifyTaskToken(env, encodeToken(fields))).toEqual({
      ok: false,
      reason: "it carries no signature",
      refusal: "Forged",
    });
  });

  it("accepts the previous secret during a rotation, signs with the new one", async () => {
    const old = await signTaskToken(env, encodeToken(fields));
    const rotated = { SUNDIAL_TOKEN_SECRET: "s2", SUNDIAL_TOKEN_SECRET_PREVIOUS: "s1" };
    expect((await verifyTaskToken(rotated, old)).ok).toBe(true);
    const fresh = await signTaskToken(rotated, encodeToken(fields));
    expect((await verifyTaskToken({ SUNDIAL_TOKEN_SECRET: "s2" }, fresh)).ok).toBe(true);
    expect((await verifyTaskToken({ SUNDIAL_TOKEN_SECRET: "s2" }, old)).ok).toBe(false);
  });

  it("uses the public dev secret only with auth disabled; deployed without a secret: none at all", async () => {
    expect(tokenSecrets({ SUNDIAL_AUTH: "disabled" })).toEqual([DEV_TOKEN_SECRET]);
    expect(tokenSecrets({})).toBeNull();
    expect(tokenSecrets({ SUNDIAL_AUTH: "required" })).toBeNull();
    await expect(signTaskToken({}, encodeToken(fields))).rejects.toThrow(
      /SUNDIAL_TOKEN_SECRET is not set/,
    );
    const dev = await signTaskToken({ SUNDIAL_AUTH: "disabled" }, encodeToken(fields));
    expect(await verifyTaskToken({}, dev)).toMatchObject({ ok: false, refusal: "Unverifiable" });
  });

  it("says what is wrong with a malformed token, before any MAC work", async () => {
    expect(await verifyTaskToken(env, 42)).toMatchObject({ ok: false, refusal: "Malformed" });
    expect(await verifyTaskToken(env, "x".repeat(10_000))).toMatchObject({ ok: false });
    expect(await verifyTaskToken(env, "a~b~c~d~e~f~g")).toMatchObject({
      reason: "a task token has 6 parts separated by ~",
    });
  });
});
