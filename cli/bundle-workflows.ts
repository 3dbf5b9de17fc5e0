/**
 * @module Loads a user's workflow module for `sundial replay`: esbuild bundles it together with
 * Sundial's replay-check (src/testing/replay.ts) into one ES module, so workflow code and the replay
 * runtime share one copy of the SDK (its failure classes are compared with `instanceof`), then Node
 * imports it with source maps on, so a divergence names the user's file and line.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Plugin } from "esbuild";
import type * as ReplayModule from "../src/testing/replay";
import { UsageError } from "./exit-codes";

/** What the bundle exports: the user's module and the replay functions. */
export type LoadedWorkflows = Pick<
  typeof ReplayModule,
  "replayHistories" | "replayHistory" | "workflowsByName"
> & { userModule: Record<string, unknown> };

/** `sundial/<sub>` → the source file of this package, so the bundle holds one copy of each. */
const PACKAGE_SOURCES: Readonly<Record<string, string>> = {
  sundial: "src/engine.ts",
  "sundial/workflow": "sdk/workflow/index.ts",
  "sundial/activity": "sdk/activity/index.ts",
  "sundial/client": "sdk/client/index.ts",
  "sundial/testing": "src/testing/index.ts",
};

/** The same for an installed package (no sources): its built entry points (scripts/build.mjs). */
const PACKAGE_DIST: Readonly<Record<string, string>> = {
  sundial: "dist/index.js",
  "sundial/workflow": "dist/workflow.js",
  "sundial/activity": "dist/activity.js",
  "sundial/client": "dist/client.js",
  "sundial/testing": "dist/testing.js",
};

function sourcesPlugin(root: string, files: Readonly<Record<string, string>>): Plugin {
  return {
    name: "sundial-sources",
    setup(build) {
      build.onResolve({ filter: /^sundial(\/[\w-]+)?$/ }, (args) => {
        const file = files[args.path];
        return file ? { path: join(root, file) } : undefined;
      });
      // Workflow modules may sit next to Worker code: platform modules load as inert stand-ins.
      build.onResolve({ filter: /^cloudflare:/ }, (args) => ({
        path: args.path,
        namespace: "cloudflare-stub",
      }));
      build.onLoad({ filter: /.*/, namespace: "cloudflare-stub" }, () => ({
        contents:
          "export class DurableObject {}; export class WorkerEntrypoint {}; export class RpcTarget {}; export const env = {}; export default {};",
        loader: "js",
      }));
    },
  };
}

/**
 * Bundles `modulePath` (a module exporting workflow definitions, or arrays of them) with the replay
 * check from the package at `root`, and imports it.
 */
export async function loadWorkflows(root: string, modulePath: string): Promise<LoadedWorkflows> {
  const file = resolve(modulePath);
  if (!existsSync(file)) throw new UsageError(`--workflows: no such file ${file}`);
  // This repository has the sources; an installed package has dist/ (replay.js shares its chunks
  // with workflow.js, so the failure classes are one copy there too).
  const fromSource = existsSync(join(root, "src/testing/replay.ts"));
  const replaySource = join(root, fromSource ? "src/testing/replay.ts" : "dist/replay.js");
  if (!existsSync(replaySource)) {
    throw new UsageError(`sundial replay: the package has no ${replaySource} (a broken install?)`);
  }
  // Loaded from node_modules at run time, never bundled into the CLI (esbuild finds its binary
  // next to its own files): a specifier the CLI's bundler cannot follow.
  const esbuildPackage = "esbuild";
  const esbuild = (await import(esbuildPackage)) as typeof import("esbuild");
  const entry = [
    `export * as userModule from ${JSON.stringify(file)};`,
    `export { replayHistories, replayHistory, workflowsByName } from ${JSON.stringify(replaySource)};`,
  ].join("\n");
  const dir = await mkdtemp(join(tmpdir(), "sundial-replay-"));
  try {
    const out = join(dir, "workflows.mjs");
    let text: string;
    try {
      const result = await esbuild.build({
        stdin: {
          contents: entry,
          resolveDir: root,
          loader: "ts",
          sourcefile: "sundial-replay-entry.ts",
        },
        bundle: true,
        platform: "node",
        format: "esm",
        target: "node20",
        write: false,
        // The map's paths are relative to the bundle: stacks then name the user's own files.
        outfile: out,
        sourcemap: "inline",
        logLevel: "silent",
        plugins: [sourcesPlugin(root, fromSource ? PACKAGE_SOURCES : PACKAGE_DIST)],
      });
      text = result.outputFiles[0]!.text;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new UsageError(`--workflows: cannot bundle ${file}: ${message}`);
    }
    await writeFile(out, text);
    process.setSourceMapsEnabled(true);
    const loaded = (await import(pathToFileURL(out).href)) as LoadedWorkflows;
    if (loaded.workflowsByName(loaded.userModule).size === 0) {
      throw new UsageError(
        `--workflows: ${file} exports no workflow definitions (export them, or an array of them)`,
      );
    }
    return loaded;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
