/**
 * zod is imported as a namespace (`import * as z from "zod"`), never as its `z` object
 * (`import { z } from "zod"`): esbuild (wrangler's bundler) keeps every member of an object it
 * cannot see through, so the named `z` pulled all of zod into the engine's bundle — every locale
 * and the JSON-Schema importer, 725 of 1,450 KB. As a namespace only what is used stays (≈ 190 KB),
 * and a new isolate's first request is ≈ 5 ms faster (bench/README.md, "Bundle").
 */
import { describe, expect, it } from "vitest";
import { lineCounts, sourceText } from "./scan.mjs";

const NAMED_Z =
  /import\s*(?:type\s*)?\{[^}]*\bz\b[^}]*\}\s*from\s*["']zod(?:\/v4)?["']|import\s+z\s+from\s*["']zod["']/;

describe("zod imports", () => {
  it("the pattern finds the forms that pull all of zod in (the check can fail)", () => {
    expect(NAMED_Z.test('import { z } from "zod";')).toBe(true);
    expect(NAMED_Z.test('import { ZodError, z } from "zod";')).toBe(true);
    expect(NAMED_Z.test('import z from "zod";')).toBe(true);
    expect(NAMED_Z.test('import * as z from "zod";')).toBe(false);
  });

  it("src/, sdk/ and cli/ import zod as a namespace only", () => {
    const named = ["src", "sdk", "cli"]
      .flatMap((dir) => lineCounts(dir))
      .map((f) => f.file)
      .filter((file) => NAMED_Z.test(sourceText(file)));
    expect(named).toEqual([]);
  });
});
