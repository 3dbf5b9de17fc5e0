/** @module Which Durable Object holds a schedule: one per namespace + schedule id. */
import type { EngineEnv } from "../config";
import type { ScheduleObjectBase } from "./schedule-object";

/** The stub of one schedule object (the type only: importing it pulls in no engine code). */
export type ScheduleStub = DurableObjectStub<ScheduleObjectBase>;

/** The object name of a schedule: `namespace/scheduleId`, like an execution's. */
export function scheduleName(namespace: string, scheduleId: string): string {
  return `${namespace}/${scheduleId}`;
}

/** The schedule's object, or undefined when the Worker has no SCHEDULE binding. */
export function scheduleStub(
  env: EngineEnv,
  namespace: string,
  scheduleId: string,
): ScheduleStub | undefined {
  const ns = env.SCHEDULE as DurableObjectNamespace<ScheduleObjectBase> | undefined;
  if (!ns) return undefined;
  return ns.get(ns.idFromName(scheduleName(namespace, scheduleId)));
}
