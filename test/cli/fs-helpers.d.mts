/** Types of fs-helpers.mjs. */

/** A new empty temporary directory. */
export declare function tempDir(prefix?: string): string;
/** Every file under `dir` (recursively), relative to it, sorted. */
export declare function listFiles(dir: string): string[];
export declare function readText(path: string): string;
export declare function writeText(path: string, text: string): void;
export declare function removeDir(dir: string): void;
