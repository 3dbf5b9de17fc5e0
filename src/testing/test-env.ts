/**
 * @module createTestEnv: the test kit for a user's workflows inside @cloudflare/vitest-pool-workers,
 * in the spirit of Temporal's TestWorkflowEnvironment. It drives the real engine of the test Worker
 * (its HTTP API through `SELF`, its objects' test-only `unsafe*` hooks): typed handles whose
 * `result()` skips time whenever the executions wait on timers only, explicit `sleep`, schedules
 * whose actions (and the workflows they start) time skipping covers, per-test activity mocks,
 * evictions and crash points.
 *
 * The test Worker must be the user's Sundial Worker (`main` of the vitest config) with
 * `SUNDIAL_UNSAFE: "1"` among its bindings: see the README's "Testing your workflows".
 */
import { onTestFinished } from "vitest";
import type { Activities } from "../../sdk/activity/index";
import type {
  AnyWorkflowDefinition,
  StartWorkflowBaseOptions,
  WorkflowInput,
  WorkflowOutput,
} from "../../sdk/client/client-types";
import {
  createClient,
  type ScheduleHandle,
  SundialApiError,
  type SundialClient,
  WorkflowFailedError,
  type WorkflowHandle,
} from "../../sdk/client/index";
import { type Duration, toMs } from "../../sdk/common/duration";
import type { ScheduleBody } from "../../sdk/common/schedule";
import type { WireEvent, WorkflowDescription } from "../../sdk/common/wire";
import type { QueryDefinition, SignalDefinition, UpdateDefinition } from "../../sdk/workflow/index";
import { setActivityMocks } from "../execution/activity/test-mocks";
import type { CrashPoint, TransitionKind } from "../execution/crash-points";
import { busyWith, type Look, TimeSkipper } from "./time-skip";
import {
  type ExecutionStub,
  executionStubOf,
  pause,
  type ScheduleStub,
  scheduleStubOf,
  type Workerd,
  workerd,
} from "./workerd";

export interface TestEnvOptions {
  /** Namespace of every workflow the env starts. @default "default" */
  namespace?: string;
  /** The Durable Object binding of the engine's WorkflowExecution class. @default "WORKFLOW_EXECUTION" */
  binding?: string;
  /** The Durable Object binding of the engine's ScheduleObject class. @default "SCHEDULE" */
  scheduleBinding?: string;
  /**
   * Evict every object before each time skip, so each timer fires on an object that replays from
   * storage (a stricter test, as the repository's `cold` project). @default false
   */
  evictOnSkip?: boolean;
}

/** Options of {@link TestEnv.start}: the client's start options, without `input` (an argument). */
export type TestStartOptions = StartWorkflowBaseOptions;

/** Options of {@link TestWorkflowHandle.result}. */
export interface TestResultOptions {
  /** Real (wall) time to wait before giving up with what the workflow still waits on. @default "60s" */
  timeout?: Duration;
}

/** Arguments of a handler whose input type is `A`: optional when it accepts `undefined`. */
type ArgsOf<A> = undefined extends A ? [input?: A] : [input: A];

/** A handle on a workflow started by the env (or found with {@link TestEnv.getHandle}). */
export interface TestWorkflowHandle<W extends AnyWorkflowDefinition = AnyWorkflowDefinition> {
  readonly workflowId: string;
  /** The run started (the latest run for a handle from getHandle). */
  readonly runId: string | undefined;
  /**
   * Waits for the workflow to close, skipping time while it (and its children) wait on timers only.
   * @throws {@link WorkflowFailedError} when it failed, was canceled or terminated, or timed out.
   */
  result(options?: TestResultOptions): Promise<WorkflowOutput<W>>;
  describe(): Promise<WorkflowDescription>;
  /** The latest run's whole history (every page). */
  history(): Promise<WireEvent[]>;
  signal<A>(signal: SignalDefinition<A>, ...input: ArgsOf<A>): Promise<void>;
  query<R, A>(query: QueryDefinition<R, A>, ...input: ArgsOf<A>): Promise<R>;
  update<R, A>(update: UpdateDefinition<R, A>, ...input: ArgsOf<A>): Promise<R>;
  cancel(reason?: string): Promise<void>;
  terminate(reason?: string): Promise<void>;
}

