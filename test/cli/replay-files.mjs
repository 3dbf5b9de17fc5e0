// Files for the replay CLI test (plain JS: the tests are type-checked without Node's types).
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./harness.mjs";

/** A fresh temporary directory (outside the repository). */
export function tempDir() {
  return mkdtemp(join(tmpdir(), "sundial-replay-test-"));
}

export function removeDir(dir) {
  return rm(dir, { recursive: true, force: true });
}

/**
 * Writes to `dir` a copy of examples/approval.ts whose commands come in another order: it records
 * its decision (a local activity) before waiting, where the recorded histories start its timer.
 * Its relative imports of the SDK point back into the repository.
 */
export async function writeReorderedApproval(dir) {
  const source = await readFile(join(repoRoot, "examples/approval.ts"), "utf8");
  const anchor = "    try {\n      // Wait for a decision";
  if (!source.includes(anchor)) throw new Error("examples/approval.ts changed: update this test");
  const changed = source
    .replaceAll('"../sdk/', `"${repoRoot}/sdk/`)
    .replace(
      anchor,
      `    await record.recordDecision({ item, approved: false, by: "early" });\n${anchor}`,
    );
  const file = join(dir, "approval.ts");
  await writeFile(file, changed);
  return file;
}

export async function readJson(file) {
  return JSON.parse(await readFile(file, "utf8"));
}
