// Reads the recorded history fixtures of test/fixtures/histories/ (plain JS: the unit tests are
// type-checked without Node's types).
import { readFileSync } from "node:fs";

export function historyFixture(name) {
  const url = new URL(`../../fixtures/histories/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, "utf8"));
}
