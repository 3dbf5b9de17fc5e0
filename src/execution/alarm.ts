/**
 * @module The one alarm's handler: sends what the outbox holds, routes each due timer by kind (a
 * workflow timer, the workflow task, an activity's timers, the run and execution timeouts) into one
 * transition, re-arms, and backs off when the handler throws (never throwing: a thrown alarm is
 * retried a few times and then dropped, and every timer with it).
 */

import { limitedLog } from "../common/log-limit";
import { type NewEvent, newEvent } from "../history/events";
import { expireRuns } from "../retention/retention";
import { activityTimerFired } from "./activity/handlers";
import { crashPoint } from "./crash-points";
import { deliverInBackground, sendActivityTasks } from "./delivery";
import type { ExecCtx, Writes } from "./execution-context";
import { errorMessage } from "./replies";
import type { ActivityTimerData } from "./rows";
import { closeRun } from "./run-closer";
import { alarmRetryDelayMs } from "./timer-keys";
import { armAlarm } from "./timers";
import { transition } from "./transition";

export async function alarm(x: ExecCtx): Promise<void> {
  if (!x.ready) return;
  // Retention first: with no run left, the storage and alarm are gone; forget what memory holds.
  const wiped = await x.serialized(async () => {
    if ((await expireRuns(x.storage, x.sql, x.env, x.now())) === "kept") return false;
    x.ready = false;
    x.identity = undefined;
    x.cached = undefined;
    x.armedAtMs = null;
    x.clockOffsetMs = 0;
    x.delivery.noMessages = true; // the storage is gone, its outbox with it
    x.delivery.written = [];
    return true;
  });
  if (wiped) return;
  let failed: unknown;
  await x
    .serialized(() => fireDueTimers(x))
    .then(
      () => {
        x.alarmFailures = 0;
      },
      (err: unknown) => {
        failed = err;
      },
    );
  // An alarm is spent once its handler returns: arm the next one now (a timer, or a retry of
  // undelivered outbox rows), so a crash during the background delivery below loses nothing.
  // Not forced: `armedAtMs` is what this handler wrote (null when nothing), so an alarm its
  // transition already armed at or before the next time stays (a row never tried retries at
  // now + backoff, which moves with the clock: forcing rewrote the same alarm a few ms later).
  await x.serialized(() => armAlarm(x));
  crashPoint(x.state, "alarmAfterRearm");
  x.counters.alarmRuns += 1;
  // A throwing handler would be retried a few times by the runtime and then dropped, and every
  // timer with it: never throw, re-arm with backoff instead (the due timers are still there).
  if (failed !== undefined) await x.serialized(() => backOffAlarm(x, failed));
  deliverInBackground(x, true);
}

async function fireDueTimers(x: ExecCtx): Promise<void> {
  // The ringing alarm is spent once this handler returns: no alarm is armed after it but what it
  // writes. Known, not read: a read here would find the ringing alarm still set (and skip the write
  // the next timer needs), and each read costs a storage round trip on every fire.
  x.armedAtMs = null;
  await sendActivityTasks(x);
  const now = x.now();
  const due = x.timers.due(now);
  // An early wake (the alarm stays at an outbox row's retry time after the row went out: see
  // armAlarm) finds no timer and no activity deadline due: nothing to read the run for.
  if (due.length === 0 && !x.activities.anyDeadlineDue(now)) return;
  const run = x.runs.current();
  const inputs: NewEvent[] = [];
  const writes: Writes = { sql: [] };
  let runWorkflowTask = false;
  const finished = new Set<number>(); // activities closed by an earlier timer of this same alarm
  for (const timer of due) {
    writes.sql.push(() => x.timers.delete(timer.key));
    if (!run || timer.run_id !== run.run_id || run.status !== "Running") continue;
    switch (timer.kind) {
      case "timer": {
        const seq = Number(timer.data);
        inputs.push(newEvent("TimerFired", { seq, timerId: String(seq) }));
        break;
      }
      case "wft":
        runWorkflowTask = true;
        break;
      case "activity": {
        const data = JSON.parse(timer.data ?? "{}") as ActivityTimerData;
        if (finished.has(data.seq)) break;
        const event = activityTimerFired(x, run, data, now, writes);
        if (event) {
          finished.add(data.seq);
          inputs.push(...event);
        }
        break;
      }
      case "run-timeout":
      case "exec-timeout":
        // Timing out closes the run without running workflow code.
        x.timers.delete(timer.key);
        await closeRun(
          x,
          run,
          [
            newEvent("WorkflowExecutionTimedOut", {
              timeoutType: timer.kind === "run-timeout" ? "Run" : "Execution",
            }),
          ],
          "TimedOut",
        );
        return;
    }
  }
  // Start-to-close deadlines live on the activity rows (activity/state.ts), not in `timers`.
  if (run && run.status === "Running") {
    for (const data of x.activities.dueDeadlines(run.run_id, now)) {
      if (finished.has(data.seq)) continue;
      const event = activityTimerFired(x, run, data, now, writes);
      if (event) {
        finished.add(data.seq);
        inputs.push(...event);
      }
    }
  }
  if (run && run.status === "Running" && (inputs.length > 0 || runWorkflowTask)) {
    await transition(x, run, inputs, writes);
  } else {
    // An alarm that finds nothing due (it fires early by design: see armAlarm) writes nothing:
    // no empty transaction, and no second read of the outbox unless these writes added a task.
    if (writes.sql.length > 0) x.commitWrites(writes);
    if (x.delivery.tasksWritten) await sendActivityTasks(x);
  }
}

/** After an alarm whose handler threw: the next try in 1 s, 2 s, … up to 5 min. */
async function backOffAlarm(x: ExecCtx, err: unknown): Promise<void> {
  x.alarmFailures += 1;
  limitedLog(
    "error",
    "workflow alarm",
    `sundial: alarm of workflow "${x.identity?.workflowId}" failed (${errorMessage(err)}); retrying`,
  );
  const at = Date.now() + alarmRetryDelayMs(x.alarmFailures);
  if (x.armedAtMs === null || x.armedAtMs === undefined || x.armedAtMs < at) {
    x.storageCounts.alarmWrites += 1;
    await x.storage.setAlarm(at);
    x.armedAtMs = at;
  }
}
