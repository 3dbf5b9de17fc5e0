import { describe, expect, it } from "vitest";
import { DEFAULT_RETENTION_MS, resolveConfig } from "../../../src/config";

describe("retention configuration", () => {
  it("defaults to 30 days, takes a duration, and null keeps closed runs forever", () => {
    expect(resolveConfig({ workflows: [] }).retentionMs).toBe(30 * 86_400_000);
    expect(DEFAULT_RETENTION_MS).toBe(30 * 86_400_000);
    expect(resolveConfig({ workflows: [], retention: "1h" }).retentionMs).toBe(3_600_000);
    expect(resolveConfig({ workflows: [], retention: 5000 }).retentionMs).toBe(5000);
    expect(resolveConfig({ workflows: [], retention: null }).retentionMs).toBeNull();
    expect(() => resolveConfig({ workflows: [], retention: "soon" })).toThrow();
  });
});
