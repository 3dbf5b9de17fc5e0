/**
 * TimerStore's workflow-task timer delete (issue 14, cheaper steps): every step's transition clears
 * the run's task timer; once a commit has cleared it (and nothing wrote one since), the next step
 * runs no DELETE for it. Any task timer written for the run (a failed task's retry, continue-now,
 * a start) makes the next clear run its DELETE again.
 */
import { describe, expect, it } from "vitest";
import { TimerStore } from "../../../src/execution/timers";

function recordingSql() {
  const statements: Array<{ query: string; args: unknown[] }> = [];
  const sql = {
    exec(query: string, ...args: unknown[]) {
      statements.push({ query, args });
      return { toArray: () => [], one: () => ({}) };
    },
  } as unknown as SqlStorage;
  return { sql, statements };
}

const deletes = (s: Array<{ query: string }>) =>
  s.filter((x) => x.query.startsWith("DELETE")).length;

describe("TimerStore.deleteTaskTimer", () => {
  it("deletes until a commit says the run has no task timer, then runs no statement", () => {
    const { sql, statements } = recordingSql();
    const timers = new TimerStore(sql);
    timers.deleteTaskTimer("r1");
    expect(deletes(statements)).toBe(1);
    timers.noTaskTimer("r1");
    timers.deleteTaskTimer("r1");
    timers.deleteTaskTimer("r1");
    expect(deletes(statements)).toBe(1);
  });

  it("a task timer written for the run (even in a transaction that rolls back) brings the delete back", () => {
    const { sql, statements } = recordingSql();
    const timers = new TimerStore(sql);
    timers.noTaskTimer("r1");
    timers.put("wft:r1", "r1", "wft", 5);
    timers.deleteTaskTimer("r1");
    expect(deletes(statements)).toBe(1);
  });

  it("other runs and other timer kinds keep their own answer", () => {
    const { sql, statements } = recordingSql();
    const timers = new TimerStore(sql);
    timers.noTaskTimer("r1");
    timers.put("timer:r1:1", "r1", "timer", 5, "1");
    timers.put("wft:r2", "r2", "wft", 5);
    timers.deleteTaskTimer("r1");
    expect(deletes(statements)).toBe(0);
    timers.deleteTaskTimer("r2");
    expect(deletes(statements)).toBe(1);
  });
});
