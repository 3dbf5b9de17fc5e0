import { describe, expect, it } from "vitest";
import { resolveRetryPolicy } from "../../../sdk/common/retry-policy";
import type { ExecutionStatus } from "../../../sdk/common/wire";
import type { StartRequest } from "../../../src/execution/rpc";
import { continuation, workflowRetry } from "../../../src/execution/run-close";
import { startDecision } from "../../../src/execution/run-start";
import type { EventAttributes } from "../../../src/history/events";

type Req = Pick<StartRequest, "workflowId" | "idReusePolicy" | "idConflictPolicy" | "signal">;
const req = (over: Partial<Req> = {}): Req => ({
  workflowId: "w",
  idReusePolicy: "AllowDuplicate",
  idConflictPolicy: "Fail",
  ...over,
});
const current = (status: ExecutionStatus) => ({ run_id: "r1", status });

describe("startDecision (id reuse and conflict policy)", () => {
  it("starts when the id has no run", () => {
    expect(startDecision(undefined, req({ idReusePolicy: "RejectDuplicate" }))).toEqual({
      kind: "start",
      terminate: false,
    });
  });

  it("on a running workflow: terminate-if-running, signal-with-start, use-existing, else AlreadyStarted", () => {
    const running = current("Running");
    expect(startDecision(running, req({ idReusePolicy: "TerminateIfRunning" }))).toEqual({
      kind: "start",
      terminate: true,
    });
    // TerminateIfRunning wins over a signal: the signal goes to the new run.
    expect(
      startDecision(running, req({ idReusePolicy: "TerminateIfRunning", signal: { name: "s" } }))
        .kind,
    ).toBe("start");
    expect(startDecision(running, req({ signal: { name: "s" } }))).toEqual({
      kind: "signal",
      runId: "r1",
    });
    expect(startDecision(running, req({ idConflictPolicy: "UseExisting" }))).toEqual({
      kind: "existing",
      runId: "r1",
    });
    const d = startDecision(running, req());
    expect(d).toMatchObject({ kind: "reject", error: { code: "AlreadyStarted" } });
    expect(d.kind === "reject" && d.error.message).toContain("already running (run r1)");
  });

  it("on a closed workflow: reuse per idReusePolicy", () => {
    const statuses: ExecutionStatus[] = [
      "Completed",
      "Failed",
      "Canceled",
      "Terminated",
      "TimedOut",
    ];
    for (const status of statuses) {
      expect(startDecision(current(status), req()).kind).toBe("start");
      expect(startDecision(current(status), req({ idReusePolicy: "RejectDuplicate" })).kind).toBe(
        "reject",
      );
      expect(
        startDecision(current(status), req({ idReusePolicy: "AllowDuplicateFailedOnly" })).kind,
      ).toBe(status === "Completed" ? "reject" : "start");
      expect(startDecision(current(status), req({ idReusePolicy: "TerminateIfRunning" }))).toEqual({
        kind: "start",
        terminate: false,
      });
    }
  });
});

const policy = resolveRetryPolicy({
  initialInterval: 1000,
  backoffCoefficient: 2,
  maximumAttempts: 3,
});
const started = (over: Partial<EventAttributes["WorkflowExecutionStarted"]> = {}) => ({
  workflowType: "wf",
  input: '"in"',
  taskQueue: "default",
  attempt: 1,
  firstExecutionRunId: "first",
  randomSeed: 1,
  ...over,
});
const run = {
  run_id: "r2",
  workflow_type: "wf",
  task_queue: "default",
  attempt: 1,
  memo: '{"m":1}',
  search_attributes: null,
  parent: '{"namespace":"default","workflowId":"p","runId":"pr","seq":1}',
};

describe("continue-as-new and workflow retry", () => {
  it("continues as new: fresh attempt, same first run, deadline, retry policy, memo and parent", () => {
    const next = continuation(
      run,
      { type: "ContinueAsNew", workflowType: "wf2", taskQueue: "q2", input: "[2]" },
      started({ retryPolicy: policy, executionDeadlineMs: 99_000, runTimeoutMs: 500 }),
      "r3",
    );
    expect(next).toEqual({
      runId: "r3",
      workflowType: "wf2",
      taskQueue: "q2",
      input: "[2]",
      attempt: 1,
      firstExecutionRunId: "first",
      continuedExecutionRunId: "r2",
      runTimeoutMs: 500,
      executionTimeoutMs: undefined,
      executionDeadlineMs: 99_000,
      retryPolicy: policy,
      memo: '{"m":1}',
      searchAttributes: undefined,
      parent: run.parent,
    });
  });

  it("retries a failed run after the backoff, with the same input and the next attempt", () => {
    const failure = { message: "boom", type: "Error" };
    expect(workflowRetry(run, failure, 0, started(), "n")).toEqual({
      retryState: "RetryPolicyNotSet",
    });
    const r = workflowRetry(
      { ...run, attempt: 2 },
      failure,
      0,
      started({ retryPolicy: policy }),
      "n",
    );
    expect(r.retryState).toBe("InProgress");
    expect(r.next).toMatchObject({
      runId: "n",
      input: '"in"',
      attempt: 3,
      startDelayMs: 2000,
      firstExecutionRunId: "first",
      parent: run.parent,
    });
    expect(
      workflowRetry({ ...run, attempt: 3 }, failure, 0, started({ retryPolicy: policy }), "n"),
    ).toEqual({
      retryState: "MaximumAttemptsReached",
    });
    expect(
      workflowRetry(
        run,
        { ...failure, nonRetryable: true },
        0,
        started({ retryPolicy: policy }),
        "n",
      ),
    ).toEqual({ retryState: "NonRetryableFailure" });
  });

  it("does not retry when the backoff reaches the execution deadline", () => {
    const s = started({ retryPolicy: policy, executionDeadlineMs: 10_000 });
    const failure = { message: "boom", type: "Error" };
    expect(workflowRetry(run, failure, 9000, s, "n")).toEqual({ retryState: "Timeout" });
    expect(workflowRetry(run, failure, 8999, s, "n").retryState).toBe("InProgress");
  });
});
