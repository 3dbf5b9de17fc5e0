/**
 * @module `sundial init <dir>`: writes a new project that uses the installed `sundial` package — a
 * Worker with `createSundial`, a starter workflow (an activity, a timer, a signal), its tests on
 * @cloudflare/vitest-pool-workers, wrangler.toml and a README. The files come from the package's
 * templates/starter/; package.json is written here, so the project depends on the very `sundial`
 * the command came from and on the tool versions that `sundial` was tested with.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../exit-codes";

/** The dev tools a project needs, pinned to the versions in sundial's own devDependencies. */
const TOOLS = [
  "@cloudflare/vitest-pool-workers",
  "@cloudflare/workers-types",
  "typescript",
  "vitest",
  "wrangler",
] as const;

/** Where the `sundial` package is and what it is: what `init` needs to know about itself. */
export interface InitSource {
  /** The package's root directory (templates/ and package.json are there). */
  packageRoot: string;
  /** The package's version. */
  version: string;
}

/** The Worker / package name for a directory: lowercase letters, digits and dashes. */
export function projectName(dir: string): string {
  const name = basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "")
    // Queue names ("<name>-activities") are at most 63 characters.
    .slice(0, 48)
    .replace(/-+$/, "");
  return /^[a-z]/.test(name) ? name : `sundial-${name}`.replace(/-+$/, "");
}

/**
 * What the new project's package.json says for `sundial`: `explicit` when given; the tarball this
 * CLI was installed from (`npm exec --package=./sundial-0.1.0.tgz -- sundial init …` records it in
 * the install's lockfile) as a `file:` path; otherwise the version.
 */
export function sundialSpec(source: InitSource, projectDir: string, explicit?: string): string {
  if (explicit) return explicit;
  const tarball = installedFromTarball(source.packageRoot);
  if (tarball) {
    const rel = relative(projectDir, tarball);
    return `file:${rel.startsWith(".") || isAbsolute(rel) ? rel : `./${rel}`}`;
  }
  return `^${source.version}`;
}

/** The .tgz an installed package came from, per its node_modules/.package-lock.json. */
function installedFromTarball(packageRoot: string): string | undefined {
  const nodeModules = dirname(packageRoot);
  if (basename(nodeModules) !== "node_modules") return undefined;
  try {
    const lock = JSON.parse(readFileSync(join(nodeModules, ".package-lock.json"), "utf8")) as {
      packages?: Record<string, { resolved?: string }>;
    };
    const resolved = lock.packages?.[`node_modules/${basename(packageRoot)}`]?.resolved;
    if (!resolved?.startsWith("file:") || !resolved.endsWith(".tgz")) return undefined;
    const path = resolved.slice("file:".length);
    // npm records it relative to the directory that holds node_modules.
    const absolute = isAbsolute(path) ? path : resolve(dirname(nodeModules), path);
    return existsSync(absolute) ? absolute : undefined;
  } catch {
    return undefined;
  }
}

/** The new project's package.json. */
export function starterPackageJson(
  name: string,
  spec: string,
  tools: Record<string, string>,
): string {
  const pkg = {
    name,
    version: "0.0.0",
    private: true,
    type: "module",
    scripts: {
      // CI=true: apply the local migrations without asking (wrangler dev does not apply them).
      // Local development runs with auth disabled (a deployed engine requires keys: README).
      dev: "CI=true wrangler d1 migrations apply VISIBILITY --local && wrangler dev --ip 127.0.0.1 --var SUNDIAL_AUTH:disabled",
      test: "vitest run",
      typecheck: "tsc --noEmit",
      deploy: "wrangler deploy",
      "deploy:check": "wrangler deploy --dry-run --outdir .wrangler/deploy-check",
      // Replays the running workflows' histories against this code before a deploy.
      "replay-check": "sundial replay --workflows ./src/workflows.ts",
    },
    dependencies: { sundial: spec },
    devDependencies: tools,
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...filesUnder(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}

/** The files of a new project named `name`: path → content. */
export function starterFiles(source: InitSource, name: string, spec: string): Map<string, string> {
  const templates = join(source.packageRoot, "templates", "starter");
  const files = new Map<string, string>();
  for (const rel of filesUnder(templates)) {
    const text = readFileSync(join(templates, rel), "utf8").replaceAll("{{name}}", name);
    // npm leaves .gitignore files out of a package: the template is "gitignore".
    files.set(rel === "gitignore" ? ".gitignore" : rel, text);
  }
  const own = JSON.parse(readFileSync(join(source.packageRoot, "package.json"), "utf8")) as {
    devDependencies?: Record<string, string>;
  };
  const tools: Record<string, string> = {};
  for (const tool of TOOLS) {
    const version = own.devDependencies?.[tool];
    if (!version) throw new Error(`sundial's package.json names no version of ${tool}`);
    tools[tool] = version;
  }
  files.set("package.json", starterPackageJson(name, spec, tools));
  return files;
}

/** Writes the project into `dir` (new or empty); refuses anything else, writing nothing. */
export function initProject(
  dir: string,
  source: InitSource,
  options: { sundial?: string } = {},
): { dir: string; name: string; spec: string; files: string[] } {
  const target = resolve(dir);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory())
      throw new UsageError(`${dir} exists and is not a directory`);
    if (readdirSync(target).length > 0) {
      throw new UsageError(
        `${dir} is not empty: sundial init writes into a new or empty directory`,
      );
    }
  }
  const name = projectName(target);
  const spec = sundialSpec(source, target, options.sundial);
  const files = starterFiles(source, name, spec);
  for (const [rel, text] of files) {
    const path = join(target, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return { dir: target, name, spec, files: [...files.keys()] };
}

export function addInitCommand(
  program: Command,
  source: InitSource,
  out: (text: string) => void,
): void {
  program
    .command("init")
    .description("write a new project (a Worker with a starter workflow and its tests) into <dir>")
    .argument("<dir>", "a new or empty directory")
    .option(
      "--sundial <spec>",
      "what the project's package.json depends on for sundial (default: the tarball or version this CLI came from)",
    )
    .action((dir: string, options: { sundial?: string }) => {
      const made = initProject(dir, source, options);
      out(`Wrote ${made.files.length} files to ${made.dir} (sundial: ${made.spec}).`);
      if (!options.sundial && existsSync(join(source.packageRoot, "cli", "main.ts"))) {
        // A source checkout: its version may not be on the registry yet.
        out(
          "Run from a source checkout: if npm install cannot find this version, make a tarball (npm pack) and run sundial init --sundial file:<path to the .tgz>.",
        );
      }
      out("");
      out(`  cd ${relative(process.cwd(), made.dir) || "."}`);
      out("  npm install && npm run dev   # http://127.0.0.1:8787");
      out("  npm test");
    });
}
