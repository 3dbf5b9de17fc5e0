/**
 * @module Test-only activity mocks (`sundial/testing`'s `mockActivities`): a registry the engine
 * consults before its real handlers, for queue activities (its own consumer) and local activities.
 *
 * Active only when the engine runs with `SUNDIAL_UNSAFE=1` (the engine wraps its activity map with
 * {@link mockableActivities} then, and only then). The registry lives on `globalThis` under a
 * `Symbol.for` key, because the test body and the engine share one isolate in
 * vitest-pool-workers but may hold two copies of this module (the user's test imports the package,
 * the engine Worker may be bundled from another path).
 */
import type { Activities } from "../../../sdk/activity/index";

const KEY = Symbol.for("sundial.testing.activityMocks");

type Registry = { mocks: Activities };

function registry(): Registry {
  const g = globalThis as typeof globalThis & { [KEY]?: Registry };
  g[KEY] ??= { mocks: {} };
  return g[KEY];
}

/** Replaces the mocks of this isolate (an empty object removes them all). */
export function setActivityMocks(mocks: Activities): void {
  registry().mocks = { ...mocks };
}

/** The mocks in force. */
export function activityMocks(): Readonly<Activities> {
  return registry().mocks;
}

/**
 * `real` seen through the mock registry: a mocked type answers with its mock (even when `real` has
 * no such type), every other type with its real handler. Read at each lookup, so mocks set or
 * cleared by a test apply to the next attempt.
 */
export function mockableActivities(real: Activities): Activities {
  const mock = (name: string | symbol) =>
    typeof name === "string" && Object.hasOwn(registry().mocks, name)
      ? registry().mocks[name]
      : undefined;
  return new Proxy(real, {
    get: (target, name, receiver) => mock(name) ?? Reflect.get(target, name, receiver),
    has: (target, name) => mock(name) !== undefined || Reflect.has(target, name),
    ownKeys: (target) => [
      ...new Set([...Reflect.ownKeys(target), ...Object.keys(registry().mocks)]),
    ],
    getOwnPropertyDescriptor: (target, name) => {
      const fn = mock(name);
      if (fn) return { value: fn, writable: true, enumerable: true, configurable: true };
      return Reflect.getOwnPropertyDescriptor(target, name);
    },
  });
}
