/**
 * A visibility row too big for a queue message (a large memo) is written to D1 by the execution
 * itself, from the row already encoded for the message (src/execution/visibility-send.ts); a row
 * that fits, to the byte, goes through the visibility queue as every other. What the queue was
 * handed is watched by a spy on the Queue binding (./visibility-sends.ts).
 *
 * The boundary is found, not guessed: a probe run of the same workflow with a small memo gives
 * each of its messages' size apart from the memo (the message is JSON: without a codec its size
 * grows byte for byte with the memo's padding). So the "at the limit" run's largest message is
 * exactly VISIBILITY_MESSAGE_MAX_BYTES and the "one byte over" run's smallest is one byte more.
 * Each run (`tagger`: search attributes from workflow code, then a signal closes it) writes two
 * rows: Running, then Completed.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { VISIBILITY_MESSAGE_MAX_BYTES } from "../../src/execution/visibility-send";
import { mode } from "../helpers";
import { memoOf, messageBytes, runTagger, sentRows, storedMemo } from "./visibility-sends";

/** SUNDIAL_ENCRYPTED_ALL runs this file encrypted: the memo is then base64 (4 bytes per 3). */
const encrypted = Boolean((env as { SUNDIAL_ENCRYPTION_KEYS?: string }).SUNDIAL_ENCRYPTION_KEYS);

/** Same length for every run (a tag of 5 characters), so only the memo changes a message's size. */
function newWorkflowId(tag: "probe" | "under" | "overs"): string {
  return `visbig-${mode}-${tag}-${crypto.randomUUID()}`;
}

let overheads: Promise<[number, number]> | undefined;
/** Each row's message size apart from the memo's padding: [smallest, largest]. */
function messageOverheads(): Promise<[number, number]> {
  overheads ??= (async () => {
    const workflowId = newWorkflowId("probe");
    const padding = 1000;
    await runTagger(workflowId, padding);
    const sizes = sentRows(workflowId).map((m) => messageBytes(m) - padding);
    expect(sizes.length).toBeGreaterThanOrEqual(2);
    return [Math.min(...sizes), Math.max(...sizes)];
  })();
  return overheads;
}

describe.skipIf(encrypted)("the queue message limit, to the byte", () => {
  it("a row exactly at the message limit goes through the queue", async () => {
    const [, largest] = await messageOverheads();
    const workflowId = newWorkflowId("under");
    await runTagger(workflowId, VISIBILITY_MESSAGE_MAX_BYTES - largest);
    const sent = sentRows(workflowId);
    expect(sent.map((m) => m.row.status)).toEqual(expect.arrayContaining(["Running", "Completed"]));
    // The queue took them: a refused send leaves the row for a retry, unlisted.
    expect(Math.max(...sent.map(messageBytes))).toBe(VISIBILITY_MESSAGE_MAX_BYTES);
  });

  it("a row one byte over is written to D1 directly, never sent, its memo stored once", async () => {
    const [smallest] = await messageOverheads();
    const workflowId = newWorkflowId("overs");
    const padding = VISIBILITY_MESSAGE_MAX_BYTES - smallest + 1;
    await runTagger(workflowId, padding);
    expect(sentRows(workflowId)).toEqual([]);
    // The memo's JSON text (no codec here), not that text encoded a second time.
    expect(await storedMemo(workflowId)).toBe(JSON.stringify(memoOf(padding)));
  });
});

describe("a visibility row far past the queue message limit", () => {
  it("a 500 KB memo is listed and described intact, its rows never sent", async () => {
    const workflowId = newWorkflowId("overs");
    await runTagger(workflowId, 500_000);
    expect(sentRows(workflowId)).toEqual([]);
    const stored = await storedMemo(workflowId);
    if (encrypted) expect(stored).toMatch(/^~sd1\./);
    else expect(stored).toBe(JSON.stringify(memoOf(500_000)));
  });
});
