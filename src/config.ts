/** @module Engine configuration: registered workflows and activities, limits, the Env it needs. */
import type { Activities } from "../sdk/activity/index";
import { type Duration, toMs } from "../sdk/common/duration";
import type { WorkflowDefinition } from "../sdk/workflow/index";
import type { AuthEnv } from "./auth/env";
import type { PayloadCodec } from "./codec/codec";

/** Limits, all configurable; defaults are documented in the README. */
export interface Limits {
  /** Max bytes of one payload (workflow input/result, activity input/result). Below SQLite's 2 MB value limit. */
  maxPayloadBytes: number;
  /** Max bytes of an HTTP request body. */
  maxRequestBytes: number;
  /** A run whose history reaches this many events gets a warning in its WorkflowTaskFailed / describe. */
  historyWarnEvents: number;
  /** A run whose history reaches this many events is failed with a message suggesting continue-as-new. */
  historyMaxEvents: number;
  /** Local activities run per activation before the object commits and continues from its alarm. */
  localActivitiesPerTask: number;
  /** Requests that may wait in one execution at once (result long-polls, update waits, live history); past it: 429. */
  maxWaitersPerObject: number;
  /** Runtimes rebuilt for queries on closed runs, kept per execution (LRU); 0 turns the cache off. */
  queryCacheRuns: number;
  /** Total history bytes of the runtimes in that cache; a larger run is replayed for each query. */
  queryCacheBytes: number;
  /** Bytes of stored events one history page (replay, GET history, live history) holds; at least one event. */
  historyPageBytes: number;
}

/** How long a closed run is kept by default (namespaces override it). */
export const DEFAULT_RETENTION_MS = 30 * 86_400_000;

export const DEFAULT_LIMITS: Limits = {
  maxPayloadBytes: 1024 * 1024,
  maxRequestBytes: 1024 * 1024 + 64 * 1024,
  historyWarnEvents: 10_240,
  historyMaxEvents: 51_200,
  localActivitiesPerTask: 500,
  maxWaitersPerObject: 100,
  queryCacheRuns: 8,
  queryCacheBytes: 8 * 1024 * 1024,
  historyPageBytes: 4 * 1024 * 1024,
};

// biome-ignore lint/suspicious/noExplicitAny: a registry holds workflows of every input/output type
export type AnyWorkflow = WorkflowDefinition<any, any>;

export interface SundialConfig {
  workflows: AnyWorkflow[];
  /** Activities the engine's own Worker runs: for local activities and for its own queue consumer. */
  activities?: Activities;
  limits?: Partial<Limits>;
  /**
   * Payload codecs (e.g. compression) applied to every stored payload, in order, before the
   * built-in AES-256-GCM encryption of `SUNDIAL_ENCRYPTION_KEYS` (src/codec/codec.ts).
   */
  codecs?: PayloadCodec[];
  /**
   * How long a closed run is kept when its start carried no retention (the namespace's, once
   * namespaces are registered): default "30d"; `null` keeps closed runs forever.
   */
  retention?: Duration | null;
}

export interface ResolvedConfig {
  workflows: Map<string, AnyWorkflow>;
  activities: Activities;
  limits: Limits;
  codecs: PayloadCodec[];
  /** null: closed runs are kept forever. */
  retentionMs: number | null;
}

export function resolveConfig(config: SundialConfig): ResolvedConfig {
  const workflows = new Map<string, AnyWorkflow>();
  for (const wf of config.workflows) {
    if (workflows.has(wf.name)) throw new Error(`Workflow type "${wf.name}" is registered twice`);
    workflows.set(wf.name, wf);
  }
  return {
    workflows,
    activities: config.activities ?? {},
    limits: { ...DEFAULT_LIMITS, ...config.limits },
    codecs: config.codecs ?? [],
    retentionMs:
      config.retention === null
        ? null
        : config.retention === undefined
          ? DEFAULT_RETENTION_MS
          : toMs(config.retention),
  };
}

/** The bindings and variables the engine reads. */
export interface EngineEnv extends AuthEnv {
  WORKFLOW_EXECUTION: DurableObjectNamespace;
  /** JSON map task queue name → Queue binding name, e.g. `{"default":"ACTIVITY_QUEUE"}`. */
  SUNDIAL_TASK_QUEUES?: string;
  /** "1" enables test-only `unsafe*` hooks (clock skipping, forced replay). Never set in production. */
  SUNDIAL_UNSAFE?: string;
  /** "false" disables the warm cache: every activation replays from SQLite (as Temporal's maxCachedWorkflows: 0). */
  SUNDIAL_STICKY?: string;
  /** The visibility index (list / count); optional: without it, listing is unavailable. */
  VISIBILITY?: D1Database;
  /**
   * Producer of the visibility queue, consumed by this Worker (wrangler.toml): executions send
   * their rows there and the consumer writes them to D1 in batches. Optional: without it, each
   * execution writes its row to D1 itself (one D1 call per status change).
   */
  VISIBILITY_QUEUE?: Queue<unknown>;
  /** The visibility queue's name, when it is not "sundial-visibility" (the consumer's routing). */
  SUNDIAL_VISIBILITY_QUEUE?: string;
  /** "disabled" (local development) or "required" (the default when absent: a deployed engine). */
  SUNDIAL_AUTH?: string;
  /** Secret: HMAC key of task tokens (src/security/task-token-mac.ts). */
  SUNDIAL_TOKEN_SECRET?: string;
  /** Secret: the token secret before a rotation, still accepted (never used to sign). */
  SUNDIAL_TOKEN_SECRET_PREVIOUS?: string;
  /** Secret: AES-256-GCM keys of stored payloads, `{"primary": "<id>", "keys": {"<id>": "<base64 32 bytes>"}}`. */
  SUNDIAL_ENCRYPTION_KEYS?: string;
  /** The ScheduleObject class (one per namespace + schedule id); optional: without it, no schedules. */
  SCHEDULE?: DurableObjectNamespace;
}
