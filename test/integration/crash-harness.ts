/**
 * @module The crash-point matrix's harness: runs a {@link Scenario} (a crashScript workflow and the
 * client actions that drive it) once without a crash (the baseline) and once with the object armed to
 * crash at one point of one transition kind, recovering the way production does: the client retries
 * with the same requestId/updateId, the queue redelivers, the alarm re-fires (runDurableObjectAlarm).
 * Time moves only by unsafeAdvanceClock.
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { expect } from "vitest";
import type { ResultResponse, WireEvent } from "../../sdk/common/wire";
import type { CrashPoint, TransitionKind } from "../../src/execution/crash-points";
import type { CrashStep } from "../fixtures/crash-workflows";
import { api, assertIncreasingIds, history, post, stub, uniqueId, waitInPlace } from "../helpers";

/** A client action or a time step, in order, after the start. */
export type Stage =
  | "timer" // skip to the next workflow timer
  | "retry" // skip to an activity's retry backoff
  | "scheduleToStart" // skip to an activity's schedule-to-start timeout
  | "signal"
  | "update"
  | "cancel"
  | "terminate";

export interface Scenario {
  kind: TransitionKind;
  steps: CrashStep[];
  stages: Stage[];
  /** Which object the crash is armed on (default the workflow's own). */
  armOnChild?: (point: CrashPoint) => boolean;
}

export interface Outcome {
  status: string;
  result: unknown;
  /** Event types of each run of the workflow (oldest first), and of its child if any. */
  runs: string[][];
  child: string[] | null;
  fired: string[];
  indexed: { status: string; stage: unknown } | null;
}

const wf = (id: string) => `/api/v1/workflows/${encodeURIComponent(id)}`;

/** Retries a client call until it answers one of `ok` (a crash answers 500 meanwhile). */
async function retried(call: () => Promise<Response>, ok: number[]): Promise<Response> {
  return waitInPlace(async () => {
    const res = await call();
    if (!ok.includes(res.status)) throw new Error(`${res.status} ${await res.text()}`);
    return res;
  });
}

/** Runs the pending alarm of each object now; a crash in it is what recovery is for. */
async function fireAlarms(ids: string[]): Promise<void> {
  for (const id of ids) {
    try {
      await runDurableObjectAlarm(stub(id));
    } catch {
      // crashed: the alarm is retried (the next fireAlarms, or workerd's own retry)
    }
  }
}

/**
 * Read-only looks into an object (unsafeAdvanceClock and unsafeDeliverOutbox re-arm the alarm, which
 * would hide a lost alarm: recovery must not depend on the test's hooks).
 */
async function alarmOf(id: string): Promise<number | null> {
  return (await stub(id).unsafeAlarm()).alarm;
}
async function outboxRows(id: string): Promise<number> {
  return (await stub(id).unsafeAlarm()).outbox;
}

/**
 * Waits (firing alarms meanwhile) for a timer row not skipped before and an armed alarm, moves the
 * clock to the timer and fires the alarm.
 */
async function skipTo(
  id: string,
  ids: string[],
  match: (key: string) => boolean,
  done: Set<string>,
) {
  const timer = await waitInPlace(
    async () => {
      await fireAlarms(ids);
      const found = (await stub(id).unsafeTimers()).find((t) => match(t.key) && !done.has(t.key));
      if (!found) throw new Error(`no timer to skip to in ${id}`);
      if ((await alarmOf(id)) === null) throw new Error(`${id} has a timer but no alarm`);
      return found;
    },
    { interval: 30 },
  );
  done.add(timer.key);
  const now = await stub(id).unsafeAdvanceClock(0);
  if (timer.fireAtMs > now) await stub(id).unsafeAdvanceClock(timer.fireAtMs - now);
  await fireAlarms([id]);
}

async function resultOf(id: string): Promise<ResultResponse> {
  const res = await api(`${wf(id)}/result`);
  return (await res.json()) as ResultResponse;
}

async function runHistories(id: string, firstRunId: string): Promise<WireEvent[][]> {
  const runs: WireEvent[][] = [];
  let runId: string | null = firstRunId;
  while (runId) {
    const events = await history(id, runId);
    runs.push(events);
    const last = events.at(-1);
    runId =
      last?.eventType === "WorkflowExecutionContinuedAsNew"
        ? ((last.attributes as { newExecutionRunId: string }).newExecutionRunId ?? null)
        : null;
  }
  return runs;
}

