/**
 * Issue 9, items 2 and 9: stored events read back whatever they hold. A deeply nested stored
 * payload made `GET …/history` answer 500 forever (recursion + JSON.stringify); a user field named
 * `stack` vanished from history (every `stack` key was deleted, not only failures' stacks).
 */
import { describe, expect, it } from "vitest";
import { fromFailure, MAX_CAUSE_DEPTH, withoutStacks } from "../../../sdk/common/failures";
import { rawJson, stringifyWithRaw } from "../../../src/execution/raw-json";
import { wireEventJson } from "../../../src/history/wire";

const TS = Date.UTC(2026, 0, 1);

function event(attributes: Record<string, unknown>, type = "WorkflowExecutionStarted") {
  return JSON.parse(wireEventJson(7, type, TS, JSON.stringify(attributes))) as {
    eventId: number;
    eventType: string;
    timestamp: string;
    attributes: Record<string, unknown>;
  };
}

describe("wireEventJson", () => {
  it("keeps API.md's shape: payload text becomes JSON values, randomSeed is hidden", () => {
    const e = event({
      workflowType: "w",
      input: JSON.stringify({ a: 1 }),
      memo: JSON.stringify({ m: true }),
      randomSeed: 42,
    });
    expect(e).toEqual({
      eventId: 7,
      eventType: "WorkflowExecutionStarted",
      timestamp: "2026-01-01T00:00:00.000Z",
      attributes: { workflowType: "w", input: { a: 1 }, memo: { m: true } },
    });
  });

  it("keeps a user's fields named stack in inputs, results and failure details", () => {
    const input = { stack: "mine", nested: [{ stack: [1, 2] }] };
    expect(event({ input: JSON.stringify(input) }).attributes.input).toEqual(input);
    const completed = event({ seq: 1, result: JSON.stringify(input) }, "ActivityTaskCompleted");
    expect(completed.attributes.result).toEqual(input);
    const failed = event(
      {
        seq: 1,
        failure: {
          message: "m",
          type: "T",
          stack: "Error: m\n    at x",
          details: { stack: "user data" },
          cause: { message: "c", type: "C", stack: "Error: c\n    at y" },
        },
      },
      "ActivityTaskFailed",
    );
    expect(failed.attributes.failure).toEqual({
      message: "m",
      type: "T",
      details: { stack: "user data" },
      cause: { message: "c", type: "C" },
    });
    const started = event(
      { seq: 1, lastFailure: { message: "m", type: "T", stack: "s" } },
      "ActivityTaskStarted",
    );
    expect(started.attributes.lastFailure).toEqual({ message: "m", type: "T" });
  });

  it("reads back a payload nested 100,000 deep (spliced as text, never re-serialized)", () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const text = wireEventJson(1, "WorkflowExecutionStarted", TS, JSON.stringify({ input: deep }));
    expect(text).toContain(deep);
    expect(() => JSON.parse(text)).not.toThrow();
  });

  it("shows deep failure details as a note instead of failing", () => {
    const stored = `{"seq":1,"failure":{"message":"m","type":"T","details":${"[".repeat(100_000)}1${"]".repeat(100_000)}}}`;
    const e = JSON.parse(wireEventJson(1, "ActivityTaskFailed", TS, stored)) as {
      attributes: { failure: unknown };
    };
    expect(e.attributes.failure).toMatch(/nested deeper than 100/);
  });

  it("shows a stored payload that is not JSON as a string instead of answering 500", () => {
    const e = event({ seq: 1, result: "not json{" }, "ActivityTaskCompleted");
    expect(e.attributes.result).toBe("not json{");
  });
});

describe("stored failures and results", () => {
  it("revive and lose stacks without recursion, cutting a huge cause chain", () => {
    let info = { message: "m0", type: "T", stack: "s" } as {
      message: string;
      type: string;
      stack?: string;
      cause?: unknown;
    };
    for (let i = 1; i < 100_000; i++)
      info = { message: `m${i}`, type: "T", stack: "s", cause: info };
    const revived = fromFailure(info as never);
    let depth = 0;
    for (let e: unknown = revived; e; e = (e as { cause?: unknown }).cause) depth++;
    expect(depth).toBe(MAX_CAUSE_DEPTH);
    const shown = withoutStacks(info as never);
    expect(JSON.stringify(shown)).not.toContain('"stack"');
  });

  it("stringifyWithRaw splices deep stored text and leaves look-alike user strings alone", () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const body = stringifyWithRaw({ status: "Completed", result: rawJson(deep), note: "x:0" });
    expect(body).toBe(`{"status":"Completed","result":${deep},"note":"x:0"}`);
    expect(stringifyWithRaw({ result: rawJson("nope{") })).toBe('{"result":"nope{"}');
  });
});
