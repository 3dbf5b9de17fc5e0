/**
 * ActivityStore's committed row (issue 14: one read fewer per step): a row inserted by a
 * transition that committed is served to the next `get` of it without a statement, once; a row of a
 * transaction that did not commit never is; any write to the table forgets it.
 */
import { describe, expect, it } from "vitest";
import { schedule } from "../../../src/execution/activity/state";
import { ActivityStore } from "../../../src/execution/activity/store";

function recordingSql() {
  const statements: string[] = [];
  const sql = {
    exec(query: string) {
      statements.push(query);
      return { toArray: () => [], one: () => ({}) };
    },
  } as unknown as SqlStorage;
  return { sql, reads: () => statements.filter((q) => q.startsWith("SELECT")).length };
}

const cmd = {
  type: "ScheduleActivity" as const,
  seq: 2,
  activityId: "2",
  activityType: "echo",
  input: "1",
  options: { taskQueue: "q", startToCloseTimeoutMs: 10_000 },
};

function scheduled(store: ActivityStore) {
  const t = schedule("run-1", cmd as never, 1_000, { deliveryId: "d" });
  store.apply(t.row, t.effects);
  return t.row;
}

describe("ActivityStore's committed row", () => {
  it("is served once to the report that follows, without a read", () => {
    const { sql, reads } = recordingSql();
    const store = new ActivityStore(sql, () => {});
    store.beginTransaction();
    const row = scheduled(store);
    store.committed();
    expect(store.get("run-1", 2)).toBe(row);
    expect(reads()).toBe(0);
    expect(store.get("run-1", 2)).toBeUndefined(); // read from SQLite (here: no row)
    expect(reads()).toBe(1);
  });

  it("is never a row whose transaction did not commit", () => {
    const { sql, reads } = recordingSql();
    const store = new ActivityStore(sql, () => {});
    store.beginTransaction();
    scheduled(store);
    // rolled back: no committed(); the next transition commits something else
    store.beginTransaction();
    store.committed();
    expect(store.get("run-1", 2)).toBeUndefined();
    expect(reads()).toBe(1);
  });

  it("is forgotten on any write to the table, and is only the row asked for", () => {
    const { sql, reads } = recordingSql();
    const store = new ActivityStore(sql, () => {});
    const writes: Array<(s: ActivityStore) => void> = [
      (s) => s.heartbeat({ run_id: "run-1", seq: 2 }, '{"p":1}', 5),
      (s) => s.delete({ run_id: "run-1", seq: 9 }),
      (s) => s.deleteRun("run-0"),
      (s) => s.apply({ run_id: "run-1", seq: 2 } as never, [{ op: "update", set: { attempt: 2 } }]),
    ];
    let expected = 0;
    for (const write of writes) {
      store.beginTransaction();
      scheduled(store);
      store.committed();
      write(store);
      store.get("run-1", 2);
      expected += 1;
      expect(reads()).toBe(expected);
    }
    store.beginTransaction();
    scheduled(store);
    store.committed();
    store.get("run-1", 3);
    expect(reads()).toBe(expected + 1);
  });
});
