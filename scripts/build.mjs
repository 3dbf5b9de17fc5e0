#!/usr/bin/env node
/**
 * `npm run build` (also run by `npm pack` through `prepack`): the package's `dist/`.
 *
 * - JavaScript: esbuild bundles the five entry points of package.json `exports` with code splitting,
 *   so a class shared by two entries (ApplicationFailure from `sundial/workflow` and the engine) is
 *   one class in one chunk and `instanceof` holds across them. Dependencies stay imports (they are
 *   the package's dependencies) and so do `cloudflare:*` and `node:*` (the user's bundler, wrangler,
 *   resolves them for workerd).
 * - Declarations: `tsc -p tsconfig.build.json` emits one `.d.ts` per source module under
 *   dist/types/; relative imports get their `.js` extension (or `/index.js`) so the declarations
 *   resolve under every `moduleResolution` (bundler, node16, nodenext), and `node:async_hooks` (the
 *   engine's replay runtime) points at a small local declaration instead of requiring @types/node.
 * - The CLI: cli/main.ts bundled once into dist/cli.mjs, so an installed `sundial` needs no build
 *   tool at run time (cli/sundial.mjs runs it; in this repository it bundles the sources instead).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");

/** package.json `exports` subpath → source module (dist/<name>.js and dist/types/<source>.d.ts). */
export const ENTRIES = {
  index: "src/engine.ts",
  workflow: "sdk/workflow/index.ts",
  activity: "sdk/activity/index.ts",
  client: "sdk/client/index.ts",
  testing: "src/testing/index.ts",
};

/** Entries of dist/ that are not package exports: `sundial replay` bundles dist/replay.js. */
const INTERNAL = { replay: "src/testing/replay.ts" };

const started = performance.now();
rmSync(dist, { recursive: true, force: true });

// 1. The library's JavaScript, for workerd (through the user's wrangler) and for Node (client, replay).
const library = await build({
  absWorkingDir: root,
  entryPoints: Object.entries({ ...ENTRIES, ...INTERNAL }).map(([out, source]) => ({
    in: source,
    out,
  })),
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  packages: "external",
  external: ["cloudflare:*", "node:*"],
  chunkNames: "chunks/[name]-[hash]",
  metafile: true,
  logLevel: "warning",
});

// 2. The CLI: one Node module; its dependencies (commander, esbuild) stay package dependencies.
await build({
  absWorkingDir: root,
  entryPoints: ["cli/main.ts"],
  outfile: "dist/cli.mjs",
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  logLevel: "warning",
});

// 3. Declarations.
const tsc = spawnSync(
  process.execPath,
  [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
  { cwd: root, stdio: "inherit" },
);
if (tsc.status !== 0) {
  console.error("build: tsc -p tsconfig.build.json failed");
  process.exit(tsc.status ?? 1);
}

const typesDir = join(dist, "types");
const asyncHooks = join(typesDir, "node-async-hooks.d.ts");
writeFileSync(
  asyncHooks,
  `/** The part of \`node:async_hooks\` the replay runtime's declarations mention (no @types/node needed). */
export declare class AsyncLocalStorage<T> {
  getStore(): T | undefined;
  run<R>(store: T, fn: () => R): R;
}
`,
);

/** `spec` (relative, extensionless) as an import that resolves without a bundler. */
function withExtension(file, spec) {
  const base = resolve(dirname(file), spec);
  if (existsSync(`${base}.d.ts`)) return `${spec}.js`;
  if (existsSync(join(base, "index.d.ts"))) return `${spec}/index.js`;
  throw new Error(`build: ${relative(root, file)} imports ${spec}, which has no declaration`);
}

function* declarations(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* declarations(path);
    else if (name.endsWith(".d.ts")) yield path;
  }
}

for (const file of declarations(typesDir)) {
  if (file === asyncHooks) continue;
  const text = readFileSync(file, "utf8");
  // Line by line, leaving doc comments (their examples name made-up modules) alone.
  const fixed = text
    .split("\n")
    .map((line) => (/^\s*(\*|\/\/|\/\*)/.test(line) ? line : rewriteLine(file, line)))
    .join("\n");
  if (fixed !== text) writeFileSync(file, fixed);
}

function rewriteLine(file, line) {
  return line.replace(
    /(\bfrom\s+|\bimport\s*\(\s*|^import\s+)(["'])([^"']+)\2/g,
    (all, lead, quote, spec) => {
      if (spec === "node:async_hooks") {
        let rel = relative(dirname(file), asyncHooks).replace(/\.d\.ts$/, ".js");
        if (!rel.startsWith(".")) rel = `./${rel}`;
        return `${lead}${quote}${rel}${quote}`;
      }
      if (!spec.startsWith("./") && !spec.startsWith("../")) return all;
      if (/\.(m?js)$/.test(spec)) return all;
      return `${lead}${quote}${withExtension(file, spec)}${quote}`;
    },
  );
}

const bytes = Object.entries(library.metafile.outputs)
  .filter(([path]) => path.endsWith(".js"))
  .reduce((sum, [, out]) => sum + out.bytes, 0);
console.log(
  `build: dist/ (${Object.keys(ENTRIES).length} entries, ${(bytes / 1024).toFixed(0)} KiB of JS, cli.mjs, types) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
