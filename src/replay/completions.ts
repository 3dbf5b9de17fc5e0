/**
 * @module The promises workflow code awaits, by command seq, and how each recorded outcome event
 * (activity, local activity marker, timer, child workflow, external signal/cancel) settles them.
 * The counterpart of the `completions` of the Activator in Temporal's TypeScript SDK.
 */
import {
  type ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  ChildWorkflowFailure,
  fromFailure,
  TerminatedFailure,
} from "../../sdk/common/failures";
import type { HistoryEvent } from "../history/events";
import { activityFailure } from "./errors";

export interface Pending {
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

export class Completions {
  readonly #pending = new Map<number, Pending>();
  /** Child workflows whose start is not yet recorded: `startChild` resolves with the run id. */
  readonly #childStarted = new Map<number, Pending>();
  readonly #children = new Map<number, { workflowType: string; workflowId: string }>();
  /** What each activity was scheduled as, to name it in its ActivityFailure. */
  readonly #scheduled = new Map<number, { activityType: string; activityId: string }>();

  /** Registers the promise of command `seq`. */
  add(seq: number, pending: Pending): void {
    this.#pending.set(seq, pending);
  }

  /** Removes and returns the promise of `seq` (to cancel it); undefined once settled. */
  take(seq: number): Pending | undefined {
    const pending = this.#pending.get(seq);
    if (pending) this.#pending.delete(seq);
    return pending;
  }

  /** Forgets `seq` unsettled; whether it was still pending. */
  forget(seq: number): boolean {
    return this.#pending.delete(seq);
  }

  settle(seq: number, ok: boolean, value: unknown): void {
    const pending = this.take(seq); // none: a result for a promise the code no longer tracks
    if (!pending) return;
    if (ok) pending.resolve(value);
    else pending.reject(value);
  }

  /** Remembers an activity's type and id for its failure. */
  activity(seq: number, scheduled: { activityType: string; activityId: string }): void {
    this.#scheduled.set(seq, scheduled);
  }

  /** Registers a child workflow; the promise resolves with its run id once it started. */
  child(seq: number, child: { workflowType: string; workflowId: string }): Promise<string> {
    this.#children.set(seq, child);
    return new Promise<string>((resolve, reject) =>
      this.#childStarted.set(seq, { resolve: resolve as (v: unknown) => void, reject }),
    );
  }

  /** Settles what an outcome event completes; other events are ignored. */
  deliver(ev: HistoryEvent): void {
    switch (ev.eventType) {
      case "ActivityTaskCompleted":
        this.settle(ev.attributes.seq, true, JSON.parse(ev.attributes.result));
        return;
      case "ActivityTaskFailed":
      case "ActivityTaskTimedOut":
        this.settle(ev.attributes.seq, false, this.#activityFailure(ev));
        return;
      case "TimerFired":
        this.settle(ev.attributes.seq, true, undefined);
        return;
      case "MarkerRecorded": {
        const a = ev.attributes;
        if (a.markerName !== "LocalActivity") return;
        if (a.failure) {
          this.settle(a.seq, false, activityFailure(a.activityType, String(a.seq), a.failure));
        } else {
          this.settle(a.seq, true, a.result === undefined ? undefined : JSON.parse(a.result));
        }
        return;
      }
      case "ChildWorkflowExecutionStarted": {
        const pending = this.#childStarted.get(ev.attributes.seq);
        this.#childStarted.delete(ev.attributes.seq);
        pending?.resolve(ev.attributes.runId);
        return;
      }
      case "StartChildWorkflowExecutionFailed": {
        const seq = ev.attributes.seq;
        const err = this.#childFailure(
          seq,
          ApplicationFailure.nonRetryable(
            `Child workflow "${ev.attributes.workflowId}" could not start: ${ev.attributes.cause}`,
            ev.attributes.cause,
          ),
        );
        const pending = this.#childStarted.get(seq);
        this.#childStarted.delete(seq);
        pending?.reject(err);
        this.settle(seq, false, err);
        return;
      }
      case "ChildWorkflowExecutionCompleted":
        this.#childStartedImplicitly(ev.attributes.seq);
        this.settle(ev.attributes.seq, true, JSON.parse(ev.attributes.result));
        return;
      case "ChildWorkflowExecutionFailed":
        this.#childStartedImplicitly(ev.attributes.seq);
        this.settle(
          ev.attributes.seq,
          false,
          this.#childFailure(ev.attributes.seq, fromFailure(ev.attributes.failure)),
        );
        return;
      case "ChildWorkflowExecutionCanceled":
      case "ChildWorkflowExecutionTerminated":
      case "ChildWorkflowExecutionTimedOut": {
        const seq = ev.attributes.seq;
        this.#childStartedImplicitly(seq);
        const cause =
          ev.eventType === "ChildWorkflowExecutionCanceled"
            ? new CancelledFailure("Child workflow canceled")
            : ev.eventType === "ChildWorkflowExecutionTerminated"
              ? new TerminatedFailure("Child workflow terminated")
              : ApplicationFailure.nonRetryable("Child workflow timed out", "WorkflowTimedOut");
        this.settle(seq, false, this.#childFailure(seq, cause));
        return;
      }
      case "ExternalWorkflowExecutionSignaled":
      case "ExternalWorkflowExecutionCancelRequested":
        this.settle(ev.attributes.seq, true, undefined);
        return;
      case "SignalExternalWorkflowExecutionFailed":
      case "RequestCancelExternalWorkflowExecutionFailed":
        this.settle(
          ev.attributes.seq,
          false,
          ApplicationFailure.nonRetryable(
            `External workflow: ${ev.attributes.cause}`,
            ev.attributes.cause,
          ),
        );
        return;
      default:
        return;
    }
  }

  #childStartedImplicitly(seq: number): void {
    const pending = this.#childStarted.get(seq);
    this.#childStarted.delete(seq);
    pending?.resolve("");
  }

  #childFailure(seq: number, cause: unknown): ChildWorkflowFailure {
    const child = this.#children.get(seq);
    const message = cause instanceof Error ? cause.message : String(cause);
    return new ChildWorkflowFailure(
      `Child workflow ${child?.workflowType ?? ""} (${child?.workflowId ?? seq}) failed: ${message}`,
      child?.workflowType ?? "",
      child?.workflowId ?? "",
      { cause },
    );
  }

  #activityFailure(
    ev: Extract<HistoryEvent, { eventType: "ActivityTaskFailed" | "ActivityTaskTimedOut" }>,
  ): ActivityFailure {
    const scheduled = this.#scheduled.get(ev.attributes.seq);
    return activityFailure(
      scheduled?.activityType ?? "",
      scheduled?.activityId ?? String(ev.attributes.seq),
      ev.attributes.failure,
      ev.attributes.retryState,
    );
  }
}
