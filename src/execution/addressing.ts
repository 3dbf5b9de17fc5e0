/**
 * @module Addressing and protocol, not configuration: which Durable Object holds a workflow id (its
 * object name and stub), which Queue a task queue is bound to, and the task tokens that name one
 * attempt of one activity.
 */
import type { EngineEnv } from "../config";
import { parseTaskToken, type TaskToken } from "./report-validation";
import type { WorkflowExecutionBase } from "./workflow-execution";

export type { TaskToken } from "./report-validation";

/** The stub of one execution object (the type only: importing it pulls in no engine code). */
export type ExecutionStub = DurableObjectStub<WorkflowExecutionBase>;

/** The object name of a workflow id: `namespace/workflowId`. */
export function executionName(namespace: string, workflowId: string): string {
  return `${namespace}/${workflowId}`;
}

/** The one way to reach a workflow id's object (API, engine entry points, the outbox). */
export function executionStub(
  env: EngineEnv,
  namespace: string,
  workflowId: string,
): ExecutionStub {
  const ns = env.WORKFLOW_EXECUTION as unknown as DurableObjectNamespace<WorkflowExecutionBase>;
  return ns.get(ns.idFromName(executionName(namespace, workflowId)));
}

/** Finds the Queue bound for a task queue. */
export function queueFor(env: EngineEnv, taskQueue: string): Queue | undefined {
  const map = parseTaskQueues(env.SUNDIAL_TASK_QUEUES);
  const binding = map[taskQueue] ?? (taskQueue === "default" ? "ACTIVITY_QUEUE" : undefined);
  if (!binding) return undefined;
  const queue = (env as unknown as Record<string, unknown>)[binding];
  return queue && typeof (queue as Queue).send === "function" ? (queue as Queue) : undefined;
}

const taskQueueCache = new Map<string, Record<string, string>>();
function parseTaskQueues(raw: string | undefined): Record<string, string> {
  if (!raw) return {};
  let parsed = taskQueueCache.get(raw);
  if (!parsed) {
    parsed = JSON.parse(raw) as Record<string, string>;
    taskQueueCache.set(raw, parsed);
  }
  return parsed;
}

export function encodeToken(t: TaskToken): string {
  // encodeURIComponent leaves "~" as is: encode it too, or an id holding one splits the token.
  return [t.namespace, t.workflowId, t.runId, String(t.seq), String(t.attempt)]
    .map((part) => encodeURIComponent(part).replaceAll("~", "%7E"))
    .join("~");
}

/** The token, or null when it is malformed ({@link parseTaskToken} says why). */
export function decodeToken(token: string): TaskToken | null {
  const parsed = parseTaskToken(token);
  return parsed.ok ? parsed.token : null;
}
