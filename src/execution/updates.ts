/**
 * @module Updates and queries: the `updates` table, validating and recording an update, and waiting
 * (bounded) for its outcome; a query answered from the run's state (warm, replayed, or a closed
 * run's cached runtime). The decisions themselves are pure, in update-decisions.ts.
 */
import { handlerNameProblem } from "../../sdk/common/handler-name";
import { newEvent } from "../history/events";
import type { WorkflowRuntime } from "../replay/runtime";
import type { ExecCtx } from "./execution-context";
import { errorReply } from "./replies";
import type { Reply } from "./rpc";
import { closedRuntime, runtimeFor } from "./runtimes";
import { transition } from "./transition";
import {
  acceptedReply,
  handlerRefusal,
  queryReply,
  taskFailingReply,
  updateAdmission,
  updateOutcome,
} from "./update-decisions";
import { MAX_LONG_POLL_MS } from "./waiters";

/** Answers a query from the run's state (warm, or replayed). Records nothing. */
export async function query(
  x: ExecCtx,
  queryName: string,
  input: string | undefined,
  runId?: string,
): Promise<Reply> {
  const badName = handlerNameProblem(queryName);
  if (badName) return errorReply("InvalidArgument", `query name ${badName}`);
  return x.urgent(async () => {
    const run = x.runs.find(runId);
    if (!run) return x.notFound(runId);
    let runtime: WorkflowRuntime;
    try {
      runtime = run.status === "Running" ? await runtimeFor(x, run) : await closedRuntime(x, run);
    } catch (err) {
      return taskFailingReply("queries", err);
    }
    try {
      return queryReply(
        runtime.query(queryName, input === undefined ? undefined : JSON.parse(input)),
      );
    } catch (err) {
      return handlerRefusal(err, `Query "${queryName}" failed`);
    }
  });
}

/**
 * Validates an update against the current state; if accepted, records it and waits (up to
 * `waitMs`) for its handler to finish. A repeated `updateId` gets the first outcome.
 */
export async function update(
  x: ExecCtx,
  updateName: string,
  input: string | undefined,
  updateId: string,
  waitMs: number,
): Promise<Reply> {
  const badName = handlerNameProblem(updateName);
  if (badName) return errorReply("InvalidArgument", `update name ${badName}`);
  // A caller that would wait is refused before anything is recorded when no waiter slot is free.
  if (waitMs > 0 && x.waiters.full) return x.waiters.refusal(`send the update`);
  const refused = await x.urgent(() => accept(x, updateName, input, updateId));
  if (refused) return refused;
  const deadline = Date.now() + Math.min(Math.max(0, waitMs), MAX_LONG_POLL_MS);
  for (;;) {
    const row = x.updates.get(updateId);
    const outcome = updateOutcome(
      updateId,
      updateName,
      row,
      row && x.runs.find(row.run_id)?.status,
    );
    if (outcome !== "wait") return outcome;
    const remaining = deadline - Date.now();
    // Accepted but no slot to wait in (taken meanwhile): the caller polls with the same updateId.
    const woken = remaining > 0 ? x.waiters.park(["change", "close"], remaining) : undefined;
    if (!woken) return acceptedReply(updateId);
    await woken;
  }
}

/** Under the lock: records the update when admitted and valid; the refusal otherwise. */
async function accept(
  x: ExecCtx,
  updateName: string,
  input: string | undefined,
  updateId: string,
): Promise<Reply | undefined> {
  const known = x.ready && x.updates.has(updateId);
  const run = x.ready && !known ? x.runs.current() : undefined;
  const admission = updateAdmission({
    ready: x.ready,
    known,
    run,
    workflowId: x.identity?.workflowId,
  });
  if (admission.kind === "known") return undefined;
  if (admission.kind === "notFound") return x.notFound(undefined);
  if (admission.kind === "refuse") return admission.reply;
  if (!run) return x.notFound(undefined);
  let runtime: WorkflowRuntime;
  try {
    runtime = await runtimeFor(x, run);
  } catch (err) {
    return taskFailingReply("updates", err);
  }
  try {
    runtime.validateUpdate(updateName, input === undefined ? undefined : JSON.parse(input));
  } catch (err) {
    return handlerRefusal(err, `Update "${updateName}" was rejected`);
  }
  await transition(
    x,
    run,
    [newEvent("WorkflowExecutionUpdateAccepted", { updateId, updateName, input })],
    { sql: [() => x.updates.accept(updateId, run.run_id)] },
  );
  return undefined;
}
