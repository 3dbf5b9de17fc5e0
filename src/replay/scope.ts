/** @module Cancellation scopes: what `ctx.cancellable` / `ctx.nonCancellable` create. */
import { AsyncLocalStorage } from "node:async_hooks";

/**
 * A cancellation scope. Cancelling one runs the cancel hooks of what was started in it and
 * cancels its cancellable children; a non-cancellable scope stops the propagation.
 */
export class Scope {
  cancelled = false;
  readonly children = new Set<Scope>();
  readonly hooks = new Set<() => void>();
  /** The root scope of the run this scope belongs to (see {@link currentScope}). */
  readonly root: Scope;
  constructor(
    readonly cancellable: boolean,
    parent?: Scope,
  ) {
    this.root = parent?.root ?? this;
    parent?.children.add(this);
    if (cancellable && parent?.cancelled) this.cancelled = true;
  }
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    for (const hook of [...this.hooks]) hook();
    this.hooks.clear();
    for (const child of this.children) if (child.cancellable) child.cancel();
  }
}

/**
 * The scope the calling workflow code runs in, for every runtime of the isolate: ONE storage, not
 * one per runtime. In Node before AsyncContextFrame (Node 20, where the unit tests run) every
 * AsyncLocalStorage that ever ran stays registered for good, and each new promise copies the store
 * of every registered one: a storage per runtime made every await of the process cost O(runtimes
 * ever created) (the 10,000-case property run slowed down case after case and never finished).
 * A runtime reads it only when the scope has its own root (a scope of another run, e.g. inherited
 * by engine code called from workflow code, is not its scope).
 */
export const currentScope = new AsyncLocalStorage<Scope>();
