import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ApplicationFailure, type FailureInfo, toFailure } from "../../../sdk/common/failures";
import { jsonDepthExceeds, MAX_JSON_DEPTH } from "../../../sdk/common/json-depth";
import { encodeToken } from "../../../src/execution/addressing";
import {
  boundFailure,
  FAILURE_MAX_CAUSES,
  FAILURE_TEXT_MAX_CHARS,
  failureFromReport,
} from "../../../src/execution/failure-bounds";
import { parseTaskToken, payloadProblem } from "../../../src/execution/report-validation";
import { requestKey, startRequestKeys } from "../../../src/execution/request-keys";
import { mergeSearchAttributes } from "../../../src/execution/search-attribute-upsert";

const MB = 1024 * 1024;
const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v)).byteLength;

describe("jsonDepthExceeds", () => {
  it("counts array and object levels, not brackets inside strings", () => {
    expect(jsonDepthExceeds(`${"[".repeat(100)}${"]".repeat(100)}`, 100)).toBe(false);
    expect(jsonDepthExceeds(`${"[".repeat(101)}${"]".repeat(101)}`, 100)).toBe(true);
    expect(jsonDepthExceeds(`{"a":{"b":[1]}}`, 2)).toBe(true);
    expect(jsonDepthExceeds(`{"a":"[[[[[[[[","b":"\\"[[[["}`, 1)).toBe(false);
  });

  it("scans 1 MB of adversarial input in one pass", () => {
    expect(jsonDepthExceeds("[".repeat(MB), MAX_JSON_DEPTH)).toBe(true);
    expect(jsonDepthExceeds(`"${"\\\\[".repeat(MB / 3)}"`, MAX_JSON_DEPTH)).toBe(false);
  });
});

describe("payloadProblem", () => {
  it("accepts JSON within the limits", () => {
    expect(payloadProblem('{"ok":[1,2]}', 1000, "activity result")).toBeUndefined();
  });

  it("names what is wrong: not JSON, too large, too deep, not text", () => {
    expect(payloadProblem("not json", 1000, "activity result")).toMatchObject({
      type: "InvalidPayload",
      message: "The activity result is not valid JSON",
    });
    expect(payloadProblem(`"${"x".repeat(2000)}"`, 1000, "activity result")?.type).toBe(
      "PayloadTooLarge",
    );
    const deep = `${"[".repeat(101)}${"]".repeat(101)}`;
    expect(payloadProblem(deep, MB, "heartbeat details")?.type).toBe("PayloadTooDeep");
    expect(payloadProblem(42, MB, "activity result")?.type).toBe("InvalidPayload");
  });
});

describe("parseTaskToken", () => {
  const token = {
    namespace: "default",
    workflowId: "order~42/é",
    runId: crypto.randomUUID(),
    seq: 3,
    attempt: 2,
  };

  it("reads back what the engine hands out", () => {
    expect(parseTaskToken(encodeToken(token))).toEqual({ ok: true, token });
  });

  it.each([
    ["not a string", 42],
    ["too few parts", "a~b~c"],
    ["bad URI encoding", `default~%E0%A4%A~${token.runId}~1~1`],
    ["an empty workflow id", `default~~${token.runId}~1~1`],
    ["a run id that is not a UUID", "default~wf~run-1~1~1"],
    ["a seq that is not a counter", `default~wf~${token.runId}~1e3~1`],
    ["attempt 0", `default~wf~${token.runId}~1~0`],
    ["a huge token", `default~${"w".repeat(5000)}~${token.runId}~1~1`],
  ])("refuses %s with a reason", (_name, bad) => {
    const parsed = parseTaskToken(bad);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason.length).toBeGreaterThan(10);
  });
});

