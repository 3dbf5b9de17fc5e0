#!/usr/bin/env node
// The `sundial` command (package.json `bin`). The CLI is TypeScript that shares the typed client
// (sdk/client). An installed package runs dist/cli.mjs, bundled by `npm run build` (run by `npm
// pack`): no build tool at run time. In this repository (cli/main.ts is here), on the first run and
// after any of its sources changed, esbuild bundles it (with commander) into one ES module under
// node_modules/.cache/sundial-cli/; plain Node 20+ then runs that bundle: no build step, and about a
// third of the start-up time of a TypeScript loader.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");

function cacheDirs() {
  const key = createHash("sha256").update(root).digest("hex").slice(0, 12);
  return [
    join(root, "node_modules", ".cache", "sundial-cli"),
    join(tmpdir(), `sundial-cli-${key}`),
  ];
}

/** The bundle in `dir` when it is newer than every source it was built from. */
function freshBundle(dir) {
  try {
    const bundle = join(dir, "sundial.mjs");
    const builtAt = statSync(bundle).mtimeMs;
    const inputs = JSON.parse(readFileSync(join(dir, "inputs.json"), "utf8"));
    const stale = inputs.some((file) => statSync(resolve(root, file)).mtimeMs > builtAt);
    return stale ? undefined : bundle;
  } catch {
    return undefined;
  }
}

async function build() {
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    entryPoints: [join(here, "main.ts")],
    absWorkingDir: root,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    metafile: true,
    outfile: "sundial.mjs",
    logLevel: "silent",
    // commander is CommonJS: give its require() of node builtins a real `require` in ESM.
    banner: {
      js: 'import { createRequire as __sundialRequire } from "node:module"; const require = __sundialRequire(import.meta.url);',
    },
  });
  const code = result.outputFiles[0].contents;
  const inputs = JSON.stringify(Object.keys(result.metafile.inputs));
  for (const dir of cacheDirs()) {
    try {
      mkdirSync(dir, { recursive: true });
      // Write, then rename: a concurrent run never imports half a file.
      const tmp = join(dir, `.${process.pid}.tmp`);
      writeFileSync(tmp, code);
      renameSync(tmp, join(dir, "sundial.mjs"));
      writeFileSync(tmp, inputs);
      renameSync(tmp, join(dir, "inputs.json"));
      return join(dir, "sundial.mjs");
    } catch {
      // Not writable (a read-only install): try the next place.
    }
  }
  throw new Error(`sundial: cannot write the CLI bundle to ${cacheDirs().join(" or ")}`);
}

const fromSource = existsSync(join(here, "main.ts"));
const bundle = fromSource
  ? (cacheDirs().map(freshBundle).find(Boolean) ?? (await build()))
  : join(root, "dist", "cli.mjs");
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const { main } = await import(pathToFileURL(bundle).href);
process.exitCode = await main(process.argv.slice(2), { version, root });
