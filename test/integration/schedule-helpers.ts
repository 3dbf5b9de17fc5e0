/** @module Helpers of the schedule tests: create/describe over HTTP, the object's stub, time skipping. */
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { vi } from "vitest";
import type { ScheduleDescription } from "../../sdk/common/schedule";
import type { ScheduleObjectBase } from "../../src/schedule/schedule-object";
import { api, eventually, evictIfCold, post, waitInPlace } from "../helpers";

export function scheduleStub(scheduleId: string, namespace = "default") {
  const ns = env.SCHEDULE as unknown as DurableObjectNamespace<ScheduleObjectBase>;
  return ns.get(ns.idFromName(`${namespace}/${scheduleId}`));
}

/** A schedule of `scheduledWork` every `every`, with `policies` and `state`; returns its id. */
export async function createSchedule(
  scheduleId: string,
  options: {
    every?: string;
    workflowType?: string;
    input?: unknown;
    policies?: Record<string, unknown>;
    state?: Record<string, unknown>;
  } = {},
): Promise<string> {
  const res = await post("/api/v1/schedules", {
    scheduleId,
    spec: { intervals: [{ every: options.every ?? "1h" }] },
    action: {
      startWorkflow: {
        workflowType: options.workflowType ?? "scheduledWork",
        ...(options.input !== undefined ? { input: options.input } : {}),
      },
    },
    ...(options.policies ? { policies: options.policies } : {}),
    ...(options.state ? { state: options.state } : {}),
  });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  return scheduleId;
}

export async function describeSchedule(scheduleId: string): Promise<ScheduleDescription> {
  const res = await api(`/api/v1/schedules/${encodeURIComponent(scheduleId)}`);
  if (res.status !== 200) throw new Error(`describe failed: ${res.status} ${await res.text()}`);
  return res.json();
}

/**
 * Moves the schedule's clock forward by `ms` without firing anything in between (downtime), then
 * runs its alarm once (cold: after evicting every object) and waits until the handler ran.
 */
export async function skipScheduleTime(scheduleId: string, ms: number): Promise<void> {
  await evictIfCold();
  const before = (await scheduleStub(scheduleId).unsafeAlarmState()).runs;
  await scheduleStub(scheduleId).unsafeAdvanceClock(ms);
  await runDurableObjectAlarm(scheduleStub(scheduleId));
  await vi.waitFor(
    async () => {
      if ((await scheduleStub(scheduleId).unsafeAlarmState()).runs <= before) {
        throw new Error(`the alarm of schedule ${scheduleId} has not run yet`);
      }
    },
    { timeout: 10_000, interval: 10 },
  );
}

/**
 * Waits until the schedule's started workflows all have a run id and `check` passes. Cold mode
 * evicts every object while it waits (see `eventually`), unless `evict` is false: an action whose
 * start an eviction interrupts is retried with backoff, so a burst of starts under evictions every
 * 200 ms can take longer than the wait.
 */
export async function scheduleSettles(
  scheduleId: string,
  check: (d: ScheduleDescription) => void,
  options: { evict?: boolean } = {},
): Promise<ScheduleDescription> {
  const attempt = async () => {
    const d = await describeSchedule(scheduleId);
    if (d.info.runningWorkflows.some((w) => w.runId === null)) {
      const outbox = await scheduleStub(scheduleId).unsafeOutbox();
      throw new Error(`start under way; outbox ${JSON.stringify(outbox)}`);
    }
    check(d);
    return d;
  };
  if (options.evict === false) return waitInPlace(attempt);
  return eventually(attempt);
}

/** Sends the `finish` signal to a scheduledWork workflow. */
export async function finish(workflowId: string, fail = false): Promise<void> {
  const res = await post(`/api/v1/workflows/${encodeURIComponent(workflowId)}/signals/finish`, {
    input: { fail },
  });
  if (res.status !== 202) throw new Error(`signal failed: ${res.status} ${await res.text()}`);
}
