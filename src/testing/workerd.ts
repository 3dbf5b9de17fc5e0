/**
 * @module What the test kit uses of `cloudflare:test` (vitest-pool-workers), loaded on first use so
 * that `sundial/testing` also imports in plain Node (for replayHistory), where that module does not
 * exist.
 */
import type { WorkflowExecutionBase } from "../execution/workflow-execution";
import type { ScheduleObjectBase } from "../schedule/schedule-object";

/** The execution object's stub, with its test-only `unsafe*` methods. */
export type ExecutionStub = DurableObjectStub<WorkflowExecutionBase>;

/** The schedule object's stub, with its test-only `unsafe*` methods. */
export type ScheduleStub = DurableObjectStub<ScheduleObjectBase>;

/** The part of `cloudflare:test` the kit calls. */
export interface Workerd {
  env: Record<string, unknown>;
  SELF: { fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> };
  runDurableObjectAlarm(stub: DurableObjectStub): Promise<boolean>;
  abortAllDurableObjects(): Promise<void>;
}

let loaded: Promise<Workerd> | undefined;

/** `cloudflare:test`; a clear error outside vitest-pool-workers. */
export function workerd(): Promise<Workerd> {
  // A specifier bundlers and Node's loader do not follow until this runs (inside workerd).
  const specifier = "cloudflare:test";
  loaded ??= (import(/* @vite-ignore */ specifier) as Promise<Workerd>).catch((err: unknown) => {
    loaded = undefined;
    throw new Error(
      "sundial/testing's createTestEnv runs inside @cloudflare/vitest-pool-workers (cloudflare:test); " +
        `replayHistory runs anywhere. (${err instanceof Error ? err.message : String(err)})`,
    );
  });
  return loaded;
}

/** The stub of `workflowId`'s execution object in `namespace` (the engine's addressing). */
export function executionStubOf(
  cf: Workerd,
  binding: string,
  namespace: string,
  workflowId: string,
): ExecutionStub {
  const ns = cf.env[binding] as DurableObjectNamespace<WorkflowExecutionBase> | undefined;
  if (!ns || typeof ns.idFromName !== "function") {
    throw new Error(
      `sundial/testing: no Durable Object binding "${binding}" in the test Worker's env (the binding of WorkflowExecution in wrangler.toml)`,
    );
  }
  return ns.get(ns.idFromName(`${namespace}/${workflowId}`));
}

/** The stub of schedule `scheduleId`'s object in `namespace` (the engine's addressing). */
export function scheduleStubOf(
  cf: Workerd,
  binding: string,
  namespace: string,
  scheduleId: string,
): ScheduleStub {
  const ns = cf.env[binding] as DurableObjectNamespace<ScheduleObjectBase> | undefined;
  if (!ns || typeof ns.idFromName !== "function") {
    throw new Error(
      `sundial/testing: no Durable Object binding "${binding}" in the test Worker's env (the binding of ScheduleObject in wrangler.toml)`,
    );
  }
  return ns.get(ns.idFromName(`${namespace}/${scheduleId}`));
}

/** Real time passes (activities, queue deliveries): a short wait between two looks. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
