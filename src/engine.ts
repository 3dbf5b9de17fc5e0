/**
 * @module createSundial: wires a user's workflows and activities into a Worker — the HTTP API, the
 * WorkflowExecution Durable Object, the activity queue consumer and the SundialService entrypoint.
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import { runActivityBatch } from "../sdk/activity/batch";
import type {
  ActivityReporter,
  ActivityTaskMessage,
  EagerOffer,
  EagerTask,
  HeartbeatResponse,
  StartedTask,
} from "../sdk/activity/protocol";
import { createApp } from "./api/app";
import { type EngineEnv, resolveConfig, type SundialConfig } from "./config";
import { executionStub } from "./execution/addressing";
import { parseTaskToken } from "./execution/report-validation";
import { WorkflowExecutionBase } from "./execution/workflow-execution";
import { ScheduleObjectBase } from "./schedule/schedule-object";

export type { EngineEnv, Limits, SundialConfig } from "./config";
export { WorkflowExecutionBase } from "./execution/workflow-execution";
export { ScheduleObjectBase } from "./schedule/schedule-object";

/**
 * The execution a task token names. A malformed token is refused with an error that says why (the
 * engine never hands one out: it is a bug or a forgery), before any execution is touched.
 */
function stubForToken(env: EngineEnv, token: string) {
  const parsed = parseTaskToken(token);
  if (!parsed.ok) {
    // Answered like a task that does not exist (nothing to run, nothing recorded), not thrown: a
    // malformed token can never succeed, so a consumer must drop its message, not retry it.
    console.warn(`sundial: refused a report: Malformed task token: ${parsed.reason}`);
    return { refused: `Malformed task token: ${parsed.reason}` } as const;
  }
  const t = parsed.token;
  return { stub: executionStub(env, t.namespace, t.workflowId), token: t };
}

/**
 * Reports activity outcomes straight to the execution objects (used in-process and by
 * SundialService). A malformed token or delivery id changes nothing and answers as for a task
 * that does not exist: no task, `cancelRequested` with the reason for a heartbeat.
 */
export function createReporter(env: EngineEnv): ActivityReporter {
  return {
    async activityStarted(token, deliveryId): Promise<StartedTask | null> {
      const s = stubForToken(env, token);
      if ("refused" in s) return null;
      // Stored with the attempt (started_by): a queue message id, never long.
      if (deliveryId !== undefined && (typeof deliveryId !== "string" || deliveryId.length > 512)) {
        console.warn("sundial: refused a start report: a delivery id is at most 512 characters");
        return null;
      }
      return s.stub.activityStarted(s.token, deliveryId);
    },
    async activityHeartbeat(token, details): Promise<HeartbeatResponse> {
      const s = stubForToken(env, token);
      if ("refused" in s) return { cancelRequested: true, reason: s.refused };
      return s.stub.activityHeartbeat(s.token, details);
    },
    async activityCompleted(token, result, offer): Promise<EagerTask | null> {
      const s = stubForToken(env, token);
      if ("refused" in s) return null;
      return s.stub.activityCompleted(s.token, result, offer);
    },
    async activityFailed(token, failure, offer): Promise<EagerTask | null> {
      const s = stubForToken(env, token);
      if ("refused" in s) return null;
      return s.stub.activityFailed(s.token, failure, offer);
    },
  };
}

/**
 * Builds everything a Worker exports for Sundial.
 * @example
 * const sundial = createSundial({ workflows: [loanApplication], activities });
 * export const { WorkflowExecution, ScheduleObject, SundialService } = sundial;
 * export default sundial.handler;
 */
export function createSundial(userConfig: SundialConfig) {
  const config = resolveConfig(userConfig);
  const app = createApp(config);

  class WorkflowExecution extends WorkflowExecutionBase {
    constructor(ctx: DurableObjectState, env: EngineEnv) {
      super(ctx, env, config);
    }
  }

  /** One schedule (namespace + schedule id): its alarm starts the workflows (binding SCHEDULE). */
  class ScheduleObject extends ScheduleObjectBase {}

  /** The RPC entrypoint activity Workers report to (service binding with `entrypoint = "SundialService"`). */
  class SundialService extends WorkerEntrypoint<EngineEnv> implements ActivityReporter {
    #reporter = createReporter(this.env);
    activityStarted(token: string, deliveryId?: string) {
      return this.#reporter.activityStarted(token, deliveryId);
    }
    activityHeartbeat(token: string, details?: string) {
      return this.#reporter.activityHeartbeat(token, details);
    }
    activityCompleted(token: string, result: string, offer?: EagerOffer) {
      return this.#reporter.activityCompleted(token, result, offer);
    }
    activityFailed(token: string, failure: string, offer?: EagerOffer) {
      return this.#reporter.activityFailed(token, failure, offer);
    }
  }

  const handler = {
    fetch: (request: Request, env: EngineEnv, ctx: ExecutionContext) =>
      app.fetch(request, env, ctx),
    async queue(
      batch: MessageBatch<ActivityTaskMessage>,
      env: EngineEnv,
      ctx: ExecutionContext,
    ): Promise<void> {
      await runActivityBatch(batch, config.activities, createReporter(env), {
        waitUntil: (p) => ctx.waitUntil(p),
      });
    },
  } satisfies ExportedHandler<EngineEnv, ActivityTaskMessage>;

  return { handler, WorkflowExecution, ScheduleObject, SundialService, app };
}