export interface TestEnv {
  /** The typed HTTP client on the test Worker (for what the handles do not cover). */
  client(): Promise<SundialClient>;
  /**
   * Starts `workflow` with `input`. A `workflowId` is made up unless given.
   * @example const handle = await env.start(approval, { item: "laptop" }); await handle.result();
   */
  start<W extends AnyWorkflowDefinition>(
    workflow: W,
    input: WorkflowInput<W>,
    options?: TestStartOptions,
  ): Promise<TestWorkflowHandle<W>>;
  /** A handle on an existing workflow (followed by time skipping from now on). */
  getHandle<W extends AnyWorkflowDefinition = AnyWorkflowDefinition>(
    workflowId: string,
  ): TestWorkflowHandle<W>;
  /**
   * Creates a schedule at the env's virtual time and follows it: `sleep` and `result()` move its
   * clock with the executions' and run each of its actions at its time, in order; the workflows it
   * starts begin at the env's time and are followed too.
   * @example
   * const schedule = await env.createSchedule({ scheduleId: "daily", spec: { cron: ["0 9 * * *"] },
   *   action: { startWorkflow: { workflowType: "report" } } });
   * await env.sleep("3d");
   * const { info } = await schedule.describe();
   */
  createSchedule(body: ScheduleBody): Promise<ScheduleHandle>;
  /** A handle on an existing schedule, followed by time skipping from now on (see createSchedule). */
  getScheduleHandle(scheduleId: string): ScheduleHandle;
  /**
   * Moves virtual time forward by `duration` for every execution and schedule the env follows,
   * firing each timer and schedule action that comes due at its own time, in order.
   */
  sleep(duration: Duration): Promise<void>;
  /** The virtual time (ms since the epoch): real time plus every skip so far. */
  now(): number;
  /**
   * Replaces the activities of these types (queue and local) with `mocks` until the current test
   * ends. Mocks run in the engine's own Worker; an activity Worker of its own is not reached.
   */
  mockActivities(mocks: Activities): void;
  /** Removes every mock now. */
  resetMocks(): void;
  /** Drops every Durable Object's memory (storage and alarms survive): the next call replays. */
  evictAll(): Promise<void>;
  /**
   * Makes the workflow's object crash at `point` of its next transition (of `kind`, if given), as a
   * real crash would: the transition's caller gets an error and recovery runs from storage.
   */
  crashNextTransition(
    handle: { workflowId: string },
    point: CrashPoint,
    options?: { kind?: TransitionKind },
  ): Promise<void>;
}

/** Retries a call a crash point (or an eviction) made fail with a 5xx, as a production client would. */
async function retried<T>(call: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      const transient =
        (err instanceof SundialApiError && err.status >= 500) ||
        (err instanceof Error && /disconnected|reset|crash/i.test(err.message));
      if (!transient || Date.now() > deadline) throw err;
      await pause(20);
    }
  }
}

function waitingOn(looks: readonly Look[]): string {
  return looks
    .map((l) => {
      const d = l.description;
      const busy = busyWith(l);
      const timers = l.timers.map((t) => `${t.kind} at ${new Date(t.fireAtMs).toISOString()}`);
      return `${l.workflowId} (${d.status}): ${busy ?? (timers.length > 0 ? `timers ${timers.join(", ")}` : "nothing the kit can advance (a signal or update?)")}${d.workflowTaskFailure ? `; workflow task failing: ${d.workflowTaskFailure.message}` : ""}`;
    })
    .join("; ");
}

/**
 * Creates a test environment on the test Worker's engine. Call it at the top of a test file.
 * @example
 * const env = createTestEnv();
 * it("sleeps 30 days", async () => {
 *   const handle = await env.start(reminder, { days: 30 });
 *   expect(await handle.result()).toBe("reminded");
 * });
 */
