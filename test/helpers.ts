/** @module Test helpers for the workerd tests: HTTP calls, fresh stubs, time skipping, cold-mode eviction. */
import { abortAllDurableObjects, env, runDurableObjectAlarm, SELF } from "cloudflare:test";
import { vi } from "vitest";
import type {
  HistoryResponse,
  ResultResponse,
  WireEvent,
  WorkflowDescription,
} from "../sdk/common/wire";
import type { StartRequest } from "../src/execution/rpc";
import type { WorkflowExecutionBase } from "../src/execution/workflow-execution";

/** "warm" or "cold" (this file runs in both vitest projects; cold also evicts every object between polls). */
export const mode = env.SUNDIAL_TEST_MODE;

let counter = 0;
/** A workflow id unique to this test run. */
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}-${mode}-${counter}-${crypto.randomUUID().slice(0, 8)}`;
}

export async function api(path: string, init?: RequestInit): Promise<Response> {
  return SELF.fetch(`http://sundial.test${path}`, init);
}

export async function post(path: string, body: unknown): Promise<Response> {
  return api(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export async function start(
  body: Record<string, unknown>,
): Promise<{ workflowId: string; runId: string; started: boolean }> {
  const res = await post("/api/v1/workflows", body);
  if (res.status !== 201 && res.status !== 200) {
    throw new Error(`start failed: ${res.status} ${await res.text()}`);
  }
  return res.json();
}

export function stub(
  workflowId: string,
  namespace = "default",
): DurableObjectStub<WorkflowExecutionBase> {
  const ns = env.WORKFLOW_EXECUTION as unknown as DurableObjectNamespace<WorkflowExecutionBase>;
  return ns.get(ns.idFromName(`${namespace}/${workflowId}`));
}

/**
 * A start request as the API sends it over RPC (the `default` namespace and task queue, a new run
 * allowed after a closed one, refused while one runs), `input` as its JSON text; `over` changes any
 * field.
 */
export function startRequest(
  workflowId: string,
  workflowType: string,
  input: unknown,
  over: Partial<StartRequest> = {},
): StartRequest {
  return {
    namespace: "default",
    workflowId,
    workflowType,
    input: JSON.stringify(input),
    taskQueue: "default",
    idReusePolicy: "AllowDuplicate",
    idConflictPolicy: "Fail",
    ...over,
  };
}

export async function describeWf(workflowId: string): Promise<WorkflowDescription> {
  const res = await api(`/api/v1/workflows/${encodeURIComponent(workflowId)}`);
  if (res.status !== 200) throw new Error(`describe failed: ${res.status} ${await res.text()}`);
  return res.json();
}

export async function history(workflowId: string, runId?: string): Promise<WireEvent[]> {
  const q = runId ? `?runId=${runId}` : "";
  const res = await api(`/api/v1/workflows/${encodeURIComponent(workflowId)}/history${q}`);
  const body = (await res.json()) as HistoryResponse;
  return body.events;
}

export async function eventTypes(workflowId: string): Promise<string[]> {
  return (await history(workflowId)).map((e) => e.eventType);
}

/** Evictions this test file made (cold mode), and the points that had to make one. */
export const coldEvictions = { done: 0, required: 0 };

/** In cold mode, drops every object's memory (SQLite and alarms survive): the next call replays. */
export async function evictIfCold(): Promise<void> {
  if (mode !== "cold") return;
  await abortAllDurableObjects();
  coldEvictions.done += 1;
}

/**
 * A point where the cold project always evicts (not only when a poll happens to fail): before each
 * time skip, so every timer fires on an object that restarts from SQLite. The setup file checks at
 * the end of each file that every such point evicted.
 */
async function evictHere(): Promise<void> {
  if (mode !== "cold") return;
  coldEvictions.required += 1;
  await evictIfCold();
}

const EVICT_EVERY_MS = 200;
let lastEviction = 0;

/**
 * Polls until `check` passes. In cold mode it also evicts every object (at most every 200 ms, so an
 * activation can finish between crashes): objects restart from SQLite mid-flight, in-flight RPCs fail
 * and are retried by the queue, and unsent outbox rows go out from the alarm.
 */
export async function eventually<T>(check: () => Promise<T>, timeout = 20_000): Promise<T> {
  // vi.waitFor gives up at its timeout without waiting for a check still under way: that check's
  // eviction then aborted the next test's objects mid-request (seen: the test after a timed-out
  // one failed with a 500, "Application called abortAllDurableObjects()"). None once it is over.
  let over = false;
  try {
    return await vi.waitFor(
      async () => {
        try {
          return await check();
        } catch (err) {
          if (!over && Date.now() - lastEviction > EVICT_EVERY_MS) {
            lastEviction = Date.now();
            await evictIfCold();
          }
          throw err;
        }
      },
      { timeout, interval: 20 },
    );
  } finally {
    over = true;
  }
}

/** How long and how often {@link waitInPlace} polls: as long as `eventually` waits. */
export const IN_PLACE_WAIT = { timeout: 20_000, interval: 20 };

/**
 * Polls `check` until it passes, WITHOUT the cold project's evictions: for what an eviction would
 * reset (an instance's counters, a local activity under way, the warm runtime, an object mid-crash).
 * vi.waitFor's own default (1 s) is too short on a loaded machine.
 */
export function waitInPlace<T>(
  check: () => T | Promise<T>,
  wait: { timeout?: number; interval?: number } = {},
): Promise<T> {
  return vi.waitFor(check, { ...IN_PLACE_WAIT, ...wait });
}

/** Waits for the workflow to close and returns the result body. */
export async function result(workflowId: string): Promise<ResultResponse> {
  return eventually(async () => {
    const res = await api(`/api/v1/workflows/${encodeURIComponent(workflowId)}/result`);
    const body = (await res.json()) as ResultResponse;
    if (body.status === "Running") throw new Error(`${workflowId} still running`);
    return body;
  });
}

/**
 * The result once closed, polling without the cold project's evictions: for runs an eviction would
 * set back (a local activity under way runs again from attempt 1; a wide fan-out replays its whole
 * history on every activation anyway). Cold mode still replays every activation.
 */
export async function resultNoEviction(
  workflowId: string,
  options: { timeout?: number; interval?: number } = {},
): Promise<ResultResponse> {
  return waitInPlace(async () => {
    const res = await api(`/api/v1/workflows/${encodeURIComponent(workflowId)}/result`);
    const body = (await res.json()) as ResultResponse;
    if (body.status === "Running") throw new Error(`${workflowId} still running`);
    return body;
  }, options);
}

/**
 * Moves the execution's clock forward by `ms` and runs its alarm now (Temporal-style time skipping).
 * Fails when no alarm was set: a skip that runs nothing would let "nothing more happens" tests pass
 * for the wrong reason. Pass `{ alarm: false }` to assert that no alarm was pending instead. In the
 * cold project it evicts every object first (`{ evict: false }` keeps them).
 */
export async function skipTime(
  workflowId: string,
  ms: number,
  options: { alarm?: boolean; evict?: boolean } = {},
): Promise<void> {
  // A test holding a live stream open keeps the object (an eviction would end the stream).
  if (options.evict !== false) await evictHere();
  const { runs: before, armedAtMs } = await stub(workflowId).unsafeAlarmState();
  const pending = armedAtMs !== null || (await stub(workflowId).unsafeTimers()).length > 0;
  const want = options.alarm ?? true;
  if (pending !== want) {
    throw new Error(`skipTime(${workflowId}): ${want ? "no alarm was set" : "an alarm was set"}`);
  }
  await stub(workflowId).unsafeAdvanceClock(ms);
  if (!want) return;
  // Advancing the clock re-arms the alarm in the past, so workerd may fire it before
  // runDurableObjectAlarm does (which then answers false): wait until a handler really ran.
  await runDurableObjectAlarm(stub(workflowId));
  await vi.waitFor(
    async () => {
      if ((await stub(workflowId).unsafeAlarmState()).runs <= before) {
        throw new Error(`skipTime(${workflowId}): the alarm has not run yet`);
      }
    },
    { timeout: 10_000, interval: 10 },
  );
}

/** Timer rows of the execution (what the one alarm multiplexes). */
export async function timers(workflowId: string) {
  return stub(workflowId).unsafeTimers();
}

export function assertIncreasingIds(events: WireEvent[]): void {
  events.forEach((e, i) => {
    if (e.eventId !== i + 1) throw new Error(`event ${i} has id ${e.eventId}, expected ${i + 1}`);
  });
}

/** Waits until the execution has a timer row of `kind` ("timer", "wft", …) and returns it. */
export async function waitForTimer(workflowId: string, kind = "timer") {
  return eventually(async () => {
    const t = (await timers(workflowId)).find((x) => x.kind === kind);
    if (!t) throw new Error(`no ${kind} timer yet`);
    return t;
  });
}

/** Registers a namespace (auth is disabled in the engine's test projects); routes under an unregistered one are 404. */
export async function registerNamespace(name: string): Promise<void> {
  const res = await post("/api/v1/namespaces", { name });
  if (res.status !== 201) throw new Error(`registering ${name}: ${res.status} ${await res.text()}`);
}
