import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { utf8Bytes } from "../../../src/common/payload-size";
import {
  chunkBatches,
  OUTBOX_MAX_BACKOFF_MS,
  outboxBackoffMs,
  QUEUE_BATCH_LIMITS,
} from "../../../src/execution/outbox-policy";

describe("outboxBackoffMs", () => {
  it("doubles from 1 s per failed attempt and stops at 5 minutes", () => {
    expect([1, 2, 3, 4, 5].map(outboxBackoffMs)).toEqual([1000, 2000, 4000, 8000, 16_000]);
    expect(outboxBackoffMs(9)).toBe(256_000);
    expect(outboxBackoffMs(10)).toBe(OUTBOX_MAX_BACKOFF_MS);
    expect(outboxBackoffMs(10_000)).toBe(5 * 60_000);
    expect(outboxBackoffMs(0)).toBe(1000);
  });
});

describe("chunkBatches", () => {
  it("splits 1,000 small messages into 10 batches of 100", () => {
    const batches = chunkBatches(new Array(1000).fill(300));
    expect(batches).toHaveLength(10);
    expect(batches.every(([a, b]) => b - a === 100)).toBe(true);
  });

  it("cuts by bytes before the count: 10 messages of 60 KB go 4 + 4 + 2", () => {
    const batches = chunkBatches(new Array(10).fill(60_000));
    expect(batches).toEqual([
      [0, 4],
      [4, 8],
      [8, 10],
    ]);
  });

  it("gives a message too big for any batch a batch of its own", () => {
    expect(chunkBatches([10, 300_000, 10])).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    expect(chunkBatches([])).toEqual([]);
  });

  it("covers every message once, in order, within both limits (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 140_000 }), { maxLength: 400 }), (sizes) => {
        const batches = chunkBatches(sizes);
        let next = 0;
        for (const [a, b] of batches) {
          expect(a).toBe(next);
          expect(b).toBeGreaterThan(a);
          next = b;
          const count = b - a;
          const bytes = sizes
            .slice(a, b)
            .reduce((t, s) => t + s + QUEUE_BATCH_LIMITS.overheadBytes, 0);
          expect(count).toBeLessThanOrEqual(QUEUE_BATCH_LIMITS.maxMessages);
          if (count > 1) expect(bytes).toBeLessThanOrEqual(QUEUE_BATCH_LIMITS.maxBytes);
        }
        expect(next).toBe(sizes.length);
      }),
      { numRuns: 300 },
    );
  });

  it("counts bytes as UTF-8", () => {
    expect(utf8Bytes("abc")).toBe(3);
    expect(utf8Bytes("é")).toBe(2);
    expect(utf8Bytes("日本")).toBe(6);
  });
});