export function createTestEnv(options: TestEnvOptions = {}): TestEnv {
  const namespace = options.namespace ?? "default";
  const binding = options.binding ?? "WORKFLOW_EXECUTION";
  const scheduleBinding = options.scheduleBinding ?? "SCHEDULE";
  let cf: Workerd | undefined;
  let sundial: SundialClient | undefined;
  let skipper: TimeSkipper | undefined;
  let counter = 0;
  /** The workflows time skipping follows (their children are found through them). */
  const tracked = new Set<string>();
  /** The schedules time skipping follows. */
  const schedules = new Set<string>();

  const stubOf = (workflowId: string): ExecutionStub => {
    if (!cf) throw new Error("sundial/testing: the environment is not ready");
    return executionStubOf(cf, binding, namespace, workflowId);
  };
  const scheduleStub = (scheduleId: string): ScheduleStub => {
    if (!cf) throw new Error("sundial/testing: the environment is not ready");
    return scheduleStubOf(cf, scheduleBinding, namespace, scheduleId);
  };

  async function ready(): Promise<{ client: SundialClient; skipper: TimeSkipper }> {
    if (!cf || !sundial || !skipper) {
      cf = await workerd();
      const self = cf.SELF;
      if (cf.env.SUNDIAL_UNSAFE !== "1") {
        throw new Error(
          'sundial/testing needs the engine\'s test hooks: add SUNDIAL_UNSAFE: "1" to miniflare.bindings in vitest.config.ts (never in wrangler.toml)',
        );
      }
      const client = createClient({
        baseUrl: "http://sundial.test",
        ...(namespace !== "default" ? { namespace } : {}),
        fetch: (input, init) => self.fetch(input, init),
      });
      sundial = client;
      const describe = async (workflowId: string) => {
        try {
          return await retried(() => client.getHandle(workflowId).describe());
        } catch (err) {
          if (err instanceof SundialApiError && err.code === "NotFound") return undefined;
          throw err;
        }
      };
      const describeSchedule = async (scheduleId: string) => {
        try {
          return await retried(() => client.schedule.getHandle(scheduleId).describe());
        } catch (err) {
          if (err instanceof SundialApiError && err.code === "NotFound") return undefined;
          throw err;
        }
      };
      skipper = new TimeSkipper({
        cf,
        stub: stubOf,
        describe,
        evictOnSkip: options.evictOnSkip ?? false,
        tracked,
        scheduleStub,
        describeSchedule,
        schedules,
      });
    }
    return { client: sundial, skipper };
  }

  function handleOf<W extends AnyWorkflowDefinition>(
    workflowId: string,
    runId: string | undefined,
  ): TestWorkflowHandle<W> {
    const latest = async (): Promise<WorkflowHandle<WorkflowOutput<W>>> =>
      (await ready()).client.getHandle<W>(workflowId);
    return {
      workflowId,
      runId,
      async result(resultOptions: TestResultOptions = {}) {
        const { skipper: s } = await ready();
        const handle = await latest();
        const deadline = Date.now() + toMs(resultOptions.timeout ?? "60s");
        for (;;) {
          const r = await retried(() => handle.pollResult());
          if (r.status === "Completed") return r.result as WorkflowOutput<W>;
          if (r.status !== "Running") {
            throw new WorkflowFailedError(workflowId, r.runId, r.status, r.failure);
          }
          const { looks } = await s.step();
          const failing = looks.find((l) => (l.description.workflowTaskFailure?.attempt ?? 0) >= 3);
          if (failing || Date.now() > deadline) {
            throw new Error(
              `sundial/testing: ${workflowId} did not close (${failing ? "its workflow task keeps failing" : `still running after ${resultOptions.timeout ?? "60s"}`}): ${waitingOn(looks)}`,
            );
          }
        }
      },
      async describe() {
        return (await latest()).describe();
      },
      async history() {
        return (await latest()).fetchAllHistory();
      },
      async signal(signal, ...input) {
        const handle = await latest();
        const requestId = crypto.randomUUID();
        await retried(() => handle.signal(signal.name, input[0], { requestId }));
      },
      async query(query, ...input) {
        const handle = await latest();
        return retried(() => handle.query(query.name, input[0]));
      },
      async update(update, ...input) {
        const handle = await latest();
        const updateId = crypto.randomUUID();
        return retried(() => handle.update(update.name, input[0], { updateId }));
      },
      async cancel(reason) {
        const handle = await latest();
        await retried(() => handle.cancel(reason));
      },
      async terminate(reason) {
        const handle = await latest();
        await retried(() => handle.terminate(reason));
      },
    };
  }

  /** The client's schedule handle, followed by time skipping while the schedule exists. */
  function scheduleHandleOf(scheduleId: string): ScheduleHandle {
    schedules.add(scheduleId);
    const handle = async () => (await ready()).client.schedule.getHandle(scheduleId);
    return {
      scheduleId,
      describe: async () => (await handle()).describe(),
      update: async (body) => (await handle()).update(body),
      pause: async (note) => (await handle()).pause(note),
      unpause: async (note) => (await handle()).unpause(note),
      trigger: async (triggerOptions) => (await handle()).trigger(triggerOptions),
      backfill: async (backfillOptions) => (await handle()).backfill(backfillOptions),
      async delete() {
        await (await handle()).delete();
        schedules.delete(scheduleId);
      },
    };
  }

  return {
    async client() {
      return (await ready()).client;
    },
    async createSchedule(body) {
      const { client, skipper: s } = await ready();
      // Created at the env's time: its first action times count from there.
      await retried(() => s.alignSchedule(body.scheduleId));
      await client.schedule.create(body);
      const handle = scheduleHandleOf(body.scheduleId);
      await s.followSchedule(body.scheduleId);
      return handle;
    },
    getScheduleHandle(scheduleId) {
      return scheduleHandleOf(scheduleId);
    },
    async start(workflow, input, startOptions = {}) {
      const { client, skipper: s } = await ready();
      counter += 1;
      const workflowId =
        startOptions.workflowId ?? `${workflow.name}-${counter}-${crypto.randomUUID().slice(0, 8)}`;
      const requestId = startOptions.requestId ?? crypto.randomUUID();
      await retried(() => s.align(workflowId));
      const started = await retried(() =>
        client.start(workflow, {
          ...startOptions,
          workflowId,
          requestId,
          input,
        } as Parameters<SundialClient["start"]>[1]),
      );
      tracked.add(workflowId);
      return handleOf(workflowId, started.runId);
    },
    getHandle(workflowId) {
      tracked.add(workflowId);
      return handleOf(workflowId, undefined);
    },
    async sleep(duration) {
      const { skipper: s } = await ready();
      await s.sleep(toMs(duration));
    },
    now() {
      return skipper?.now() ?? Date.now();
    },
    mockActivities(mocks) {
      setActivityMocks(mocks);
      try {
        onTestFinished(() => setActivityMocks({}));
      } catch {
        // Outside a test (e.g. beforeAll): the mocks stay until resetMocks().
      }
    },
    resetMocks() {
      setActivityMocks({});
    },
    async evictAll() {
      await ready();
      await cf?.abortAllDurableObjects();
    },
    async crashNextTransition(handle, point, crashOptions = {}) {
      await ready();
      await stubOf(handle.workflowId).unsafeCrashAt(point, crashOptions);
    },
  };
}
