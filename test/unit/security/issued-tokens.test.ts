/**
 * The in-process reporter's own eager tokens (issue 14: no HMAC sign and verify per step when the
 * engine's own consumer runs the task): only the exact strings issued are known; a malformed body
 * is never issued (it would be signed instead); the stub is reused along an execution's chain and
 * made anew after a call through it threw.
 */
import { describe, expect, it } from "vitest";
import type { ExecutionStub, TaskToken } from "../../../src/execution/addressing";
import { encodeToken } from "../../../src/execution/addressing";
import { IssuedTokens } from "../../../src/security/issued-tokens";

const RUN = "0b8f5c1e-2f4a-4c5e-9a57-3c2d1e0f9a8b";
const body = (workflowId: string, seq: number) =>
  encodeToken({ namespace: "default", workflowId, runId: RUN, seq, attempt: 1 });

function stubs() {
  const made: TaskToken[] = [];
  const stubFor = (t: TaskToken) => {
    made.push(t);
    return { id: made.length } as unknown as ExecutionStub;
  };
  return { made, stubFor };
}

describe("IssuedTokens", () => {
  it("knows exactly the tokens it issued, parsed", () => {
    const issued = new IssuedTokens();
    const { stubFor } = stubs();
    expect(issued.issue(body("wf", 2))).toBe(true);
    expect(issued.lookup(body("wf", 2), stubFor)?.token).toEqual({
      namespace: "default",
      workflowId: "wf",
      runId: RUN,
      seq: 2,
      attempt: 1,
    });
    expect(issued.lookup(body("wf", 3), stubFor)).toBeUndefined();
    expect(issued.lookup(`${body("wf", 2)}~${"A".repeat(43)}`, stubFor)).toBeUndefined();
  });

  it("parses escaped ids (a ~, %, spaces) as the full parser does", () => {
    const issued = new IssuedTokens();
    const token = encodeToken({
      namespace: "ns/1",
      workflowId: "a~b c%",
      runId: RUN,
      seq: 7,
      attempt: 3,
    });
    expect(issued.issue(token)).toBe(true);
    expect(issued.lookup(token, stubs().stubFor)?.token).toEqual({
      namespace: "ns/1",
      workflowId: "a~b c%",
      runId: RUN,
      seq: 7,
      attempt: 3,
    });
  });

  it("does not issue a malformed body (the reporter signs it instead)", () => {
    const issued = new IssuedTokens();
    expect(issued.issue("not~a~token")).toBe(false);
    expect(issued.lookup("not~a~token", stubs().stubFor)).toBeUndefined();
  });

  it("reuses one stub along an execution's chain, and makes a new one after a failed call", () => {
    const issued = new IssuedTokens();
    const { made, stubFor } = stubs();
    for (const seq of [1, 2, 3]) issued.issue(body("wf", seq));
    issued.issue(body("other", 1));
    const a = issued.lookup(body("wf", 1), stubFor)!.stub;
    expect(issued.lookup(body("wf", 2), stubFor)!.stub).toBe(a);
    expect(made).toHaveLength(1);
    expect(issued.lookup(body("other", 1), stubFor)!.stub).not.toBe(a);
    issued.dropStub(body("wf", 2));
    const b = issued.lookup(body("wf", 2), stubFor)!.stub;
    expect(b).not.toBe(a);
    expect(made).toHaveLength(3);
  });

  it("stays bounded", () => {
    const issued = new IssuedTokens(3);
    for (const seq of [1, 2, 3, 4]) issued.issue(body("wf", seq));
    expect(issued.lookup(body("wf", 4), stubs().stubFor)).toBeDefined();
    expect(issued.lookup(body("wf", 1), stubs().stubFor)).toBeUndefined();
  });
});
