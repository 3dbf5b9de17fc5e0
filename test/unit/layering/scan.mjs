/**
 * Import scanning for the layering test (plain JS: the engine's type program stays free of Node's
 * types). Finds static imports/exports (type-only included), side-effect imports and dynamic imports.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** Every module specifier of `text`. */
export function specifiers(text) {
  const out = [];
  const patterns = [
    /\b(?:import|export)\b[^"'`;]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) out.push(m[1]);
  return out;
}

/** Repository-relative target of a relative specifier (extension dropped); undefined for a package. */
export function target(file, spec) {
  if (!spec.startsWith(".")) return undefined;
  return relative(ROOT, resolve(dirname(file), spec)).replace(/\.(ts|js|mjs)$/, "");
}

function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mts|mjs|js)$/.test(name)) out.push(path);
  }
  return out;
}

/** The relative imports of every source file under `dir` (repository-relative). */
export function importsOf(dir) {
  return sourceFiles(join(ROOT, dir)).flatMap((file) =>
    specifiers(readFileSync(file, "utf8")).flatMap((spec) => {
      const to = target(file, spec);
      return to === undefined ? [] : [{ file: relative(ROOT, file), to }];
    }),
  );
}

/** The package (non-relative) imports of every source file under `dir`. */
export function packageImportsOf(dir) {
  return sourceFiles(join(ROOT, dir)).flatMap((file) =>
    specifiers(readFileSync(file, "utf8"))
      .filter((spec) => !spec.startsWith("."))
      .map((spec) => ({ file: relative(ROOT, file), spec })),
  );
}

/** Line count of every source file under `dir` (repository-relative). */
export function lineCounts(dir) {
  return sourceFiles(join(ROOT, dir)).map((file) => ({
    file: relative(ROOT, file),
    lines: readFileSync(file, "utf8").split("\n").length - 1,
  }));
}

/** The text of a file, by its path relative to the repository root. */
export function sourceText(file) {
  return readFileSync(join(ROOT, file), "utf8");
}
