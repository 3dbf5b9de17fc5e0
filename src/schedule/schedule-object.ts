/**
 * @module The ScheduleObject Durable Object: one per namespace + schedule id (DESIGN.md,
 * Schedules). Its one alarm is the next action time (nominal time + jitter) or an outbox retry.
 * Each action is decided and recorded in one transaction with its outbox row, then delivered (a
 * start with a deterministic workflow id and request id, so a redelivery starts nothing twice). It
 * learns of closes from the executions' close notices, never by polling. Decisions are pure
 * (policy.ts); tables and SQL in store.ts; delivery in delivery.ts; describe in describe.ts.
 */
import { DurableObject } from "cloudflare:workers";
import type { OverlapPolicy } from "../../sdk/common/schedule";
import { limitedLog } from "../common/log-limit";
import type { EngineEnv } from "../config";
import { errorReply, json } from "../execution/replies";
import type { Ack, CloseNotice, Reply } from "../execution/rpc";
import * as actions from "./actions";
import { alignStartTarget, type DeliveryReply, deliverRow } from "./delivery";
import { describeSchedule, indexRow } from "./describe";
import { deleteScheduleIndex } from "./index-store";
import { acts, pausesOnFailure } from "./policy";
import {
  type CompiledSpec,
  compileSpec,
  jitterMs,
  nextNominalTime,
  nominalTimesBetween,
} from "./spec-api";
import * as store from "./store";
import type { ScheduleDefinition } from "./types";

/** Running workflows describe lists (the first, by nominal time); the count is unbounded. */
const MAX_DESCRIBED_RUNNING = 100;

/** Most actions one backfill may request (refused with a 400 past it). */
export const MAX_BACKFILL_ACTIONS = 1000;

/** Test hook: where the next action crashes (after its commit, or after its delivery). */
export type ScheduleCrashPoint = "afterCommit" | "afterDelivery";

export class ScheduleCrashError extends Error {
  override name = "ScheduleCrashError";
}

export class ScheduleObjectBase extends DurableObject<EngineEnv> {
  readonly #sql: SqlStorage;
  #ready: boolean;
  #clockOffsetMs = 0;
  #compiled: { json: string; spec: CompiledSpec } | undefined;
  /** The list row (without its version) last queued by this instance, and the one being queued. */
  #indexed: string | undefined;
  #indexing: string | undefined;
  #delivery: Promise<void> | undefined;
  #deliverAgain = false;
  #alarmRuns = 0;
  #alarmFailures = 0;
  #alarmWrites = 0;
  #crashAt: ScheduleCrashPoint | undefined;
  /** Test-only (unsafeFollowStarts): align each start's target clock to this one's first. */
  #alignStarts = false;

  constructor(ctx: DurableObjectState, env: EngineEnv) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    // A schedule never created keeps no storage: a close notice or describe of an unknown id
    // creates nothing.
    this.#ready = store.hasSchema(this.#sql);
    if (!this.#ready) return;
    if (store.readMeta(this.#sql, "schema_version") !== String(store.SCHEMA_VERSION)) {
      store.migrate(this.#sql);
    }
    if (this.env.SUNDIAL_UNSAFE === "1") {
      this.#clockOffsetMs = Number(store.readMeta(this.#sql, "clock_offset_ms") ?? 0);
      this.#alignStarts = store.readMeta(this.#sql, "align_starts") === "1";
    }
    // A crash between a commit and its alarm write leaves an action or outbox row with no alarm.
    // Only then: rewriting an alarm that is about to run (what woke this object, most often)
    // makes the runtime cancel and re-run it, about a second late.
    void ctx.blockConcurrencyWhile(async () => {
      const armed = await ctx.storage.getAlarm();
      const want = this.#wantedAlarm();
      if (want === null ? armed !== null : armed === null || armed > want) await this.#arm();
    });
  }

  #now(): number {
    return Date.now() + this.#clockOffsetMs;
  }

  #row(): store.ScheduleRow | undefined {
    return this.#ready ? store.scheduleRow(this.#sql) : undefined;
  }

