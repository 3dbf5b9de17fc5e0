/**
 * Layering, checked on the source text: the API edge and the SDK import nothing from the Durable
 * Object module (leaf modules and addressing.ts's types instead), and the SDK imports nothing from
 * the engine (`src/`) at all. Fails when such an import comes back.
 */
import { describe, expect, it } from "vitest";
import { importsOf, ROOT, specifiers, target } from "./scan.mjs";

const DO_MODULE = "src/execution/workflow-execution";

describe("layering", () => {
  it("finds static, type-only, re-exported and dynamic imports (the scanner can fail)", () => {
    const text = [
      'import { a } from "../execution/workflow-execution";',
      'import type {\n  B,\n} from "../x/y";',
      'export { c } from "./z";',
      'import "./side-effect";',
      'const m = await import("../dyn");',
    ].join("\n");
    expect(specifiers(text)).toEqual([
      "../execution/workflow-execution",
      "../x/y",
      "./z",
      "./side-effect",
      "../dyn",
    ]);
    expect(target(`${ROOT}/src/api/app.ts`, "../execution/workflow-execution")).toBe(DO_MODULE);
  });

  it("src/api imports nothing from the Durable Object module", () => {
    expect(importsOf("src/api").filter((i) => i.to === DO_MODULE)).toEqual([]);
  });

  it("sdk imports nothing from src (so nothing from the Durable Object module either)", () => {
    expect(importsOf("sdk").filter((i) => i.to === "src" || i.to.startsWith("src/"))).toEqual([]);
  });
});
