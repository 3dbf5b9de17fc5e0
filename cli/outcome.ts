/**
 * @module Waiting for a workflow's outcome (long polls with progress), its exit code, and paging
 * history.
 */
import type { ResultResponse, WireEvent, WorkflowHandle } from "../sdk/client/index";
import { ExitCode, ExitWith } from "./exit-codes";
import { Progress } from "./progress";
import type { Run } from "./run";

/** One long-poll cap of API.md. */
const MAX_POLL_MS = 60_000;

/**
 * Looks at the outcome; with `waitMs` > 0 long-polls until the run closes or the wait runs out,
 * showing progress on stderr.
 */
export async function awaitResult(
  run: Run,
  handle: WorkflowHandle,
  waitMs: number,
): Promise<ResultResponse> {
  if (waitMs <= 0) return handle.pollResult({ signal: run.signal });
  const deadline = Date.now() + waitMs;
  const progress = new Progress(process.stderr, `Waiting for workflow ${handle.workflowId}`);
  try {
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return { status: "Running" };
      const sent = Date.now();
      const outcome = await handle.pollResult({
        wait: Math.max(1, Math.min(remaining, MAX_POLL_MS)),
        signal: run.signal,
      });
      if (outcome.status !== "Running") return outcome;
      // A server that answers before the wait is up must not turn this into a busy loop.
      if (Date.now() - sent < 500) await abortableSleep(500, run.signal);
    }
  } finally {
    progress.stop();
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

export function exitForOutcome(outcome: ResultResponse): void {
  if (outcome.status === "Running") throw new ExitWith(ExitCode.StillRunning);
  if (outcome.status !== "Completed") throw new ExitWith(ExitCode.WorkflowNotCompleted);
}

export async function allHistory(
  handle: WorkflowHandle,
  after: number | undefined,
): Promise<WireEvent[]> {
  const events: WireEvent[] = [];
  let token: string | null | undefined;
  do {
    const page = await handle.history(
      token ? { nextPageToken: token } : after !== undefined ? { after } : {},
    );
    events.push(...page.events);
    token = page.nextPageToken;
  } while (token);
  return events;
}
