/**
 * The execution's shape, checked on the source text: the Durable Object module is an entry point
 * (at most 250 lines, the only importer of `cloudflare:workers` in src/execution), its rooms never
 * import it (addressing.ts's stub type excepted), and no source file grows past 500 lines.
 */
import { describe, expect, it } from "vitest";
import { importsOf, lineCounts, packageImportsOf } from "./scan.mjs";

const DO_MODULE = "src/execution/workflow-execution";

describe("execution rooms", () => {
  it("the Durable Object module is at most 250 lines", () => {
    const entry = lineCounts("src/execution").find((f) => f.file === `${DO_MODULE}.ts`);
    expect(entry).toBeDefined();
    expect(entry!.lines).toBeLessThanOrEqual(250);
  });

  it("no file under src/, sdk/ or cli/ is longer than 500 lines", () => {
    const long = ["src", "sdk", "cli"]
      .flatMap((dir) => lineCounts(dir))
      .filter((f) => f.lines > 500);
    expect(long).toEqual([]);
  });

  it("rooms import nothing from the Durable Object module (only addressing.ts's stub type)", () => {
    const back = importsOf("src/execution").filter(
      (i) => i.to === DO_MODULE && i.file !== "src/execution/addressing.ts",
    );
    expect(back).toEqual([]);
  });

  it("only the Durable Object module imports cloudflare:workers in src/execution", () => {
    const files = packageImportsOf("src/execution")
      .filter((i) => i.spec.startsWith("cloudflare:"))
      .map((i) => i.file);
    expect(files).toEqual([`${DO_MODULE}.ts`]);
  });
});
