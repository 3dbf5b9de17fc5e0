/**
 * When armAlarm may skip its read of the wake-up times (issue 14: one statement fewer per step):
 * only while the armed alarm is at or before the earliest wake-up the last read found and every one
 * written since, under the same engine clock; any write to `timers`, `outbox` or `activities` that
 * does not report its time makes the next armAlarm read.
 */
import { describe, expect, it } from "vitest";
import {
  mayWriteWakeTime,
  reportsWakeTime,
  trackWakeWrites,
  WakeFloor,
} from "../../../src/execution/wake-floor";

describe("WakeFloor", () => {
  it("knows nothing before a read", () => {
    expect(new WakeFloor().armedEarlyEnough(100, 0)).toBe(false);
  });

  it("after a read: the alarm stays when at or before the earliest wake-up, read or written", () => {
    const w = new WakeFloor();
    w.read(1_000, 0);
    expect(w.armedEarlyEnough(1_000, 0)).toBe(true);
    expect(w.armedEarlyEnough(900, 0)).toBe(true);
    expect(w.armedEarlyEnough(1_001, 0)).toBe(false); // armed later than a wake-up: read
    w.lower(5_000);
    expect(w.armedEarlyEnough(1_000, 0)).toBe(true);
    w.lower(950);
    expect(w.armedEarlyEnough(1_000, 0)).toBe(false);
    expect(w.armedEarlyEnough(950, 0)).toBe(true);
    w.lower(null);
    expect(w.armedEarlyEnough(950, 0)).toBe(true);
  });

  it("no wake-up at the read: any armed alarm stays until one is written", () => {
    const w = new WakeFloor();
    w.read(null, 0);
    expect(w.armedEarlyEnough(10, 0)).toBe(true);
    expect(w.armedEarlyEnough(null, 0)).toBe(false); // nothing armed: read (and arm)
    expect(w.armedEarlyEnough(undefined, 0)).toBe(false);
  });

  it("an unreported write, or a moved engine clock, makes it read again", () => {
    const w = new WakeFloor();
    w.read(1_000, 0);
    w.unknown();
    expect(w.armedEarlyEnough(500, 0)).toBe(false);
    w.read(1_000, 0);
    expect(w.armedEarlyEnough(500, 60_000)).toBe(false);
  });

  it("compares written engine times with the armed real time through the clock offset", () => {
    const w = new WakeFloor();
    w.read(1_000, 500); // real time
    w.lower(1_400); // engine time: real 900
    expect(w.armedEarlyEnough(950, 500)).toBe(false);
    expect(w.armedEarlyEnough(900, 500)).toBe(true);
  });
});

describe("which statements may write a wake time", () => {
  it("writes to timers, outbox and activities; not reads, deletes or other tables", () => {
    expect(mayWriteWakeTime("INSERT INTO outbox (kind) VALUES (?)")).toBe(true);
    expect(mayWriteWakeTime("UPDATE activities SET state = ? WHERE run_id = ?")).toBe(true);
    expect(mayWriteWakeTime("UPDATE timers SET fire_at_ms = ? WHERE key = ?")).toBe(true);
    expect(mayWriteWakeTime("DELETE FROM ok; INSERT OR REPLACE INTO timers VALUES (?)")).toBe(true);
    expect(mayWriteWakeTime("DELETE FROM timers WHERE key = ?")).toBe(false);
    expect(mayWriteWakeTime("SELECT min(fire_at_ms) FROM timers")).toBe(false);
    expect(mayWriteWakeTime("INSERT INTO events (run_id) VALUES (?)")).toBe(false);
    expect(mayWriteWakeTime("UPDATE runs SET status = ? WHERE run_id = ?")).toBe(false);
  });

  it("not a statement whose caller reports its time", () => {
    const q = reportsWakeTime("INSERT INTO timers (key, fire_at_ms) VALUES (?, ?) -- reported");
    expect(mayWriteWakeTime(q)).toBe(false);
  });

  it("the wrapper makes the floor unknown before such a statement runs, and passes it on", () => {
    const seen: unknown[][] = [];
    const sql = {
      exec: (query: string, ...args: unknown[]) => seen.push([query, ...args]),
    } as unknown as SqlStorage;
    const w = new WakeFloor();
    trackWakeWrites(sql, w);
    w.read(1_000, 0);
    sql.exec("DELETE FROM timers WHERE key = ?", "k");
    expect(w.armedEarlyEnough(1_000, 0)).toBe(true);
    sql.exec("INSERT INTO outbox (kind) VALUES (?)", "activity");
    expect(w.armedEarlyEnough(1_000, 0)).toBe(false);
    expect(seen).toEqual([
      ["DELETE FROM timers WHERE key = ?", "k"],
      ["INSERT INTO outbox (kind) VALUES (?)", "activity"],
    ]);
  });
});
