/** Types of replay-files.mjs (see there). */
export declare function tempDir(): Promise<string>;
export declare function removeDir(dir: string): Promise<void>;
/** Writes a reordered copy of examples/approval.ts into `dir`; resolves with its path. */
export declare function writeReorderedApproval(dir: string): Promise<string>;
export declare function readJson(file: string): Promise<unknown>;