  #spec(def: ScheduleDefinition): CompiledSpec {
    if (this.#compiled?.json !== def.specJson) {
      const compiled = compileSpec(JSON.parse(def.specJson));
      // Validated at create/update; a spec engine that now refuses it stops the schedule visibly.
      if (!compiled.ok) throw new Error(`stored spec no longer compiles: ${compiled.message}`);
      this.#compiled = { json: def.specJson, spec: compiled.spec };
    }
    return this.#compiled.spec;
  }

  #notFound(): Reply {
    return errorReply("NotFound", "Schedule not found");
  }

  // ---------------------------------------------------------------- RPC: operations

  async create(namespace: string, def: ScheduleDefinition): Promise<Reply> {
    if (this.#row()) {
      return errorReply("AlreadyStarted", `Schedule "${def.scheduleId}" already exists`);
    }
    if (!this.#ready) {
      store.migrate(this.#sql);
      this.#ready = true;
    }
    this.#commit(() => {
      store.insertSchedule(this.#sql, namespace, def, this.#now());
      this.#index();
    });
    await this.#afterCommit();
    return json(201, { scheduleId: def.scheduleId });
  }

  async describe(): Promise<Reply> {
    const row = this.#row();
    if (!row) return this.#notFound();
    const def = actions.definitionOf(row);
    return json(
      200,
      describeSchedule({
        row,
        def,
        spec: this.#spec(def),
        running: store.runningRows(this.#sql, MAX_DESCRIBED_RUNNING),
        recent: store.recentRows(this.#sql),
        buffered: store.count(this.#sql, "buffer"),
      }),
    );
  }

  async update(def: ScheduleDefinition): Promise<Reply> {
    if (!this.#row()) return this.#notFound();
    this.#commit(() => {
      store.replaceDefinition(this.#sql, def, this.#now());
      this.#index();
    });
    await this.#afterCommit();
    return json(200, {});
  }

  async pause(paused: boolean, note?: string): Promise<Reply> {
    const row = this.#row();
    if (!row) return this.#notFound();
    this.#commit(() => {
      const text = note ?? (paused ? "Paused" : "");
      store.setPaused(this.#sql, paused, text, this.#now());
      if (!paused) actions.releaseBuffer(this.#sql, this.#now());
      this.#index();
    });
    await this.#afterCommit();
    return json(200, {});
  }

  /** One action now, under the schedule's overlap policy or `overlap`. */
  async trigger(overlap?: OverlapPolicy): Promise<Reply> {
    const row = this.#row();
    if (!row) return this.#notFound();
    const def = actions.definitionOf(row);
    const now = this.#now();
    this.#commit(() => {
      actions.act(
        this.#sql,
        now,
        row,
        def,
        now,
        overlap ?? def.overlap,
        `trigger:${crypto.randomUUID()}`,
      );
      this.#index();
    });
    await this.#afterCommit();
    return json(200, {});
  }

  /** Every nominal time in [startMs, endMs], in order, each under `overlap` (or the policy). */
  async backfill(startMs: number, endMs: number, overlap?: OverlapPolicy): Promise<Reply> {
    const row = this.#row();
    if (!row) return this.#notFound();
    const def = actions.definitionOf(row);
    const times = nominalTimesBetween(
      this.#spec(def),
      startMs - 1,
      endMs,
      MAX_BACKFILL_ACTIONS + 1,
    );
    if (times.length > MAX_BACKFILL_ACTIONS) {
      return errorReply(
        "InvalidArgument",
        `The range holds more than ${MAX_BACKFILL_ACTIONS} actions; backfill a shorter range (several requests)`,
      );
    }
    const batch = crypto.randomUUID();
    this.#commit(() => {
      for (const t of times) {
        actions.act(
          this.#sql,
          this.#now(),
          row,
          def,
          t,
          overlap ?? def.overlap,
          `backfill:${batch}:${t}`,
        );
      }
      this.#index();
    });
    await this.#afterCommit();
    return json(200, { actions: times.length });
  }

  /** Deletes the schedule: its storage, alarm and index row. Its running workflows keep running. */
  async delete(): Promise<Reply> {
    const row = this.#row();
    if (!row) return this.#notFound();
    // A delivery under way (an index upsert) must not land after the index row's deletion.
    await this.#delivery?.catch(() => undefined);
    if (this.env.VISIBILITY) {
      await deleteScheduleIndex(this.env.VISIBILITY, row.namespace, row.schedule_id);
    }
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.#ready = false;
    this.#compiled = undefined;
    this.#indexed = undefined;
    return json(200, {});
  }

  /** A close notice from a workflow this schedule started (delivered by its outbox, maybe twice). */
  async workflowClosed(notice: CloseNotice): Promise<Ack> {
    const row = this.#row();
    if (!row) return { ok: true };
    if (!store.isRunning(this.#sql, notice.workflowId)) return { ok: true };
    const def = actions.definitionOf(row);
    this.#commit(() => {
      this.#sql.exec("DELETE FROM running WHERE workflow_id = ?", notice.workflowId);
      store.setRecentStatus(this.#sql, notice.workflowId, notice.status, notice.runId);
      if (def.pauseOnFailure && pausesOnFailure(notice.status)) {
        const why = notice.failureMessage ? `: ${notice.failureMessage}` : "";
        const note = `Paused by pauseOnFailure: workflow "${notice.workflowId}" ${notice.status}${why}`;
        store.setPaused(this.#sql, true, note.slice(0, 1024), this.#now());
      }
      actions.releaseBuffer(this.#sql, this.#now());
      this.#index();
    });
    await this.#afterCommit();
    return { ok: true };
  }

  // ---------------------------------------------------------------- alarm

  override async alarm(): Promise<void> {
    try {
      const row = this.#row();
      if (row) {
        const def = actions.definitionOf(row);
        if (acts({ paused: row.paused === 1, remainingActions: row.remaining_actions })) {
          this.#commit(() => {
            actions.wake(this.#sql, this.#now(), row, def, this.#spec(def));
            this.#index();
          });
        }
        await this.#afterCommit();
      }
      this.#alarmFailures = 0;
    } catch (err) {
      // A throwing handler is retried a few times by the runtime and then dropped, and the
      // schedule with it: never throw; try again with backoff (1 s, 2 s, … up to 5 min).
      if (err instanceof ScheduleCrashError) throw err;
      this.#alarmFailures += 1;
      limitedLog(
        "error",
        "schedule alarm",
        `sundial: schedule alarm failed (${String(err)}); retrying`,
      );
      const delay = Math.min(1000 * 2 ** (this.#alarmFailures - 1), 5 * 60_000);
      await this.ctx.storage.setAlarm(Date.now() + delay);
    }
    this.#alarmRuns += 1;
  }

  /**
   * Inside a transaction: queues the schedule's list row (versioned: a late write loses), unless no
   * index is bound or the row is the one this instance last queued (a close changes nothing in it).
   */
  #index(): void {
    const row = this.#row();
    if (!row || !this.env.VISIBILITY) return;
    const def = actions.definitionOf(row);
    const next = this.#nextActionMs(row, def);
    const body = indexRow(row, def, this.#spec(def), next);
    const same = JSON.stringify({ ...body, version: 0 });
    if (same === this.#indexed) return;
    this.#indexing = same;
    body.version = row.index_version + 1;
    this.#sql.exec("UPDATE schedule SET index_version = ? WHERE id = 1", body.version);
    this.#sql.exec("DELETE FROM outbox WHERE kind = 'index' AND attempts = 0");
    store.enqueue(this.#sql, "index", "index", JSON.stringify(body), this.#now());
  }

  #nextActionMs(row: store.ScheduleRow, def: ScheduleDefinition): number | null {
    if (!acts({ paused: row.paused === 1, remainingActions: row.remaining_actions })) return null;
    const spec = this.#spec(def);
    const t = nextNominalTime(spec, row.cursor_ms);
    return t === null ? null : t + jitterMs(spec, row.schedule_id, t);
  }

  // ---------------------------------------------------------------- commit, alarm, delivery

  /** A transaction; the list row it queued (if any) counts as queued once it committed. */
  #transaction(fn: () => void): void {
    try {
      this.ctx.storage.transactionSync(fn);
      if (this.#indexing !== undefined) this.#indexed = this.#indexing;
    } finally {
      this.#indexing = undefined;
    }
  }

  #commit(fn: () => void): void {
    this.#transaction(fn);
    if (this.#crashAt === "afterCommit") {
      this.#crashAt = undefined;
      throw new ScheduleCrashError("crash after commit (test hook)");
    }
  }

  async #afterCommit(): Promise<void> {
    await this.#arm();
    this.#kick();
  }

  /** The one alarm: the next action time, or the outbox's next retry, whichever is first. */
  #wantedAlarm(): number | null {
    const row = this.#row();
    if (!row) return null;
    const times = [
      this.#nextActionMs(row, actions.definitionOf(row)),
      store.outboxWakeAt(this.#sql),
    ]
      .filter((t): t is number => t !== null)
      .map((t) => t - this.#clockOffsetMs);
    return times.length === 0 ? null : Math.max(Math.min(...times), Date.now());
  }

  async #arm(): Promise<void> {
    const at = this.#wantedAlarm();
    this.#alarmWrites += 1;
    if (at === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(at);
  }

  /** Delivers the outbox in the background, one loop at a time, in row order. */
  #kick(): void {
    if (this.#delivery) {
      this.#deliverAgain = true;
      return;
    }
    if (!this.#ready || store.count(this.#sql, "outbox") === 0) return;
    const loop = async () => {
      try {
        do {
          this.#deliverAgain = false;
          await this.#deliverDue(false);
        } while (this.#deliverAgain);
      } finally {
        this.#delivery = undefined;
      }
    };
    this.#delivery = loop().catch((err) =>
      limitedLog("error", "schedule delivery loop", "sundial: schedule delivery failed", err),
    );
    this.ctx.waitUntil(this.#delivery);
  }

  async #deliverDue(force: boolean): Promise<void> {
    const failedTargets = new Set<string>();
    for (const row of store.outboxRows(this.#sql)) {
      if (!this.#ready) return;
      // Per-target order: after a failure, later rows to that workflow wait for the retry.
      if (failedTargets.has(row.target)) continue;
      if (!force && !store.isDue(row, this.#now())) {
        failedTargets.add(row.target);
        continue;
      }
      let reply: DeliveryReply;
      try {
        if (this.#alignStarts) await alignStartTarget(this.env, row, this.#now());
        reply = await deliverRow(this.env, row);
        if (this.#crashAt === "afterDelivery" && row.kind === "start") {
          this.#crashAt = undefined;
          throw new ScheduleCrashError("crash after delivery (test hook)");
        }
      } catch (err) {
        failedTargets.add(row.target);
        if (!this.#ready || !store.outboxRowExists(this.#sql, row.id)) continue;
        store.recordFailure(
          this.#sql,
          row,
          err instanceof Error ? err.message : String(err),
          this.#now(),
        );
        limitedLog(
          "error",
          "schedule delivery",
          `sundial: schedule delivery (${row.kind} ${row.target}) failed; retrying`,
          err,
        );
        continue;
      }
      if (!this.#ready || !store.outboxRowExists(this.#sql, row.id)) continue;
      this.#transaction(() => {
        if (actions.delivered(this.#sql, this.#now(), row, reply)) this.#index();
      });
    }
    await this.#arm();
  }

  // ---------------------------------------------------------------- test-only hooks

  #assertUnsafe(): void {
    if (this.env.SUNDIAL_UNSAFE !== "1") throw new Error("unsafe* methods need SUNDIAL_UNSAFE=1");
  }

  /** Test-only: moves this schedule's clock forward (time skipping) and re-arms its alarm. */
  async unsafeAdvanceClock(ms: number): Promise<number> {
    this.#assertUnsafe();
    this.#clockOffsetMs += ms;
    if (this.#ready) {
      store.writeMeta(this.#sql, "clock_offset_ms", String(this.#clockOffsetMs));
      await this.#arm();
    }
    return this.#now();
  }

  /**
   * Test-only (the test kit): from now on each start's target execution gets this schedule's clock
   * before the start (so the clocks of everything the kit follows move together); also stores the
   * clock offset a create made before this object had storage.
   */
  async unsafeFollowStarts(): Promise<number> {
    this.#assertUnsafe();
    this.#alignStarts = true;
    if (this.#ready) {
      store.writeMeta(this.#sql, "align_starts", "1");
      store.writeMeta(this.#sql, "clock_offset_ms", String(this.#clockOffsetMs));
    }
    return this.#now();
  }

  /** Test-only: alarm handlers run and alarm writes in this instance, the armed alarm, the outbox size. */
  async unsafeAlarmState(): Promise<{
    runs: number;
    armedAtMs: number | null;
    outbox: number;
    alarmWrites: number;
  }> {
    this.#assertUnsafe();
    return {
      alarmWrites: this.#alarmWrites,
      runs: this.#alarmRuns,
      armedAtMs: await this.ctx.storage.getAlarm(),
      outbox: this.#ready ? store.count(this.#sql, "outbox") : 0,
    };
  }

  /** Test-only: the next action crashes at `point` (after its commit, or after its start's delivery). */
  async unsafeCrashAt(point: ScheduleCrashPoint): Promise<void> {
    this.#assertUnsafe();
    this.#crashAt = point;
  }

  /** Test-only: the outbox rows (kind, target, attempts). */
  async unsafeOutbox(): Promise<{ kind: string; target: string; attempts: number }[]> {
    this.#assertUnsafe();
    if (!this.#ready) return [];
    return store
      .outboxRows(this.#sql)
      .map((r) => ({ kind: r.kind, target: r.target, attempts: r.attempts }));
  }

  /** Test-only: delivers the outbox now, ignoring backoff; returns the rows left. */
  async unsafeDeliverOutbox(): Promise<number> {
    this.#assertUnsafe();
    await this.#delivery?.catch(() => undefined);
    if (!this.#ready) return 0;
    await this.#deliverDue(true);
    return store.count(this.#sql, "outbox");
  }
}
