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
import { limitedLog } from "./common/log-limit";
import { type EngineEnv, resolveConfig, type SundialConfig } from "./config";
import { mockableActivities } from "./execution/activity/test-mocks";
import { executionStub, type TaskToken } from "./execution/addressing";
import { WorkflowExecutionBase } from "./execution/workflow-execution";
import { ScheduleObjectBase } from "./schedule/schedule-object";
import { IssuedTokens } from "./security/issued-tokens";
import { signTaskToken, verifyTaskToken } from "./security/task-token-mac";
import { consumeVisibilityBatch, isVisibilityQueue } from "./visibility/consumer";

export type { CodecChain, PayloadCodec } from "./codec/codec";
export type { EngineEnv, Limits, SundialConfig } from "./config";
export { WorkflowExecutionBase } from "./execution/workflow-execution";
export { ScheduleObjectBase } from "./schedule/schedule-object";

/**
 * The execution a task token names. A malformed, forged or altered token (its signature does not
 * verify, see task-token-mac.ts) is refused with an error that says why, before any execution is
 * touched: the engine never hands one out, so it is a bug or a forgery.
 */
async function stubForToken(env: EngineEnv, token: string) {
  const verified = await verifyTaskToken(env, token);
  if (!verified.ok) {
    // Answered like a task that does not exist (nothing to run, nothing recorded), not thrown: a
    // refused token can never succeed, so a consumer must drop its message, not retry it. The
    // token itself is not logged: a valid one is a bearer capability.
    const what = {
      Malformed: "Malformed task token",
      Forged: "Forged or altered task token",
      Unverifiable: "Task token not checked",
    }[verified.refusal];
    limitedLog("warn", "refused report", `sundial: refused a report: ${what}: ${verified.reason}`);
    return { refused: `${what}: ${verified.reason}` } as const;
  }
  const t = verified.token;
  return { stub: executionStub(env, t.namespace, t.workflowId), token: t };
}

/** An eager task handed back to a consumer carries a signed token, as a queued one does. */
async function signed(env: EngineEnv, task: EagerTask | null): Promise<EagerTask | null> {
  return task ? { ...task, token: await signTaskToken(env, task.token) } : null;
}

export interface ReporterOptions {
  /**
   * The reporter of the engine's own queue consumer, whose eager tasks run in this Worker: their
   * tokens go out unsigned and come back checked against the ones it issued (issued-tokens.ts).
   */
  inProcess?: boolean;
}

/**
 * Reports activity outcomes straight to the execution objects (used in-process and by
 * SundialService). A malformed, forged or altered token or a bad delivery id changes nothing and answers as for a task
 * that does not exist: no task, `cancelRequested` with the reason for a heartbeat.
 */
export function createReporter(env: EngineEnv, options: ReporterOptions = {}): ActivityReporter {
  const issued = options.inProcess ? new IssuedTokens() : undefined;
  const stubFor = (t: TaskToken) => executionStub(env, t.namespace, t.workflowId);
  const target = async (token: string) =>
    issued?.lookup(token, stubFor) ?? (await stubForToken(env, token));
  /** Calls the object; a stub that threw is not reused (it may be broken). */
  const call = async <T>(token: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      issued?.dropStub(token);
      throw err;
    }
  };
  const handOut = (task: EagerTask | null): Promise<EagerTask | null> | EagerTask | null =>
    task && issued?.issue(task.token) ? task : signed(env, task);
  return {
    async activityStarted(token, deliveryId): Promise<StartedTask | null> {
      const s = await target(token);
      if ("refused" in s) return null;
      // Stored with the attempt (started_by): a queue message id, never long.
      if (deliveryId !== undefined && (typeof deliveryId !== "string" || deliveryId.length > 512)) {
        limitedLog(
          "warn",
          "refused start report",
          "sundial: refused a start report: a delivery id is at most 512 characters",
        );
        return null;
      }
      return call(token, () => s.stub.activityStarted(s.token, deliveryId));
    },
    async activityHeartbeat(token, details): Promise<HeartbeatResponse> {
      const s = await target(token);
      if ("refused" in s) return { cancelRequested: true, reason: s.refused };
      return call(token, () => s.stub.activityHeartbeat(s.token, details));
    },
    async activityCompleted(token, result, offer): Promise<EagerTask | null> {
      const s = await target(token);
      if ("refused" in s) return null;
      const next = await call(token, () => s.stub.activityCompleted(s.token, result, offer));
      issued?.settle(token);
      return handOut(next);
    },
    async activityFailed(token, failure, offer): Promise<EagerTask | null> {
      const s = await target(token);
      if ("refused" in s) return null;
      const next = await call(token, () => s.stub.activityFailed(s.token, failure, offer));
      issued?.settle(token);
      return handOut(next);
    },
  };
}

/** What {@link createSundial} returns: the parts a Worker exports (their names matter to wrangler.toml). */
export interface Sundial {
  /**
   * The Worker's default export: `fetch` serves the HTTP API, `queue` runs the default task queue
   * and writes the visibility queue's rows to D1.
   */
  handler: {
    fetch(request: Request, env: EngineEnv, ctx: ExecutionContext): Response | Promise<Response>;
    queue(
      batch: MessageBatch<ActivityTaskMessage>,
      env: EngineEnv,
      ctx: ExecutionContext,
    ): Promise<void>;
  };
  /** The Durable Object class: export it as `WorkflowExecution` (wrangler.toml's `class_name`). */
  WorkflowExecution: new (
    ctx: DurableObjectState,
    env: EngineEnv,
  ) => WorkflowExecutionBase;
  /** The schedule Durable Object class: export it as `ScheduleObject` (one per schedule). */
  ScheduleObject: new (
    ctx: DurableObjectState,
    env: EngineEnv,
  ) => ScheduleObjectBase;
  /** The RPC entrypoint activity Workers bind (`entrypoint = "SundialService"`). */
  SundialService: new (
    ctx: ExecutionContext,
    env: EngineEnv,
  ) => WorkerEntrypoint<EngineEnv> & ActivityReporter;
  /** The Hono app behind `handler.fetch` (tests mount or inspect it). */
  app: ReturnType<typeof createApp>;
}

/**
 * Builds everything a Worker exports for Sundial.
 * @example
 * const sundial = createSundial({ workflows: [loanApplication], activities });
 * export const { WorkflowExecution, ScheduleObject, SundialService } = sundial;
 * export default sundial.handler;
 */
export function createSundial(userConfig: SundialConfig): Sundial {
  const config = resolveConfig(userConfig);
  const app = createApp(config);
  // Test mode (SUNDIAL_UNSAFE=1) only: activities resolve through sundial/testing's mocks first.
  const testConfig = { ...config, activities: mockableActivities(config.activities) };
  const configFor = (env: EngineEnv) => (env.SUNDIAL_UNSAFE === "1" ? testConfig : config);

  class WorkflowExecution extends WorkflowExecutionBase {
    constructor(ctx: DurableObjectState, env: EngineEnv) {
      super(ctx, env, configFor(env));
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
      // The visibility queue's batches are list rows for D1 (visibility/consumer.ts).
      if (isVisibilityQueue(batch.queue, env)) {
        return consumeVisibilityBatch(batch as MessageBatch<unknown>, env.VISIBILITY);
      }
      const reporter = createReporter(env, { inProcess: true });
      await runActivityBatch(batch, configFor(env).activities, reporter, {
        waitUntil: (p) => ctx.waitUntil(p),
      });
    },
  } satisfies ExportedHandler<EngineEnv, ActivityTaskMessage>;

  return { handler, WorkflowExecution, ScheduleObject, SundialService, app };
}
