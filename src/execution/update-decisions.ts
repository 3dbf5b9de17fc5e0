/**
 * @module The decisions of updates and queries, pure (state in, answer out; unit-tested in Node):
 * whether an update is admitted, what a handler's refusal answers, and what an update caller gets
 * once its update is recorded (its outcome, a closed run, or wait on).
 */
import { type FailureInfo, withoutStacks } from "../../sdk/common/failures";
import type { ExecutionStatus } from "../../sdk/common/wire";
import { UnknownHandlerError, UpdateRejectedError } from "../replay/errors";
import { errorMessage, errorReply, json } from "./replies";
import type { Reply } from "./rpc";

/** What an update request does before its validator runs. */
export type UpdateAdmission =
  /** The id is already recorded: wait for its first outcome. */
  | { kind: "known" }
  | { kind: "notFound" }
  | { kind: "refuse"; reply: Reply }
  /** Run the validator against the current run's state. */
  | { kind: "validate" };

export function updateAdmission(state: {
  ready: boolean;
  known: boolean;
  run: { status: ExecutionStatus } | undefined;
  workflowId: string | undefined;
}): UpdateAdmission {
  if (!state.ready) return { kind: "notFound" };
  if (state.known) return { kind: "known" };
  if (!state.run) return { kind: "notFound" };
  if (state.run.status !== "Running") {
    return {
      kind: "refuse",
      reply: errorReply(
        "FailedPrecondition",
        `Workflow "${state.workflowId}" is ${state.run.status}: it takes no updates`,
      ),
    };
  }
  return { kind: "validate" };
}

/** The answer when the runtime that would run a handler cannot be built (its task is failing). */
export function taskFailingReply(takes: "queries" | "updates", err: unknown): Reply {
  const what = takes === "queries" ? "answer queries" : "take updates";
  return errorReply(
    "FailedPrecondition",
    `The workflow cannot ${what}: its task is failing (${errorMessage(err)})`,
  );
}

/** A handler's refusal: an unknown name or a validator's rejection as is, anything else prefixed. */
export function handlerRefusal(err: unknown, prefix: string): Reply {
  if (err instanceof UnknownHandlerError || err instanceof UpdateRejectedError) {
    return errorReply("InvalidArgument", err.message);
  }
  return errorReply("InvalidArgument", `${prefix}: ${errorMessage(err)}`);
}

/** A query's answer. */
export function queryReply(result: unknown): Reply {
  return { status: 200, body: `{"result":${JSON.stringify(result ?? null)}}` };
}

/** The `updates` row as the waiting caller reads it. */
export type UpdateRecord = {
  run_id: string;
  state: string;
  result: string | null;
  failure: string | null;
};

/**
 * What a caller waiting on a recorded update gets now: its outcome when completed, a refusal when
 * its run closed first, else `wait` (until a change, or answer 202 with {@link acceptedReply}).
 */
export function updateOutcome(
  updateId: string,
  updateName: string,
  row: UpdateRecord | undefined,
  runStatus: ExecutionStatus | undefined,
): Reply | "wait" {
  if (!row) return errorReply("Internal", "update record lost");
  if (row.state === "Completed") {
    if (row.failure) {
      // Accepted and recorded, then its handler threw: an outcome, not a bad request (API.md).
      const failure = withoutStacks(JSON.parse(row.failure) as FailureInfo);
      return json(200, { updateId, failure });
    }
    return {
      status: 200,
      body: `{"result":${row.result ?? "null"},"updateId":${JSON.stringify(updateId)}}`,
    };
  }
  if (runStatus !== "Running") {
    return errorReply(
      "FailedPrecondition",
      `The workflow closed (${runStatus ?? "gone"}) before update "${updateName}" completed`,
    );
  }
  return "wait";
}

/** Accepted, not completed within the wait: the caller polls again with the same updateId. */
export function acceptedReply(updateId: string): Reply {
  return { status: 202, body: JSON.stringify({ updateId, status: "Accepted" }) };
}
