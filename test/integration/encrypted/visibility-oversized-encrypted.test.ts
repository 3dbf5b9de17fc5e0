/**
 * With encryption keys configured, a visibility row too big for a queue message is written to D1
 * directly with its memo encrypted once (the envelope already made for the message): D1 holds
 * ciphertext only, and the list decodes it to the memo (an envelope encrypted twice would decode
 * to the inner envelope, a string).
 */
import { describe, expect, it } from "vitest";
import { mode } from "../../helpers";
import { memoOf, runTagger, sentRows, storedMemo } from "../visibility-sends";

describe("an oversized visibility row with encryption keys", () => {
  it("is written encrypted, listed in plaintext, never sent to the queue", async () => {
    const workflowId = `visbig-enc-${mode}-${crypto.randomUUID()}`;
    await runTagger(workflowId, 200_000);
    expect(sentRows(workflowId)).toEqual([]);
    const stored = await storedMemo(workflowId);
    expect(stored).toMatch(/^~sd1\./);
    expect(stored).not.toContain(memoOf(16).pad);
  });
});
