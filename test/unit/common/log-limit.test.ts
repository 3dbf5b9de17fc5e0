/**
 * The log limiter: one line per kind of event per window, the next line counting what it held
 * back, the error's stack only on a key's first line. (A storm of one line per failure made
 * `wrangler dev` fall minutes behind and the local runtime block writing to it.)
 */
import { describe, expect, it } from "vitest";
import { LOG_WINDOW_MS, LogLimiter } from "../../../src/common/log-limit";

function harness() {
  const lines: Array<{ level: string; args: unknown[] }> = [];
  let now = 1_000_000;
  const limiter = new LogLimiter(
    {
      error: (...args: unknown[]) => lines.push({ level: "error", args }),
      warn: (...args: unknown[]) => lines.push({ level: "warn", args }),
    },
    () => now,
  );
  return { lines, limiter, advance: (ms: number) => (now += ms) };
}

describe("LogLimiter", () => {
  it("logs one line per key per window and counts the rest", () => {
    const { lines, limiter, advance } = harness();
    const err = new Error("out of memory: SQLITE_NOMEM");
    expect(limiter.log("error", "delivery", "sundial: delivery failed", err)).toBe(true);
    for (let i = 0; i < 5000; i++)
      limiter.log("error", "delivery", "sundial: delivery failed", err);
    expect(lines).toHaveLength(1);
    // The first line carries the error object (its stack).
    expect(lines[0]!.args).toEqual(["sundial: delivery failed", err]);
    advance(LOG_WINDOW_MS - 1);
    expect(limiter.log("error", "delivery", "sundial: delivery failed", err)).toBe(false);
    advance(1);
    expect(limiter.log("error", "delivery", "sundial: delivery failed", err)).toBe(true);
    expect(lines).toHaveLength(2);
    // Later lines: the message only, with the count held back since the last line.
    expect(lines[1]!.args).toEqual([
      "sundial: delivery failed (5001 more like this in the last 30 s): out of memory: SQLITE_NOMEM",
    ]);
  });

  it("keeps keys apart and levels as asked", () => {
    const { lines, limiter } = harness();
    limiter.log("warn", "refused report", "sundial: refused a report");
    limiter.log("error", "task send", "sundial: sending failed");
    limiter.log("warn", "refused report", "sundial: refused a report");
    expect(lines.map((l) => [l.level, l.args[0]])).toEqual([
      ["warn", "sundial: refused a report"],
      ["error", "sundial: sending failed"],
    ]);
  });

  it("remembers a bounded number of keys", () => {
    const { lines, limiter } = harness();
    for (let i = 0; i < 10_000; i++) limiter.log("warn", `k${i}`, "m");
    expect(lines).toHaveLength(10_000);
    // The oldest keys were forgotten: logging one again is a first line, not a held one.
    expect(limiter.log("warn", "k0", "m")).toBe(true);
    // A recent key is still remembered.
    expect(limiter.log("warn", "k9999", "m")).toBe(false);
  });
});
