/** @module The close notice a run sends its schedule (src/execution/close-notify.ts), and its carry-over. */
import { describe, expect, it } from "vitest";
import { closeNoticeMessage } from "../../../src/execution/close-notify";
import { continuation } from "../../../src/execution/run-close";

const identity = { namespace: "default", workflowId: "report-2026-12-01T02:00:00.000Z" };
const target = JSON.stringify({ kind: "schedule", namespace: "default", scheduleId: "report" });

describe("closeNoticeMessage", () => {
  it("reports the final close of a run with a target to its schedule", () => {
    const m = closeNoticeMessage(
      identity,
      { run_id: "r2", close_notify: target },
      "Failed",
      true,
      "x".repeat(5000),
    );
    expect(m).toMatchObject({
      op: "closeNotice",
      namespace: "default",
      workflowId: "report",
      fromRunId: "r2",
      notice: { workflowId: identity.workflowId, runId: "r2", status: "Failed" },
    });
    expect(m?.op === "closeNotice" && m.notice.failureMessage?.length).toBe(1000);
  });

  it("sends nothing for a run without a target, a continue-as-new, or a close followed by a retry", () => {
    expect(
      closeNoticeMessage(identity, { run_id: "r", close_notify: null }, "Completed", true),
    ).toBeUndefined();
    expect(
      closeNoticeMessage(identity, { run_id: "r", close_notify: target }, "ContinuedAsNew", false),
    ).toBeUndefined();
    expect(
      closeNoticeMessage(identity, { run_id: "r", close_notify: target }, "Failed", false),
    ).toBeUndefined();
  });

  it("continue-as-new keeps the target on the new run", () => {
    const run = {
      run_id: "r1",
      workflow_type: "report",
      task_queue: "default",
      attempt: 1,
      memo: null,
      search_attributes: null,
      parent: null,
      close_notify: target,
    };
    const next = continuation(
      run,
      {
        type: "ContinueAsNew",
        workflowType: "report",
        taskQueue: "default",
        input: "null",
      } as never,
      {
        workflowType: "report",
        taskQueue: "default",
        attempt: 1,
        firstExecutionRunId: "r1",
        randomSeed: 1,
      } as never,
      "r2",
    );
    expect(next.closeNotify).toBe(target);
  });
});
