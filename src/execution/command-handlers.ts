/**
 * @module What each recorded command writes inside its transition's transaction, as a table keyed
 * on the command type: the compiler checks that every command has a handler.
 */
import type { Command } from "../replay/commands";
import { type EagerClaim, eagerTask, type Identity } from "./activity/dispatch";
import { fitsOffer, schedule } from "./activity/state";
import type { ActivityStore } from "./activity/store";
import { commandMessage } from "./children";
import type { ChildStore } from "./children-store";
import type { RunRow, TimerKind } from "./rows";
import type { OutboxMessage } from "./rpc";
import type { RunStore } from "./runs-store";
import { mergeSearchAttributes } from "./search-attribute-upsert";
import { timerKey } from "./timer-keys";
import type { UpdateStore } from "./update-store";

/** What the handlers write through (the execution object provides it). */
export interface CommandContext {
  identity: Identity;
  runs: RunStore;
  activities: ActivityStore;
  children: ChildStore;
  updates: UpdateStore;
  send(message: OutboxMessage): void;
  putTimer(key: string, runId: string, kind: TimerKind, fireAtMs: number, data?: string): void;
  deleteTimer(key: string): void;
}

type Handler<K extends Command["type"]> = (
  ctx: CommandContext,
  run: RunRow,
  cmd: Extract<Command, { type: K }>,
  now: number,
  eager: EagerClaim | undefined,
) => void;

/** Commands whose effect is their event alone (or the run's close, which the transition writes). */
const none = (): void => {};

export const COMMAND_HANDLERS: { [K in Command["type"]]: Handler<K> } = {
  ScheduleActivity(ctx, run, cmd, now, eager) {
    const claim =
      eager && fitsOffer(eager.offer, eager.task !== undefined, cmd.activityType, cmd.options);
    const by = claim && eager ? { deliveryId: eager.offer.deliveryId } : undefined;
    const t = schedule(run.run_id, cmd, now, by);
    ctx.activities.apply(t.row, t.effects);
    if (claim && eager) eager.task = eagerTask(ctx.identity, t.row, cmd.options);
  },
  StartTimer(ctx, run, cmd, now) {
    const key = timerKey.user(run.run_id, cmd.seq);
    ctx.putTimer(key, run.run_id, "timer", now + cmd.durationMs, String(cmd.seq));
  },
  CancelTimer(ctx, run, cmd) {
    ctx.deleteTimer(timerKey.user(run.run_id, cmd.seq));
  },
  RequestCancelActivity(ctx, run, cmd) {
    // Abandoned: the worker learns it from its next heartbeat (cancelRequested) and its late
    // report is ignored, as for any stale task token.
    ctx.activities.delete({ run_id: run.run_id, seq: cmd.seq });
  },
  CompleteUpdate(ctx, _run, cmd) {
    const failure = cmd.failure ? JSON.stringify(cmd.failure) : null;
    ctx.updates.complete(cmd.updateId, cmd.result ?? null, failure);
  },
  UpsertSearchAttributes(ctx, run, cmd) {
    // Checked when recorded (workflow-task.ts): this merge cannot throw.
    const merged = mergeSearchAttributes(
      run.search_attributes,
      cmd.searchAttributes,
      Number.POSITIVE_INFINITY,
    );
    ctx.runs.setSearchAttributes(run.run_id, merged);
    run.search_attributes = merged;
  },
  StartChild(ctx, run, cmd) {
    ctx.children.initiate(run.run_id, {
      seq: cmd.seq,
      workflow_id: cmd.workflowId,
      workflow_type: cmd.workflowType,
      parent_close_policy: cmd.parentClosePolicy,
    });
    ctx.send(commandMessage(ctx.identity, run.run_id, cmd));
  },
  SignalExternal(ctx, run, cmd) {
    ctx.send(commandMessage(ctx.identity, run.run_id, cmd));
  },
  CancelExternal(ctx, run, cmd) {
    ctx.send(commandMessage(ctx.identity, run.run_id, cmd));
  },
  RunLocalActivity: none,
  CompleteWorkflow: none,
  FailWorkflow: none,
  CancelWorkflow: none,
  ContinueAsNew: none,
  RecordPatch: none,
};

/** Writes the effects of one recorded command (inside the transaction). */
export function applyCommand(
  ctx: CommandContext,
  run: RunRow,
  cmd: Command,
  now: number,
  eager?: EagerClaim,
): void {
  // The table is keyed on the command type, so the handler fits the command; TypeScript cannot
  // correlate the two through the union, hence the one widening here.
  const handler = COMMAND_HANDLERS[cmd.type] as Handler<Command["type"]>;
  handler(ctx, run, cmd, now, eager);
}
