/**
 * RunStore's known row (issue 14: one read fewer per step): after a transition that only appended
 * events, the next report takes the run's row from memory, with its history counters moved on,
 * once; a transaction that wrote the row itself, any later write to `runs` or `events`, or a new
 * transaction makes it read again.
 */
import { describe, expect, it } from "vitest";
import type { RunRow } from "../../../src/execution/rows";
import { RunStore } from "../../../src/execution/runs-store";
import { runRowWrites } from "../../../src/execution/wake-floor";

const run = {
  run_id: "r1",
  run_no: 1,
  status: "Running",
  history_length: 7,
  next_task_id: 3,
  wft_attempt: 0,
} as RunRow;

function store() {
  let reads = 0;
  const sql = {
    exec() {
      reads += 1;
      return { toArray: () => [{ ...run, history_length: -1 }] };
    },
  } as unknown as SqlStorage;
  return { runs: new RunStore(sql, () => true), reads: () => reads };
}

describe("RunStore's known row", () => {
  it("is the committed row with its counters moved on, served once", () => {
    const { runs, reads } = store();
    runs.beginTransaction();
    runs.written(false); // the transition's own events
    runs.remember(run, 2);
    expect(runs.latest()).toMatchObject({ run_id: "r1", history_length: 9, next_task_id: 4 });
    expect(reads()).toBe(0);
    expect(runs.latest()?.history_length).toBe(-1); // read
    expect(reads()).toBe(1);
  });

  it("appending nothing leaves the counters", () => {
    const { runs } = store();
    runs.beginTransaction();
    runs.remember(run, 0);
    expect(runs.latest()).toMatchObject({ history_length: 7, next_task_id: 3 });
  });

  it("is not kept when the transaction wrote the runs row, and is forgotten on later writes", () => {
    const { runs, reads } = store();
    runs.beginTransaction();
    runs.written(true);
    runs.remember(run, 1);
    runs.latest();
    expect(reads()).toBe(1);
    for (const write of [
      () => runs.written(false),
      () => runs.written(true),
      () => runs.beginTransaction(),
    ]) {
      runs.beginTransaction();
      runs.remember(run, 1);
      write();
      runs.latest();
    }
    expect(reads()).toBe(4);
  });

  it("current() always reads", () => {
    const { runs, reads } = store();
    runs.beginTransaction();
    runs.remember(run, 1);
    runs.current();
    expect(reads()).toBe(1);
  });

  it("classifies statements: runs writes, events writes, neither", () => {
    expect(runRowWrites("UPDATE runs SET status = ? WHERE run_id = ?")).toBe(2);
    expect(runRowWrites("DELETE FROM runs WHERE run_id = ?")).toBe(2);
    expect(runRowWrites("INSERT INTO events (run_id) VALUES (?)")).toBe(1);
    expect(runRowWrites("DELETE FROM events WHERE run_id = ?")).toBe(1);
    expect(runRowWrites("DELETE FROM activities WHERE run_id = ? AND seq = ?")).toBe(0);
    expect(runRowWrites("SELECT * FROM runs")).toBe(0);
  });
});
