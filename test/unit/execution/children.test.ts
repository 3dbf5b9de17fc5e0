import { describe, expect, it } from "vitest";
import {
  childClosedEvents,
  commandMessage,
  parentCloseMessages,
  parentReport,
  replyOutcome,
} from "../../../src/execution/children";
import type { ChildRow } from "../../../src/execution/rows";
import type { OutboxMessage } from "../../../src/execution/rpc";

const identity = { namespace: "ns", workflowId: "parent" };
const child = (over: Partial<ChildRow> = {}): ChildRow => ({
  run_id: "pr",
  seq: 4,
  workflow_id: "kid",
  workflow_type: "childWf",
  child_run_id: null,
  state: "Initiated",
  parent_close_policy: "Terminate",
  ...over,
});

describe("parent close policy", () => {
  it("terminates, cancels (deduplicated by request id) or abandons each open child", () => {
    const out = parentCloseMessages(identity, "pr", "Completed", [
      child({ seq: 1, workflow_id: "a", parent_close_policy: "Terminate" }),
      child({ seq: 2, workflow_id: "b", parent_close_policy: "RequestCancel" }),
      child({ seq: 3, workflow_id: "c", parent_close_policy: "Abandon" }),
    ]);
    expect(out).toEqual([
      {
        namespace: "ns",
        workflowId: "a",
        fromRunId: "pr",
        op: "terminate",
        reason: "Parent parent closed (Completed); parent close policy Terminate",
      },
      {
        namespace: "ns",
        workflowId: "b",
        fromRunId: "pr",
        op: "cancel",
        reason: "Parent parent closed (Completed)",
        requestId: "parent-close:pr:2",
      },
    ]);
  });

  it("reports a child's final outcome to its parent, without stacks; not on continue-as-new or retry", () => {
    const run = { run_id: "cr", parent: JSON.stringify({ ...identity, runId: "pr", seq: 4 }) };
    expect(
      parentReport(run, "Failed", true, { failure: { message: "m", type: "E", stack: "s" } }),
    ).toEqual({
      namespace: "ns",
      workflowId: "parent",
      fromRunId: "cr",
      op: "childClosed",
      report: {
        parentRunId: "pr",
        seq: 4,
        childRunId: "cr",
        status: "Failed",
        failure: { message: "m", type: "E" },
      },
    });
    expect(parentReport(run, "ContinuedAsNew", true, {})).toBeUndefined();
    expect(parentReport(run, "Failed", false, {})).toBeUndefined();
    expect(parentReport({ run_id: "x", parent: null }, "Completed", true, {})).toBeUndefined();
  });
});

describe("child and external replies", () => {
  const start: OutboxMessage = commandMessage(identity, "pr", {
    type: "StartChild",
    seq: 4,
    workflowId: "kid",
    workflowType: "childWf",
    input: "null",
    taskQueue: "default",
    parentClosePolicy: "Terminate",
  } as never);

  it("starts a child with a request id that deduplicates redelivery", () => {
    expect(start).toMatchObject({
      op: "startChild",
      seq: 4,
      parent: { namespace: "ns", workflowId: "parent", runId: "pr", seq: 4 },
      request: { workflowId: "kid", requestId: "child:pr:4", idConflictPolicy: "Fail" },
    });
  });

  it("records the start reply once, while the child is Initiated", () => {
    expect(replyOutcome(start, { ok: true, runId: "c1", started: true }, child())).toEqual({
      events: [
        {
          eventType: "ChildWorkflowExecutionStarted",
          attributes: { seq: 4, workflowId: "kid", runId: "c1" },
        },
      ],
      child: { state: "Started", runId: "c1" },
    });
    const refused = replyOutcome(
      start,
      { ok: false, error: { code: "AlreadyStarted", message: "x" } },
      child(),
    );
    expect(refused.events[0]).toMatchObject({
      eventType: "StartChildWorkflowExecutionFailed",
      attributes: { cause: "WorkflowExecutionAlreadyStarted" },
    });
    expect(refused.child).toEqual({ state: "Closed" });
    expect(
      replyOutcome(start, { ok: true, runId: "c1", started: true }, child({ state: "Closed" })),
    ).toEqual({ events: [] });
  });

  it("records external signal and cancel outcomes", () => {
    const signal = commandMessage(identity, "pr", {
      type: "SignalExternal",
      seq: 7,
      workflowId: "other",
      signalName: "go",
      input: "1",
    } as never);
    expect(replyOutcome(signal, { ok: true }, undefined).events).toEqual([
      { eventType: "ExternalWorkflowExecutionSignaled", attributes: { seq: 7 } },
    ]);
    const cancel = commandMessage(identity, "pr", {
      type: "CancelExternal",
      seq: 8,
      workflowId: "other",
    } as never);
    expect(
      replyOutcome(cancel, { ok: false, error: { code: "NotFound", message: "" } }, undefined)
        .events,
    ).toEqual([
      {
        eventType: "RequestCancelExternalWorkflowExecutionFailed",
        attributes: { seq: 8, cause: "ExternalWorkflowExecutionNotFound" },
      },
    ]);
  });

  it("records a child's close, with its start first when the start reply was not seen", () => {
    const report = {
      parentRunId: "pr",
      seq: 4,
      childRunId: "c1",
      status: "Completed" as const,
      result: "5",
    };
    expect(childClosedEvents(child(), report).map((e) => e.eventType)).toEqual([
      "ChildWorkflowExecutionStarted",
      "ChildWorkflowExecutionCompleted",
    ]);
    expect(
      childClosedEvents(child({ state: "Started" }), { ...report, status: "TimedOut" }),
    ).toEqual([{ eventType: "ChildWorkflowExecutionTimedOut", attributes: { seq: 4 } }]);
  });
});
