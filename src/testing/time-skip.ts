/**
 * @module Time skipping for the test kit, as Temporal's time-skipping test server does it: while
 * every execution a test follows (and their children) waits on nothing but timers, move their clocks
 * to the earliest timer and fire it; while anything real is under way (an activity on the queue, a
 * message in an outbox, a child being started, a local activity), let real time run.
 *
 * Every execution object keeps its own clock offset (the engine's `unsafeAdvanceClock`, a test-only
 * hook that needs SUNDIAL_UNSAFE=1). A skip moves every followed clock by the same amount, to the
 * earliest timer of any of them; the kit's virtual time is real time plus {@link offsetMs}, the sum
 * of the skips, and a workflow the env starts begins at it.
 */
import type { WorkflowDescription } from "../../sdk/common/wire";
import { type ExecutionStub, pause, type Workerd } from "./workerd";

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
}

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

function fingerprint(look: Look): string {
  const d = look.description;
  return `${d.runId}:${d.status}:${d.historyLength}:${look.timers.map((t) => `${t.key}@${t.fireAtMs}`).join(",")}:${look.outbox}`;
}

export class TimeSkipper {
  /** How far the virtual clock is ahead of real time. */
  offsetMs = 0;
  readonly #deps: SkipperDeps;
  readonly #tracked: Set<string>;

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

  /**
   * One step of time skipping: when every execution waits on timers only, jump to the earliest
   * timer and fire it ("skipped"); otherwise wait a moment of real time ("busy", or "idle" when
   * nothing is scheduled at all: the executions wait for a signal or an update).
   */
  async step(): Promise<{ outcome: "skipped" | "busy" | "idle"; looks: Look[] }> {
    const looks = await this.look();
    if (looks.some((l) => busyWith(l) !== undefined)) {
      await pause(POLL_MS);
      return { outcome: "busy", looks };
    }
    // A barrier (the hook runs in the object's lock, after any transition under way, such as a
    // local activity), then a second look: skip only if nothing moved meanwhile.
    const offsets = await this.#clocks(looks);
    const again = await this.look();
    const same =
      again.length === looks.length &&
      again.every((l, i) => fingerprint(l) === fingerprint(looks[i]!)) &&
      again.every((l) => busyWith(l) === undefined);
    if (!same) return { outcome: "busy", looks: again };
    let next = Number.POSITIVE_INFINITY;
    for (const l of again) {
      const offset = offsets.get(l.workflowId) ?? this.offsetMs;
      for (const t of l.timers) next = Math.min(next, t.fireAtMs - offset);
    }
    if (next === Number.POSITIVE_INFINITY) {
      await pause(POLL_MS);
      return { outcome: "idle", looks: again };
    }
    await this.#advance(again, Math.max(0, Math.ceil(next - Date.now())));
    return { outcome: "skipped", looks: again };
  }

  /** Moves every followed execution's clock by `ms` and fires the timers that came due. */
  async sleep(ms: number): Promise<void> {
    const looks = await this.look();
    await this.#clocks(looks);
    await this.#advance(looks, ms);
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

  /** Each execution's clock offset; the hook is also a barrier (it waits for the object's lock). */
  async #clocks(looks: readonly Look[]): Promise<Map<string, number>> {
    const offsets = new Map<string, number>();
    for (const l of looks) {
      const now = await this.#deps.stub(l.workflowId).unsafeAdvanceClock(0);
      offsets.set(l.workflowId, now - Date.now());
    }
    return offsets;
  }

  async #advance(looks: readonly Look[], ms: number): Promise<void> {
    const { cf } = this.#deps;
    if (this.#deps.evictOnSkip) await cf.abortAllDurableObjects();
    this.offsetMs += ms;
    const due: Array<{ workflowId: string; before: number }> = [];
    for (const l of looks) {
      const stub = this.#deps.stub(l.workflowId);
      const { runs } = await stub.unsafeAlarmState();
      const now = await stub.unsafeAdvanceClock(ms);
      if (l.timers.some((t) => t.fireAtMs <= now))
        due.push({ workflowId: l.workflowId, before: runs });
    }
    for (const d of due) await this.#fireAlarm(d.workflowId, d.before);
  }

  /**
   * Runs the object's alarm until a handler ran to its end. Advancing the clock armed the alarm in
   * the past, so workerd may run it first (then runDurableObjectAlarm finds none); a crash point may
   * make it throw, and running it again is the recovery.
   */
  async #fireAlarm(workflowId: string, before: number): Promise<void> {
    const deadline = Date.now() + ALARM_WAIT_MS;
    while (Date.now() < deadline) {
      const stub = this.#deps.stub(workflowId);
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
