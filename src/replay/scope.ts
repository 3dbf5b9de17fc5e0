/** @module Cancellation scopes: what `ctx.cancellable` / `ctx.nonCancellable` create. */

/**
 * A cancellation scope. Cancelling one runs the cancel hooks of what was started in it and
 * cancels its cancellable children; a non-cancellable scope stops the propagation.
 */
export class Scope {
  cancelled = false;
  readonly children = new Set<Scope>();
  readonly hooks = new Set<() => void>();
  constructor(
    readonly cancellable: boolean,
    parent?: Scope,
  ) {
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
