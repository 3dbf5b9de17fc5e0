/**
 * @module Time skipping for the test kit, as Temporal's time-skipping test server does it: while
 * every execution a test follows (and their children) waits on nothing but timers, move their clocks
 * to the earliest timer and fire it; while anything real is under way (an activity on the queue, a
 * message in an outbox, a child being started, a local activity), let real time run.
 *
 * Every execution and schedule object keeps its own clock offset (their `unsafeAdvanceClock`, a
 * test-only hook that needs SUNDIAL_UNSAFE=1). A skip moves every followed clock by the same amount,
 * to the earliest timer or schedule action of any of them; the kit's virtual time is real time plus
 * {@link offsetMs}, the sum of the skips, and a workflow or schedule the env creates begins at it. A
 * followed schedule brings the clock of each workflow it starts to its own before the start, and
 * the kit follows those workflows (their timers are skipped too).
 */
import type { ScheduleDescription } from "../../sdk/common/schedule";
import type { WorkflowDescription } from "../../sdk/common/wire";
import { type ExecutionStub, pause, type ScheduleStub, type Workerd } from "./workerd";

/** One execution's state, as the skipper looks at it. */
export interface Look {
  workflowId: string;
  description: WorkflowDescription;
  timers: Array<{ key: string; kind: string; fireAtMs: number }>;
  /** Outbox rows not yet delivered (activity tasks, messages, visibility rows). */
  outbox: number;
}

export interface SkipperDeps {
  cf: Workerd;
  stub(workflowId: string): ExecutionStub;
  /** Undefined when the workflow does not exist (yet). */
  describe(workflowId: string): Promise<WorkflowDescription | undefined>;
  /** Evict every object before each skip (proves each timer fires on an object that restarts from storage). */
  evictOnSkip: boolean;
  /** The workflow ids followed (the env adds to it as it starts workflows). */
  tracked: Set<string>;
  scheduleStub(scheduleId: string): ScheduleStub;
  /** Undefined when the schedule does not exist (any more). */
  describeSchedule(scheduleId: string): Promise<ScheduleDescription | undefined>;
  /** The schedule ids followed (the env adds to it as it creates schedules). */
  schedules: Set<string>;
}

/** One followed schedule, as the skipper looks at it. */
export interface ScheduleLook {
  scheduleId: string;
  /** When its alarm (next action, or an outbox retry) fires, in real time; null when none. */
  armedAtMs: number | null;
  /** Outbox rows not yet tried (starts, ends, its list row): real work under way. */
  delivering: number;
  running: string[];
}

/** Everything followed: executions (and their children) and schedules. */
interface View {
  executions: Look[];
  schedules: ScheduleLook[];
}

/** How long `sleep` waits for outboxes to deliver (a start, a close notice) between two steps. */
const SETTLE_WAIT_MS = 10_000;
/** Steps of `sleep` in a row that move no time before it gives up (an alarm that never runs). */
const MAX_STILL_STEPS = 100;
/** How long an alarm may take to run after a skip before the kit stops waiting for it. */
const ALARM_WAIT_MS = 10_000;
/** Between two looks while real work is under way. */
const POLL_MS = 20;

/** Why a look found the execution busy with real work, or undefined when it waits on timers only. */
export function busyWith(look: Look): string | undefined {
  const d = look.description;
  const fresh = look.outbox - d.pendingDeliveries.length;
  if (fresh > 0) return `${fresh} outbox message(s) being delivered`;
  if (d.status !== "Running") return undefined;
  const active = d.pendingActivities.filter((a) => a.state !== "Backoff");
  if (active.length > 0) {
    return `activities under way: ${active.map((a) => `${a.activityType} (${a.state})`).join(", ")}`;
  }
  const starting = d.pendingChildren.filter((c) => c.state === "Initiated");
  if (starting.length > 0) return `child ${starting[0]!.workflowId} being started`;
  return undefined;
}

/** Whether the execution's outbox holds messages not yet tried (they are delivered at once). */
function delivering(look: Look): boolean {
  return look.outbox - look.description.pendingDeliveries.length > 0;
}

function scheduleFingerprint(s: ScheduleLook): string {
  return `${s.scheduleId}:${s.armedAtMs}:${s.delivering}:${s.running.join(",")}`;
}

function fingerprint(look: Look): string {
  const d = look.description;
  return `${d.runId}:${d.status}:${d.historyLength}:${look.timers.map((t) => `${t.key}@${t.fireAtMs}`).join(",")}:${look.outbox}`;
}

export class TimeSkipper {
  /** How far the virtual clock is ahead of real time. */
  offsetMs = 0;
  readonly #deps: SkipperDeps;
  readonly #tracked: Set<string>;
  /** Schedules whose starts align their targets' clocks (see ScheduleObject.unsafeFollowStarts). */
  readonly #aligning = new Set<string>();

  constructor(deps: SkipperDeps) {
    this.#deps = deps;
    this.#tracked = deps.tracked;
  }

