/** @module Small file-system helpers for Node-side tests (typed in fs-helpers.d.mts). */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function tempDir(prefix = "sundial-test-") {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function listFiles(dir, prefix = "") {
  const out = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}

export function readText(path) {
  return readFileSync(path, "utf8");
}

export function writeText(path, text) {
  writeFileSync(path, text);
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}
