/** Types of pack-check.mjs (see there), for the vitest project "pack" (test/pack/). */

/** The repository's root directory. */
export declare const repoRoot: string;
/** A new temporary folder outside the repository. */
export declare function workDir(): string;
/** Deletes `dir` and everything in it. */
export declare function removeDir(dir: string): void;
/** Runs a command; resolves with its output, rejects with it on a non-zero exit. */
export declare function run(
  command: string,
  args: string[],
  options?: { cwd?: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<string>;
/** `npm pack`, `npm exec --package=<tarball> -- sundial init my-app`, `npm install` in `work`. */
export declare function packAndScaffold(work: string): Promise<{ tarball: string; app: string }>;
/** The scaffold's typecheck, `npm test` (resolves with its output) and `wrangler deploy --dry-run`. */
export declare function checkScaffold(app: string): Promise<string>;
/** A fresh project that installs the tarball type-checks an import of every export path; its folder. */
export declare function checkConsumer(
  work: string,
  tarball: string,
  toolVersions: Record<string, string>,
): Promise<string>;
/**
 * Bundles a workflow-only import in `dir` (and an activity-only and a client-only one); rejects if
 * engine code came along. Sizes are of minified bundles.
 */
export declare function checkWorkflowBundle(
  dir: string,
): Promise<{ bytes: number; inputs: string[]; activityBytes: number; clientBytes: number }>;
/** A TCP port nobody listens on right now. */
export declare function freePort(): Promise<number>;
/** The port for `npm run dev`: SUNDIAL_PACK_PORT when set, else a free one. */
export declare function devPort(): Promise<number>;
/** The README's curl commands of the scaffold, pointed at `port`. */
export declare function readmeCurlScript(app: string, port: number): string;
/**
 * `npm run dev` in the scaffold, then its README's curl commands and `npx sundial workflow describe
 * onboarding-ada --json`; resolves with their outputs.
 */
export declare function checkDevServer(
  app: string,
  port: number,
): Promise<{ curl: string; cli: string }>;
/** sundial's own devDependency versions. */
export declare function toolVersions(): Record<string, string>;
