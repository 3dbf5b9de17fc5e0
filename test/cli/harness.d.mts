/** Types of harness.mjs (see there). */

/** The repository's root directory. */
export declare const repoRoot: string;

/** A TCP port nobody listens on right now. */
export declare function freePort(): Promise<number>;

/** A running `wrangler dev` of the engine and the example activity Worker. */
export interface DevServer {
  /** e.g. `http://127.0.0.1:41234` */
  address: string;
  /** Where its local state lives (`--persist-to`). */
  persistTo: string;
  /** The wrangler process, leader of its own process group (workerd is in it). */
  pid: number;
  /** Stops it (SIGINT to its process group) and deletes its state unless the caller gave `persistTo`. */
  stop(): Promise<void>;
  /**
   * Crashes it: SIGKILL to its process group and every descendant (workerd); resolves, with the
   * processes it killed, once none of them is left (rejects if one survives 10 s). Keeps its state.
   */
  kill(): Promise<{ pid: number; name: string }[]>;
  /** What it printed so far. */
  log(): string;
}

/** Applies migrations/ to the local D1 visibility index kept in `persistTo` (`wrangler d1 migrations apply --local`). */
export declare function applyD1Migrations(persistTo: string): Promise<void>;

/**
 * Starts `wrangler dev -c wrangler.toml -c examples/activity-worker/wrangler.toml` on a free port
 * with fresh state (or `persistTo`'s), and resolves once it answers `GET /`. `migrate`: apply the
 * D1 migrations (the visibility index behind list and count) to that state first.
 */
export declare function startDevServer(options?: {
  timeoutMs?: number;
  migrate?: boolean;
  /** An existing state directory (e.g. a killed server's) instead of a fresh one; kept on stop(). */
  persistTo?: string;
  /** Another entry point for the engine Worker (e.g. `test/fixtures/worker.ts`) than wrangler.toml's. */
  main?: string;
  /** `false`: without the example activity Worker (its "notifications" tasks then stay pending). */
  activityWorker?: boolean;
  /** `--var NAME:value` pairs. @default ["SUNDIAL_AUTH:disabled"] (auth off, as `npm run dev`) */
  vars?: string[];
}): Promise<DevServer>;

/** How a CLI run ended. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node cli/sundial.mjs …args` and resolves when it exits (killed after `timeoutMs`).
 * SUNDIAL_* variables of the caller's environment are dropped unless given in `env`.
 * `onStdout` sees the whole stdout so far each time more arrives (to act while the CLI still runs).
 */
export declare function runCli(
  args: string[],
  options?: {
    env?: Record<string, string>;
    stdin?: string;
    timeoutMs?: number;
    onStdout?: (stdoutSoFar: string) => void;
  },
): Promise<CliRun>;

/** A request the fake server received; header names are lower-case. */
export interface FakeRequest {
  method: string;
  /** Path and query, e.g. `/api/v1/workflows/x?runId=r`. */
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** The fake server's answer: `body` given as chunks is written piece by piece (streams). */
export interface FakeReply {
  /** @default 200 */
  status?: number;
  /** @default { "content-type": "application/json" } */
  headers?: Record<string, string>;
  body?: string | string[];
  /** Pause between chunks. */
  chunkDelayMs?: number;
}

/** A scripted HTTP server standing in for the engine, recording what the CLI sends. */
export interface FakeServer {
  address: string;
  requests: FakeRequest[];
  stop(): Promise<void>;
}

export declare function startFakeServer(
  handler: (request: FakeRequest) => FakeReply | Promise<FakeReply>,
): Promise<FakeServer>;
