/** The INSERT and UPDATE string literals of the engine's execution modules (for statement-plan tests). */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");

export function engineSqlLiterals() {
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith(".ts")) files.push(path);
    }
  };
  walk(join(ROOT, "src/execution"));
  const out = [];
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/["`]((?:INSERT|UPDATE)\s[^"`]*)["`]/g)) {
      out.push({ file: file.slice(ROOT.length + 1), sql: m[1] });
    }
  }
  return out;
}