/** Runs `scenario`, crashing once at `point` (none for the baseline), and gathers what it left. */
export async function runScenario(scenario: Scenario, point: CrashPoint | null): Promise<Outcome> {
  const id = uniqueId(`crash-${scenario.kind}-${point ?? "none"}`);
  const hasChild = scenario.steps.includes("child");
  const kid = `${id}-kid`;
  const ids = hasChild ? [id, kid] : [id];
  const armed = point && scenario.armOnChild?.(point) ? kid : id;
  if (point) await stub(armed).unsafeCrashAt(point, { kind: scenario.kind });

  const started = await retried(
    () =>
      post("/api/v1/workflows", {
        workflowType: "crashScript",
        workflowId: id,
        input: { steps: scenario.steps },
        requestId: `${id}-start`,
      }),
    [200, 201],
  );
  const { runId } = (await started.json()) as { runId: string };

  const done = new Set<string>();
  for (const stage of scenario.stages) {
    switch (stage) {
      case "timer":
        await skipTo(id, ids, (k) => k.startsWith("timer:"), done);
        break;
      case "retry":
        await skipTo(id, ids, (k) => k.endsWith(":Retry"), done);
        break;
      case "scheduleToStart":
        await skipTo(id, ids, (k) => k.endsWith(":ScheduleToStart"), done);
        break;
      case "signal":
        await retried(
          () => post(`${wf(id)}/signals/go`, { input: "x", requestId: `${id}-go` }),
          [202],
        );
        break;
      case "update":
        await retried(
          () => post(`${wf(id)}/updates/bump`, { input: 1, updateId: `${id}-bump` }),
          [200],
        );
        break;
      case "cancel":
        await retried(() => post(`${wf(id)}/cancel`, { requestId: `${id}-cancel` }), [202]);
        break;
      case "terminate":
        // A retry after a crash that committed finds the run already closed (409): that is success.
        await retried(() => post(`${wf(id)}/terminate`, {}), [200, 409]);
        break;
    }
  }

  // Recovery and the rest of the run: alarms fire until the run is closed and every outbox is empty.
  const closed = await waitInPlace(
    async () => {
      await fireAlarms(ids);
      const body = await resultOf(id);
      if (body.status === "Running") throw new Error(`${id} still running`);
      for (const x of ids) {
        const left = await outboxRows(x);
        if (left !== 0) throw new Error(`${x}: outbox not empty (${left})`);
      }
      if (hasChild && (await resultOf(kid)).status === "Running") throw new Error("kid running");
      return body;
    },
    { timeout: 25_000, interval: 30 },
  );
  if (point === "alarmAfterRearm" && (await stub(armed).unsafeCrashes()).fired.length === 0) {
    // The run closed with no alarm left (terminate, cancel): give it a spurious one, which the engine
    // must take in its stride, so the point is still exercised after the transition.
    await stub(armed).unsafeAlarm(Date.now());
    await fireAlarms([armed]);
    await fireAlarms([armed]);
  }
  const runs = await runHistories(id, runId);
  const child = hasChild ? await history(kid) : null;
  // Delivered rows reach D1 through the visibility queue's consumer, a moment later: wait for the
  // run's listing to show its close (a row that never arrives fails here, or in the comparison).
  type Listed = { status: string; searchAttributes?: Record<string, unknown> };
  const latest = await waitInPlace(async () => {
    const query = encodeURIComponent(`WorkflowId = '${id}'`);
    const res = await api(`/api/v1/workflows?query=${query}`);
    const row = ((await res.json()) as { executions: Listed[] }).executions[0];
    if (row?.status !== closed.status) throw new Error(`${id} listed as ${row?.status}`);
    return row;
  });
  for (const events of [...runs, ...(child ? [child] : [])]) assertIncreasingIds(events);
  return {
    status: closed.status,
    result: "result" in closed ? closed.result : null,
    runs: runs.map((events) => events.map((e) => e.eventType)),
    child: child?.map((e) => e.eventType) ?? null,
    fired: (await stub(armed).unsafeCrashes()).fired,
    indexed: latest
      ? { status: latest.status, stage: latest.searchAttributes?.Stage ?? null }
      : null,
  };
}

const sorted = (types: string[]) => [...types].sort();

/** The invariants: same end, same effects (each event type as often as without the crash), one crash. */
export function expectSameAsBaseline(crashed: Outcome, baseline: Outcome, point: CrashPoint) {
  expect(crashed.fired, "the crash point fired once").toHaveLength(1);
  expect(crashed.fired[0]?.startsWith(point)).toBe(true);
  expect(crashed.status).toBe(baseline.status);
  expect(crashed.result).toEqual(baseline.result);
  expect(crashed.runs.map(sorted)).toEqual(baseline.runs.map(sorted));
  expect(crashed.child && sorted(crashed.child)).toEqual(baseline.child && sorted(baseline.child));
  expect(crashed.indexed).toEqual(baseline.indexed);
}