describe("boundFailure", () => {
  it("keeps a small failure as it is", () => {
    const f = toFailure(ApplicationFailure.nonRetryable("declined", "CardDeclined", { code: 51 }));
    expect(boundFailure(f, MB)).toEqual(f);
  });

  it("cuts long messages and stacks with a visible marker, never rejecting them", () => {
    const err = new Error("m".repeat(3 * MB));
    err.stack = "s".repeat(3 * MB);
    const f = boundFailure(toFailure(err), MB);
    expect(f.type).toBe("Error");
    expect(f.message.startsWith("m".repeat(100))).toBe(true);
    expect(f.message).toContain(`… [truncated ${3 * MB - FAILURE_TEXT_MAX_CHARS} characters]`);
    expect(f.stack).toContain("[truncated");
    expect(bytes(f)).toBeLessThan(MB);
  });

  it("turns details that do not fit into a non-retryable PayloadTooLarge keeping the original", () => {
    const f = toFailure(
      ApplicationFailure.retryable("boom", "Boom", { blob: "x".repeat(200_000) }),
    );
    const bounded = boundFailure(f, 64 * 1024);
    expect(bounded).toMatchObject({
      type: "PayloadTooLarge",
      nonRetryable: true,
      cause: { type: "Boom", message: "boom" },
    });
    expect(bounded.message).toContain('Failure "Boom"');
    expect(bounded.cause?.details).toBeUndefined();
  });

  it("refuses details that are not JSON or nest too deep", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(boundFailure({ message: "m", type: "T", details: cyclic }, MB)).toMatchObject({
      type: "PayloadTooLarge",
      message: expect.stringContaining("not JSON"),
    });
    let deep: unknown = 1;
    for (let i = 0; i < 150; i++) deep = [deep];
    expect(boundFailure({ message: "m", type: "T", details: deep }, MB).type).toBe(
      "PayloadTooLarge",
    );
  });

  it("caps the cause chain and drops unknown fields and bad enum values", () => {
    let raw: Record<string, unknown> = { message: "root", type: "Root" };
    for (let i = 0; i < 50; i++) raw = { message: `m${i}`, type: "T", cause: raw, junk: i };
    raw.source = "Nonsense";
    raw.retryState = "Whatever";
    const f = boundFailure(raw, MB);
    let depth = 0;
    for (let c: FailureInfo | undefined = f; c?.cause; c = c.cause) depth++;
    expect(depth).toBe(FAILURE_MAX_CAUSES);
    expect(f).not.toHaveProperty("junk");
    expect(f.source).toBeUndefined();
    expect(f.retryState).toBeUndefined();
  });

  it("always fits the limit, whatever it is given", () => {
    fc.assert(
      fc.property(fc.anything(), fc.integer({ min: 4096, max: 200_000 }), (raw, max) => {
        const f = boundFailure(raw, max);
        expect(typeof f.message).toBe("string");
        expect(typeof f.type).toBe("string");
        expect(bytes(f)).toBeLessThanOrEqual(max);
      }),
      { numRuns: 300 },
    );
  });
});

describe("failureFromReport", () => {
  it("reads a reported failure, and makes an unreadable one a non-retryable InvalidPayload", () => {
    expect(failureFromReport('{"message":"m","type":"T"}', MB)).toEqual({
      message: "m",
      type: "T",
    });
    for (const bad of ["{not json", `${"[".repeat(200)}${"]".repeat(200)}`, 7]) {
      expect(failureFromReport(bad, MB)).toMatchObject({
        type: "InvalidPayload",
        nonRetryable: true,
      });
    }
  });
});

describe("mergeSearchAttributes", () => {
  const many = (n: number, prefix = "K") =>
    JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, i])));

  it("merges, and a null value removes its name", () => {
    expect(JSON.parse(mergeSearchAttributes('{"A":1,"B":"x"}', '{"B":null,"C":true}', MB))).toEqual(
      { A: 1, C: true },
    );
  });

  it("refuses an upsert past 100 names with BadSearchAttributes", () => {
    const current = mergeSearchAttributes(null, many(60), MB);
    expect(() => mergeSearchAttributes(current, many(60, "L"), MB)).toThrow(
      expect.objectContaining({ type: "BadSearchAttributes", nonRetryable: true }),
    );
    // Removing names first makes room.
    const fewer = mergeSearchAttributes(current, JSON.stringify({ K0: null, K1: null }), MB);
    expect(() => mergeSearchAttributes(fewer, many(42, "L"), MB)).not.toThrow();
  });

  it("refuses a merged set past the payload limit", () => {
    const big = JSON.stringify({ A: "x".repeat(1000), B: "y".repeat(1000) });
    expect(() => mergeSearchAttributes(null, big, 1500)).toThrow(/larger than 1500 bytes/);
  });
});

describe("request keys", () => {
  it("give starts, signals and cancels separate namespaces", () => {
    expect(requestKey("signal", "x")).not.toBe(startRequestKeys("signal:x")[0]);
    expect(startRequestKeys("signal:x")).toEqual(["start:signal:x"]);
    expect(startRequestKeys("abc")).toEqual(["start:abc", "abc"]);
  });
});
