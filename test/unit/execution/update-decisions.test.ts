import { describe, expect, it } from "vitest";
import { alarmRetryDelayMs, taskRetryDelayMs } from "../../../src/execution/timer-keys";
import {
  acceptedReply,
  handlerRefusal,
  queryReply,
  taskFailingReply,
  updateAdmission,
  updateOutcome,
} from "../../../src/execution/update-decisions";
import { UnknownHandlerError, UpdateRejectedError } from "../../../src/replay/errors";

const body = (reply: { body: string }) => JSON.parse(reply.body);

describe("updateAdmission", () => {
  const running = { status: "Running" as const };

  it("an object never started, or with no run, answers NotFound", () => {
    expect(
      updateAdmission({ ready: false, known: false, run: undefined, workflowId: "w" }),
    ).toEqual({ kind: "notFound" });
    // Not ready wins even over a (impossible) known id: nothing is read from missing tables.
    expect(updateAdmission({ ready: false, known: true, run: running, workflowId: "w" }).kind).toBe(
      "notFound",
    );
    expect(updateAdmission({ ready: true, known: false, run: undefined, workflowId: "w" })).toEqual(
      { kind: "notFound" },
    );
  });

  it("a repeated update id waits for its first outcome, whatever the run's status now", () => {
    const closed = { status: "Completed" as const };
    expect(updateAdmission({ ready: true, known: true, run: closed, workflowId: "w" })).toEqual({
      kind: "known",
    });
  });

  it("a closed run takes no new update: 409 FailedPrecondition naming the workflow and status", () => {
    const a = updateAdmission({
      ready: true,
      known: false,
      run: { status: "Terminated" },
      workflowId: "order-1",
    });
    expect(a.kind).toBe("refuse");
    if (a.kind !== "refuse") return;
    expect(a.reply.status).toBe(409);
    expect(body(a.reply).error).toEqual({
      code: "FailedPrecondition",
      message: 'Workflow "order-1" is Terminated: it takes no updates',
    });
  });

  it("a running run validates", () => {
    expect(updateAdmission({ ready: true, known: false, run: running, workflowId: "w" })).toEqual({
      kind: "validate",
    });
  });
});

describe("handler refusals", () => {
  it("an unknown handler or a validator's rejection answers its own message", () => {
    const unknown = handlerRefusal(new UnknownHandlerError("no update named x"), "ignored");
    expect(unknown.status).toBe(400);
    expect(body(unknown).error).toEqual({ code: "InvalidArgument", message: "no update named x" });
    const rejected = handlerRefusal(new UpdateRejectedError("too big"), "ignored");
    expect(body(rejected).error.message).toBe("too big");
  });

  it("anything else thrown is prefixed with what failed", () => {
    const r = handlerRefusal(new TypeError("boom"), 'Update "u" was rejected');
    expect(body(r).error).toEqual({
      code: "InvalidArgument",
      message: 'Update "u" was rejected: boom',
    });
    expect(body(handlerRefusal("str", 'Query "q" failed')).error.message).toBe(
      'Query "q" failed: str',
    );
  });

  it("a runtime that cannot be built (failing task) refuses queries and updates with the reason", () => {
    expect(body(taskFailingReply("queries", new Error("nd"))).error).toEqual({
      code: "FailedPrecondition",
      message: "The workflow cannot answer queries: its task is failing (nd)",
    });
    expect(body(taskFailingReply("updates", new Error("nd"))).error.message).toBe(
      "The workflow cannot take updates: its task is failing (nd)",
    );
  });

  it("a query's answer is its result, null for undefined", () => {
    expect(queryReply({ a: 1 })).toEqual({ status: 200, body: '{"result":{"a":1}}' });
    expect(queryReply(undefined)).toEqual({ status: 200, body: '{"result":null}' });
  });
});

describe("updateOutcome", () => {
  const accepted = { run_id: "r", state: "Accepted", result: null, failure: null };

  it("a completed update answers its stored result as is (spliced, not re-serialized)", () => {
    const row = { ...accepted, state: "Completed", result: '{"n":1.50}' };
    expect(updateOutcome("u1", "inc", row, "Running")).toEqual({
      status: 200,
      body: '{"result":{"n":1.50},"updateId":"u1"}',
    });
    // Also once its run has closed: the outcome was recorded first.
    expect(updateOutcome("u1", "inc", row, "Completed")).not.toBe("wait");
    expect(updateOutcome("u1", "inc", { ...row, result: null }, undefined)).toEqual({
      status: 200,
      body: '{"result":null,"updateId":"u1"}',
    });
  });

  it("a completed update whose handler threw answers 200 with the failure, stacks removed", () => {
    const failure = {
      message: "nope",
      source: "Workflow",
      stack: "Error: nope\n  at x",
      cause: { message: "root", source: "Workflow", stack: "at y" },
    };
    const row = { ...accepted, state: "Completed", failure: JSON.stringify(failure) };
    const reply = updateOutcome("u2", "inc", row, "Running");
    expect(reply).not.toBe("wait");
    if (reply === "wait") return;
    expect(reply.status).toBe(200);
    const parsed = body(reply);
    expect(parsed.updateId).toBe("u2");
    expect(parsed.failure.message).toBe("nope");
    expect(parsed.failure.stack).toBeUndefined();
    expect(parsed.failure.cause).toEqual({ message: "root", source: "Workflow" });
  });

  it("an accepted update on a running run waits; on a closed or missing run it is refused", () => {
    expect(updateOutcome("u", "inc", accepted, "Running")).toBe("wait");
    const closed = updateOutcome("u", "inc", accepted, "ContinuedAsNew");
    expect(closed).not.toBe("wait");
    if (closed === "wait") return;
    expect(closed.status).toBe(409);
    expect(body(closed).error.message).toBe(
      'The workflow closed (ContinuedAsNew) before update "inc" completed',
    );
    const gone = updateOutcome("u", "inc", accepted, undefined);
    if (gone === "wait") throw new Error("expected a refusal");
    expect(body(gone).error.message).toContain("(gone)");
  });

  it("a lost record is an internal error, not a wait", () => {
    const lost = updateOutcome("u", "inc", undefined, "Running");
    if (lost === "wait") throw new Error("expected a reply");
    expect(lost.status).toBe(500);
    expect(body(lost).error.code).toBe("Internal");
  });

  it("not completed within the wait: 202 with the id to poll again", () => {
    expect(acceptedReply("u9")).toEqual({
      status: 202,
      body: '{"updateId":"u9","status":"Accepted"}',
    });
  });
});

describe("retry delays", () => {
  it("a failed workflow task is retried after 1 s, doubling, capped at 10 min", () => {
    expect([1, 2, 3, 4].map(taskRetryDelayMs)).toEqual([1000, 2000, 4000, 8000]);
    expect(taskRetryDelayMs(10)).toBe(512_000);
    expect(taskRetryDelayMs(11)).toBe(600_000);
    expect(taskRetryDelayMs(50)).toBe(600_000);
  });

  it("a throwing alarm is retried after 1 s, doubling, capped at 5 min", () => {
    expect([1, 2, 3].map(alarmRetryDelayMs)).toEqual([1000, 2000, 4000]);
    expect(alarmRetryDelayMs(9)).toBe(256_000);
    expect(alarmRetryDelayMs(10)).toBe(300_000);
    expect(alarmRetryDelayMs(40)).toBe(300_000);
  });
});