  /** The virtual time (ms since the epoch). */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Every followed execution and its children, recursively, as they are now. */
  async look(): Promise<Look[]> {
    const looks: Look[] = [];
    const seen = new Set<string>();
    const queue = [...this.#tracked];
    while (queue.length > 0) {
      const workflowId = queue.shift()!;
      if (seen.has(workflowId)) continue;
      seen.add(workflowId);
      const description = await this.#deps.describe(workflowId);
      if (!description) continue;
      const stub = this.#deps.stub(workflowId);
      const [allTimers, alarm] = await Promise.all([stub.unsafeTimers(), stub.unsafeAlarm()]);
      // Retention deletions are housekeeping, not progress: automatic skipping never jumps to one
      // (it would delete closed runs a test still reads). `env.sleep` past a retention still does.
      const timers = allTimers.filter((t) => t.kind !== "retention");
      if (description.status !== "Running" && alarm.outbox === 0 && timers.length === 0) {
        // Closed and quiet: nothing of it is left to skip (a new start follows it again).
        this.#tracked.delete(workflowId);
        continue;
      }
      looks.push({ workflowId, description, timers, outbox: alarm.outbox });
      for (const child of description.pendingChildren) queue.push(child.workflowId);
    }
    return looks;
  }

  /** Every followed schedule; the workflows they run are followed from now on. */
  async #lookSchedules(): Promise<ScheduleLook[]> {
    const looks: ScheduleLook[] = [];
    for (const scheduleId of [...this.#deps.schedules]) {
      const d = await this.#deps.describeSchedule(scheduleId);
      if (!d) {
        this.#deps.schedules.delete(scheduleId);
        continue;
      }
      await this.followSchedule(scheduleId);
      const stub = this.#deps.scheduleStub(scheduleId);
      const [state, outbox] = await Promise.all([stub.unsafeAlarmState(), stub.unsafeOutbox()]);
      const running = d.info.runningWorkflows.map((w) => w.workflowId);
      for (const workflowId of running) this.#tracked.add(workflowId);
      looks.push({
        scheduleId,
        armedAtMs: state.armedAtMs,
        delivering: outbox.filter((r) => r.attempts === 0).length,
        running,
      });
    }
    return looks;
  }

  /** Schedules first: the workflows they started are followed in the same view. */
  async #view(): Promise<View> {
    const schedules = await this.#lookSchedules();
    return { schedules, executions: await this.look() };
  }

  /**
   * One step of time skipping: when every execution waits on timers only (and no schedule is
   * delivering), jump to the earliest timer or schedule action and fire it ("skipped"); otherwise
   * wait a moment of real time ("busy", or "idle" when nothing is scheduled at all: the executions
   * wait for a signal or an update).
   */
  async step(): Promise<{ outcome: "skipped" | "busy" | "idle"; looks: Look[] }> {
    const view = await this.#view();
    if (
      view.executions.some((l) => busyWith(l) !== undefined) ||
      view.schedules.some((s) => s.delivering > 0)
    ) {
      await pause(POLL_MS);
      return { outcome: "busy", looks: view.executions };
    }
    // A barrier (the hook runs in the object's lock, after any transition under way, such as a
    // local activity), then a second look: skip only if nothing moved meanwhile.
    const offsets = await this.#clocks(view.executions);
    const again = await this.#view();
    const looks = view.executions;
    const same =
      again.executions.length === looks.length &&
      again.executions.every((l, i) => fingerprint(l) === fingerprint(looks[i]!)) &&
      again.executions.every((l) => busyWith(l) === undefined) &&
      again.schedules.length === view.schedules.length &&
      again.schedules.every(
        (s, i) =>
          s.delivering === 0 && scheduleFingerprint(s) === scheduleFingerprint(view.schedules[i]!),
      );
    if (!same) return { outcome: "busy", looks: again.executions };
    const next = this.#earliest(again, offsets);
    if (next === Number.POSITIVE_INFINITY) {
      await pause(POLL_MS);
      return { outcome: "idle", looks: again.executions };
    }
    await this.#advance(again, Math.max(0, Math.ceil(next - Date.now())));
    return { outcome: "skipped", looks: again.executions };
  }

  /**
   * Moves every followed clock by `ms`, one due event at a time: each timer and schedule action in
   * the window fires at its own time, in order, and the outboxes (a schedule's starts, a workflow's
   * close notice to its schedule) deliver before the next one. Activities keep running in real time.
   */
  async sleep(ms: number): Promise<void> {
    const target = this.offsetMs + ms;
    let still = 0;
    for (;;) {
      const view = await this.#settled();
      const offsets = await this.#clocks(view.executions);
      const next = this.#earliest(view, offsets);
      const left = target - this.offsetMs;
      const step =
        next === Number.POSITIVE_INFINITY ? next : Math.max(0, Math.ceil(next - Date.now()));
      if (step > left) {
        await this.#advance(view, left);
        await this.#settled();
        return;
      }
      still = step === 0 ? still + 1 : 0;
      if (still > MAX_STILL_STEPS) {
        throw new Error(
          "sundial/testing: sleep made no progress (an alarm stays due and does not run)",
        );
      }
      await this.#advance(view, step);
    }
  }

