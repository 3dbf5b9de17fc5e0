/**
 * The visibility queue's message (src/visibility/queue-message.ts) and the consumer's pure rules
 * (src/visibility/consumer.ts): a valid message becomes the row's statement tuple; anything else
 * is refused with a reason (the consumer acks and logs it); retry delays grow and stay within
 * Cloudflare's limits; the D1 parameter is split before D1's 2 MB string limit.
 */
import { describe, expect, it } from "vitest";
import {
  isVisibilityQueue,
  pastRetention,
  VISIBILITY_RETRY_MAX_S,
  visibilityRetryDelaySeconds,
} from "../../../src/visibility/consumer";
import { parseVisibilityMessage } from "../../../src/visibility/queue-message";
import {
  chunkTuples,
  type EncodedVisibilityRow,
  MAX_CHUNK_BYTES,
  visibilityTuple,
} from "../../../src/visibility/upsert";

const row: EncodedVisibilityRow & { executionTime: null; closeTime: string; memo: string } = {
  namespace: "default",
  workflowId: "wf-1",
  runId: "run-1",
  workflowType: "steps",
  status: "Completed",
  startTime: "2026-01-01T00:00:00.000Z",
  closeTime: "2026-01-01T00:00:01.000Z",
  executionTime: null,
  taskQueue: "default",
  historyLength: 7,
  memo: "~sd1.aes.Zm9v",
  searchAttributes: { Stage: { type: "keyword", value: ["a", "b"] } },
  parent: { workflowId: "p", runId: "pr" },
  version: 30,
};

describe("parseVisibilityMessage", () => {
  it("turns a valid message into the row's tuple, memo as sent", () => {
    const { tuple, deleteAtMs } = parseVisibilityMessage({ v: 1, row, deleteAtMs: 5 });
    expect(deleteAtMs).toBe(5);
    expect(tuple).toEqual([
      "default",
      "wf-1",
      "run-1",
      "steps",
      "Completed",
      Date.parse(row.startTime),
      Date.parse(row.closeTime),
      null,
      "default",
      7,
      "p",
      "pr",
      "~sd1.aes.Zm9v",
      JSON.stringify(row.searchAttributes),
      30,
      [
        ["Stage", 0, "keyword", "a", null],
        ["Stage", 1, "keyword", "b", null],
      ],
    ]);
  });

  it.each([
    ["null", null],
    ["a string", "row"],
    ["an array", [1]],
    ["another version", { v: 2, row }],
    ["no row", { v: 1 }],
    ["a row array", { v: 1, row: [] }],
    ["an unknown status", { v: 1, row: { ...row, status: "Sleeping" } }],
    ["a numeric namespace", { v: 1, row: { ...row, namespace: 7 } }],
    ["an empty workflow id", { v: 1, row: { ...row, workflowId: "" } }],
    ["a huge run id", { v: 1, row: { ...row, runId: "r".repeat(5000) } }],
    ["a bad start time", { v: 1, row: { ...row, startTime: "yesterday" } }],
    ["no start time", { v: 1, row: { ...row, startTime: null } }],
    ["a numeric close time", { v: 1, row: { ...row, closeTime: 5 } }],
    ["a fractional version", { v: 1, row: { ...row, version: 1.5 } }],
    ["a negative history length", { v: 1, row: { ...row, historyLength: -1 } }],
    ["a plaintext (object) memo", { v: 1, row: { ...row, memo: { secret: 1 } } }],
    ["a bad parent", { v: 1, row: { ...row, parent: { workflowId: "p" } } }],
    ["search attributes as a string", { v: 1, row: { ...row, searchAttributes: "x" } }],
    [
      "a bad search attribute",
      { v: 1, row: { ...row, searchAttributes: { N: { type: "int", value: "x" } } } },
    ],
    ["a string deleteAtMs", { v: 1, row, deleteAtMs: "soon" }],
  ])("refuses %s", (_what, body) => {
    expect(() => parseVisibilityMessage(body)).toThrow(Error);
  });

  it("accepts absent optional fields", () => {
    const { memo: _m, parent: _p, searchAttributes: _s, ...bare } = row;
    const { tuple, deleteAtMs } = parseVisibilityMessage({ v: 1, row: bare });
    expect(deleteAtMs).toBeNull();
    expect(tuple[12]).toBeNull();
    expect(tuple[10]).toBeNull();
    expect(tuple[13]).toBeNull();
  });
});

describe("consumer rules", () => {
  it("retry delays double from 5 s and stop at 5 min (Cloudflare allows up to 12 h)", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 100].map(visibilityRetryDelaySeconds)).toEqual([
      5, 10, 20, 40, 80, 160, 300, 300,
    ]);
    expect(VISIBILITY_RETRY_MAX_S).toBeLessThanOrEqual(43_200);
    expect(visibilityRetryDelaySeconds(0)).toBe(5);
  });

  it("drops a row its retention deletes within a minute (half the retention when shorter)", () => {
    const close = 1_000_000;
    const day = 86_400_000;
    expect(pastRetention(null, close, close + 10 * day)).toBe(false);
    expect(pastRetention(close + day, close, close + day - 60_001)).toBe(false);
    expect(pastRetention(close + day, close, close + day - 60_000)).toBe(true);
    expect(pastRetention(close + day, close, close + 2 * day)).toBe(true);
    // A 10 s retention: 5 s of margin, so its close is listed at once.
    expect(pastRetention(close + 10_000, close, close + 100)).toBe(false);
    expect(pastRetention(close + 10_000, close, close + 5_000)).toBe(true);
    // No close time (never sent so): the deletion time alone.
    expect(pastRetention(close, null, close - 1)).toBe(false);
    expect(pastRetention(close, null, close)).toBe(true);
  });

  it("routes by the queue's name, SUNDIAL_VISIBILITY_QUEUE overriding the default", () => {
    expect(isVisibilityQueue("sundial-visibility", {})).toBe(true);
    expect(isVisibilityQueue("sundial-activities", {})).toBe(false);
    expect(isVisibilityQueue("vis-prod", { SUNDIAL_VISIBILITY_QUEUE: "vis-prod" })).toBe(true);
    expect(isVisibilityQueue("sundial-visibility", { SUNDIAL_VISIBILITY_QUEUE: "vis-prod" })).toBe(
      false,
    );
  });

  it("splits the D1 parameter below D1's 2 MB string limit, keeping every row whole and in order", () => {
    const big = visibilityTuple({ ...row, memo: "m".repeat(120_000) });
    const tuples = Array.from({ length: 30 }, (_, i) => {
      const t = [...big] as typeof big;
      t[1] = `wf-${i}`;
      return t;
    });
    const chunks = chunkTuples(tuples);
    expect(chunks.length).toBeGreaterThan(1);
    const back = chunks.flatMap((c) => {
      expect(new TextEncoder().encode(c).byteLength).toBeLessThanOrEqual(MAX_CHUNK_BYTES);
      return JSON.parse(c) as unknown[][];
    });
    expect(back.map((t) => t[1])).toEqual(tuples.map((t) => t[1]));
    expect(chunkTuples([])).toEqual([]);
  });
});
