/**
 * @module The message handlers workflow code sets (`ctx.setHandler`): signals (with the buffer of
 * signals that arrived before their handler or waiter), queries and updates. The runtime delivers
 * the recorded events here; queries and validators run read-only and record nothing.
 */
import { ApplicationFailure, type FailureInfo, toFailure } from "../../sdk/common/failures";
import { checkHandlerName } from "../../sdk/common/handler-name";
import type { QueryDefinition, SignalDefinition, UpdateDefinition } from "../../sdk/workflow/index";
import type { EventAttributes } from "../history/events";
import type { Command } from "./commands";
import { UnknownHandlerError, UpdateRejectedError } from "./errors";

/** What the handlers need from the runtime that owns them. */
export interface HandlerHost {
  readonly workflowType: string;
  /** Runs a signal handler (its failure fails the workflow or the task, as the runtime decides). */
  callHandler(fn: () => unknown): void;
  /** Runs workflow code in the root scope, with the deterministic globals. */
  enterRoot<R>(fn: () => R): R;
  /** Runs a query handler or validator: it may issue no command and does not advance the generator. */
  readOnlyCall<T>(fn: () => T): T;
  /** Appends a command that nothing awaits. */
  push(cmd: Command): void;
}

type Handler = (input: unknown) => unknown;

/** A JSON payload of the wire; absent (not `null`) stays `undefined`, so default parameters apply. */
export function decode(payload: string | undefined): unknown {
  return payload === undefined ? undefined : JSON.parse(payload);
}

export class Handlers {
  readonly #host: HandlerHost;
  readonly #signalHandlers = new Map<string, Handler>();
  readonly #signalBuffer: Array<{ name: string; input: unknown }> = [];
  readonly #signalWaiters = new Map<string, Array<(input: unknown) => void>>();
  readonly #queryHandlers = new Map<string, Handler>();
  readonly #updateHandlers = new Map<
    string,
    { handler: Handler; validator?: (input: unknown) => void }
  >();

  constructor(host: HandlerHost) {
    this.#host = host;
  }

  /** `ctx.setHandler`. */
  set(
    def:
      | SignalDefinition<unknown>
      | QueryDefinition<unknown, unknown>
      | UpdateDefinition<unknown, unknown>,
    handler: Handler,
    options?: { validator?: (input: unknown) => void },
  ): void {
    checkHandlerName(def.kind, def.name);
    switch (def.kind) {
      case "signal": {
        this.#signalHandlers.set(def.name, handler);
        // Deliver what arrived before the handler, in order.
        for (let i = 0; i < this.#signalBuffer.length; ) {
          const s = this.#signalBuffer[i]!;
          if (s.name !== def.name) {
            i++;
            continue;
          }
          this.#signalBuffer.splice(i, 1);
          this.#host.callHandler(() => handler(s.input));
        }
        return;
      }
      case "query":
        this.#queryHandlers.set(def.name, handler);
        return;
      case "update":
        this.#updateHandlers.set(def.name, {
          handler,
          ...(options?.validator ? { validator: options.validator } : {}),
        });
        return;
    }
  }

  /** A recorded signal: to its handler, else to the oldest waiter, else into the buffer. */
  signal(name: string, input: unknown): void {
    const handler = this.#signalHandlers.get(name);
    if (handler) {
      this.#host.callHandler(() => handler(input));
      return;
    }
    const waiter = this.#signalWaiters.get(name)?.shift();
    if (waiter) waiter(input);
    else this.#signalBuffer.push({ name, input });
  }

  /**
   * `ctx.waitForSignal`: a buffered signal at once, else the next one, waited for with `condition`
   * (which owns the timeout and the cancellation scope); `null` when the wait timed out.
   */
  waitForSignal<A>(
    name: string,
    condition: (fn: () => boolean) => Promise<boolean>,
  ): Promise<A | null> {
    const i = this.#signalBuffer.findIndex((s) => s.name === name);
    if (i >= 0) {
      const [s] = this.#signalBuffer.splice(i, 1);
      return Promise.resolve(s!.input as A);
    }
    let got: { input: unknown } | undefined;
    const waiter = (input: unknown) => {
      got = { input };
    };
    const waiters = this.#signalWaiters.get(name) ?? [];
    waiters.push(waiter);
    this.#signalWaiters.set(name, waiters);
    const unregister = () => {
      const at = waiters.indexOf(waiter);
      if (at >= 0) waiters.splice(at, 1);
    };
    return condition(() => got !== undefined).then(
      (ok) => {
        unregister();
        return ok && got ? (got.input as A) : null;
      },
      (err: unknown) => {
        unregister();
        throw err;
      },
    );
  }

  /** Answers a query from the current state. Records nothing; throws UnknownHandlerError. */
  query(name: string, input: unknown): unknown {
    const handler = this.#queryHandlers.get(name);
    if (!handler) {
      throw new UnknownHandlerError(
        `Workflow ${this.#host.workflowType} has no query "${name}"${knownNames(this.#queryHandlers)}`,
      );
    }
    const result = this.#host.readOnlyCall(() => handler(input));
    if (result instanceof Promise) {
      result.catch(() => undefined);
      throw new UpdateRejectedError(`Query handler "${name}" must be synchronous`);
    }
    return result;
  }

  /** Runs an update's validator against the current state. Throws UnknownHandlerError or UpdateRejectedError. */
  validateUpdate(name: string, input: unknown): void {
    const entry = this.#updateHandlers.get(name);
    if (!entry) {
      throw new UnknownHandlerError(
        `Workflow ${this.#host.workflowType} has no update "${name}"${knownNames(this.#updateHandlers)}`,
      );
    }
    const validator = entry.validator;
    if (!validator) return;
    try {
      this.#host.readOnlyCall(() => validator(input));
    } catch (err) {
      throw new UpdateRejectedError(err instanceof Error ? err.message : String(err));
    }
  }

  /** A recorded WorkflowExecutionUpdateAccepted: runs the handler; its outcome is a CompleteUpdate. */
  runUpdate(a: EventAttributes["WorkflowExecutionUpdateAccepted"]): void {
    const entry = this.#updateHandlers.get(a.updateName);
    const complete = (outcome: { result?: string; failure?: FailureInfo }) =>
      this.#host.push({ type: "CompleteUpdate", updateId: a.updateId, ...outcome });
    if (!entry) {
      complete({
        failure: toFailure(
          ApplicationFailure.nonRetryable(
            `No handler for update "${a.updateName}"`,
            "UnknownUpdate",
          ),
        ),
      });
      return;
    }
    let promise: Promise<unknown>;
    try {
      promise = Promise.resolve(this.#host.enterRoot(() => entry.handler(decode(a.input))));
    } catch (err) {
      promise = Promise.reject(err);
    }
    promise.then(
      (result) => {
        try {
          complete({ result: JSON.stringify(result ?? null) });
        } catch (err) {
          complete({ failure: toFailure(err) });
        }
      },
      (err: unknown) => complete({ failure: toFailure(err) }),
    );
  }
}

function knownNames(handlers: Map<string, unknown>): string {
  const names = [...handlers.keys()];
  return names.length ? ` (it has: ${names.join(", ")})` : " (it sets none)";
}