  /**
   * Brings `workflowId`'s object to the kit's virtual time before it starts, so its workflow time is
   * the env's (`now()`). Children start at the engine's own time instead: skips move every clock by
   * the same amount, so their timers still fire in the right order.
   */
  async align(workflowId: string): Promise<void> {
    const stub = this.#deps.stub(workflowId);
    const behind = this.offsetMs - ((await stub.unsafeAdvanceClock(0)) - Date.now());
    if (behind > 0) await stub.unsafeAdvanceClock(behind);
  }

  /**
   * Brings schedule `scheduleId`'s object to the kit's virtual time before it is created (its first
   * action times count from its creation).
   */
  async alignSchedule(scheduleId: string): Promise<void> {
    const stub = this.#deps.scheduleStub(scheduleId);
    const behind = this.offsetMs - ((await stub.unsafeAdvanceClock(0)) - Date.now());
    if (behind > 0) await stub.unsafeAdvanceClock(behind);
  }

  /**
   * Makes the schedule bring each workflow it starts to its own clock (the kit's virtual time)
   * before the start; once per schedule. Also stores the clock of a schedule just created.
   */
  async followSchedule(scheduleId: string): Promise<void> {
    if (this.#aligning.has(scheduleId)) return;
    await this.#deps.scheduleStub(scheduleId).unsafeFollowStarts();
    this.#aligning.add(scheduleId);
  }

  /** The view once no outbox has messages being delivered (waits at most SETTLE_WAIT_MS). */
  async #settled(): Promise<View> {
    const deadline = Date.now() + SETTLE_WAIT_MS;
    for (;;) {
      const view = await this.#view();
      const quiet =
        !view.executions.some(delivering) && !view.schedules.some((s) => s.delivering > 0);
      if (quiet || Date.now() > deadline) return view;
      await pause(POLL_MS);
    }
  }

  /** The real time of the earliest timer or schedule alarm (+Infinity when there is none). */
  #earliest(view: View, offsets: Map<string, number>): number {
    let next = Number.POSITIVE_INFINITY;
    for (const l of view.executions) {
      const offset = offsets.get(l.workflowId) ?? this.offsetMs;
      for (const t of l.timers) next = Math.min(next, t.fireAtMs - offset);
    }
    for (const s of view.schedules) {
      if (s.armedAtMs !== null) next = Math.min(next, s.armedAtMs);
    }
    return next;
  }

  /** Each execution's clock offset; the hook is also a barrier (it waits for the object's lock). */
  async #clocks(looks: readonly Look[]): Promise<Map<string, number>> {
    const offsets = new Map<string, number>();
    for (const l of looks) {
      const now = await this.#deps.stub(l.workflowId).unsafeAdvanceClock(0);
      offsets.set(l.workflowId, now - Date.now());
    }
    return offsets;
  }

  async #advance(view: View, ms: number): Promise<void> {
    const { cf } = this.#deps;
    if (this.#deps.evictOnSkip) await cf.abortAllDurableObjects();
    this.offsetMs += ms;
    const due: Array<{ stub: () => AlarmStub; before: number }> = [];
    for (const l of view.executions) {
      const stub = () => this.#deps.stub(l.workflowId);
      const { runs } = await stub().unsafeAlarmState();
      const now = await stub().unsafeAdvanceClock(ms);
      if (l.timers.some((t) => t.fireAtMs <= now)) due.push({ stub, before: runs });
    }
    // Executions first: at the same instant, a workflow's close reaches its schedule before the
    // schedule's next action is judged against it.
    for (const s of view.schedules) {
      const stub = () => this.#deps.scheduleStub(s.scheduleId);
      const { runs } = await stub().unsafeAlarmState();
      await stub().unsafeAdvanceClock(ms);
      const after = await stub().unsafeAlarmState();
      if (after.runs > runs || (after.armedAtMs !== null && after.armedAtMs <= Date.now())) {
        due.push({ stub, before: runs });
      }
    }
    for (const d of due) await this.#fireAlarm(d.stub, d.before);
  }

  /**
   * Runs the object's alarm until a handler ran to its end. Advancing the clock armed the alarm in
   * the past, so workerd may run it first (then runDurableObjectAlarm finds none); a crash point may
   * make it throw, and running it again is the recovery.
   */
  async #fireAlarm(stubOf: () => AlarmStub, before: number): Promise<void> {
    const deadline = Date.now() + ALARM_WAIT_MS;
    while (Date.now() < deadline) {
      const stub = stubOf();
      try {
        await this.#deps.cf.runDurableObjectAlarm(stub);
      } catch {
        // A crash in the alarm (fault injection): the next run recovers.
      }
      try {
        if ((await stub.unsafeAlarmState()).runs > before) return;
      } catch {
        // The object was reset meanwhile: look again.
      }
      await pause(POLL_MS);
    }
  }
}

/** What firing an alarm needs of an execution's or a schedule's stub. */
type AlarmStub = ExecutionStub | ScheduleStub;
