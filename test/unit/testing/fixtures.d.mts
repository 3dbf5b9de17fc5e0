import type { HistoryFixture } from "../../../src/testing/index";

/** The fixture test/fixtures/histories/<name>.json (written by `sundial history export`). */
export declare function historyFixture(name: string): HistoryFixture;
