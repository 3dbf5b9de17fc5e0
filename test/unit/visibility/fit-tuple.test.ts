/**
 * A visibility row D1 could never store (its JSON past D1's 2,000,000-byte limit on a bound string)
 * is listed without its memo, then without its search attributes, instead of a write refused
 * forever (src/visibility/upsert.ts `fitTuple`). Rows that fit are untouched, to the byte.
 */
import { describe, expect, it } from "vitest";
import {
  chunkTuples,
  type EncodedVisibilityRow,
  fitTuple,
  MAX_TUPLE_BYTES,
  visibilityTuple,
} from "../../../src/visibility/upsert";

const row: EncodedVisibilityRow = {
  namespace: "default",
  workflowId: "wf-1",
  runId: "run-1",
  workflowType: "tagger",
  status: "Running",
  startTime: "2026-01-01T00:00:00.000Z",
  closeTime: null,
  executionTime: null,
  taskQueue: "default",
  historyLength: 3,
  memo: null,
  searchAttributes: {},
  version: 3,
};

const bytes = (s: string) => new TextEncoder().encode(s).byteLength;

/** A memo as stored (JSON text) whose row JSON is about `n` bytes: quotes take 4 bytes there. */
function memoOfQuotes(n: number): string {
  return JSON.stringify({ pad: '"'.repeat(Math.ceil(n / 4)) });
}

describe("fitTuple", () => {
  it("leaves a row that fits as it is, up to the limit to the byte", () => {
    const small = visibilityTuple({ ...row, memo: '{"a":1}' });
    expect(fitTuple(small)).toEqual({
      json: JSON.stringify(small),
      bytes: bytes(JSON.stringify(small)),
      shrunk: null,
    });
    const base = bytes(JSON.stringify(visibilityTuple({ ...row, memo: "" })));
    const atLimit = visibilityTuple({ ...row, memo: "x".repeat(MAX_TUPLE_BYTES - base) });
    expect(fitTuple(atLimit).bytes).toBe(MAX_TUPLE_BYTES);
    expect(fitTuple(atLimit).shrunk).toBeNull();
    const over = visibilityTuple({ ...row, memo: "x".repeat(MAX_TUPLE_BYTES - base + 1) });
    expect(fitTuple(over).shrunk).toBe("memo");
  });

  it("lists a row whose memo of quotes is 4x in its JSON without the memo, attributes kept", () => {
    const t = visibilityTuple({
      ...row,
      memo: memoOfQuotes(2_400_000),
      searchAttributes: {
        Stage: { type: "keyword", value: "review" },
        Score: { type: "int", value: 7 },
      },
    });
    expect(bytes(JSON.stringify(t))).toBeGreaterThan(2_000_000);
    const fit = fitTuple(t);
    expect(fit.shrunk).toBe("memo");
    expect(fit.bytes).toBeLessThanOrEqual(MAX_TUPLE_BYTES);
    const back = JSON.parse(fit.json) as unknown[];
    expect(back[12]).toBeNull();
    expect(back.slice(0, 12)).toEqual(t.slice(0, 12));
    expect(back.slice(13)).toEqual(t.slice(13));
    // The caller's tuple is not changed.
    expect(t[12]).not.toBeNull();
  });

  it("drops the search attributes too when the row is still too big without its memo", () => {
    const t = visibilityTuple({
      ...row,
      memo: memoOfQuotes(2_400_000),
      // 20 text attributes of 60,000 quotes: 1.2 M characters, each quote 2 bytes in the
      // attributes' JSON text and 4 in the row's, besides the index rows.
      searchAttributes: Object.fromEntries(
        Array.from({ length: 20 }, (_, i) => [
          `Notes${i}`,
          { type: "text", value: '"'.repeat(60_000) },
        ]),
      ),
    });
    const fit = fitTuple(t);
    expect(fit.shrunk).toBe("memo and search attributes");
    expect(fit.bytes).toBeLessThanOrEqual(MAX_TUPLE_BYTES);
    const back = JSON.parse(fit.json) as unknown[];
    expect([back[12], back[13], back[15]]).toEqual([null, null, []]);
    expect(back.slice(0, 12)).toEqual(t.slice(0, 12));
  });
});

describe("chunkTuples with a row too big for D1", () => {
  it("keeps every row, in order, around a shrunk one, each chunk under D1's limit, and says which row shrank", () => {
    const small = (id: string) => visibilityTuple({ ...row, workflowId: id, memo: '{"a":1}' });
    const huge = visibilityTuple({ ...row, workflowId: "huge", memo: memoOfQuotes(2_400_000) });
    const heard: Array<[string, string]> = [];
    const chunks = chunkTuples([small("a"), huge, small("b")], (t, shrunk) =>
      heard.push([t[1], shrunk]),
    );
    expect(heard).toEqual([["huge", "memo"]]);
    const back = chunks.flatMap((c) => {
      expect(bytes(c)).toBeLessThanOrEqual(2_000_000);
      return JSON.parse(c) as unknown[][];
    });
    expect(back.map((t) => t[1])).toEqual(["a", "huge", "b"]);
  });
});
