/**
 * `sundial init <dir>`: writes the starter project (templates/starter/) with a package.json that
 * depends on this sundial and pins the tools sundial is tested with; refuses a non-empty target.
 * The scaffold itself is installed, tested and served by the "pack" project (test/pack/).
 */
import { afterAll, describe, expect, it } from "vitest";
import { listFiles, readText, removeDir, tempDir, writeText } from "./fs-helpers.mjs";
import { repoRoot, runCli } from "./harness.mjs";

const root = tempDir("sundial-init-");
afterAll(() => removeDir(root));

const STARTER = [
  ".gitignore",
  "README.md",
  "package.json",
  "src/activities.ts",
  "src/index.ts",
  "src/workflows.ts",
  "test/env.d.ts",
  "test/onboarding-kit.test.ts",
  "test/onboarding.test.ts",
  "test/setup.ts",
  "tsconfig.json",
  "vitest.config.ts",
  "wrangler.toml",
];

describe("sundial init", () => {
  it("writes the starter project, named after the directory", async () => {
    const dir = `${root}/My App!`;
    const run = await runCli(["init", dir]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("npm install && npm run dev");
    expect(listFiles(dir)).toEqual(STARTER);

    const pkg = JSON.parse(readText(`${dir}/package.json`));
    const own = JSON.parse(readText(`${repoRoot}/package.json`));
    expect(pkg.name).toBe("my-app");
    // Run from the repository (not from a tarball): the version.
    expect(pkg.dependencies).toEqual({ sundial: `^${own.version}` });
    for (const [tool, version] of Object.entries(pkg.devDependencies)) {
      expect(version).toBe(own.devDependencies[tool]);
    }
    expect(Object.keys(pkg.scripts)).toEqual(
      expect.arrayContaining(["dev", "test", "typecheck", "deploy", "replay-check"]),
    );

    const wrangler = readText(`${dir}/wrangler.toml`);
    expect(wrangler).toContain('name = "my-app"');
    expect(wrangler).toContain('queue = "my-app-activities"');
    expect(wrangler).toContain('migrations_dir = "node_modules/sundial/migrations"');
    expect(wrangler).toContain(`SUNDIAL_TASK_QUEUES = '{"default":"ACTIVITY_QUEUE"}'`);
    expect(wrangler).toContain('class_name = "ScheduleObject"');
    expect(wrangler).toContain('new_sqlite_classes = ["ScheduleObject"]');
    expect(readText(`${dir}/src/index.ts`)).toContain("ScheduleObject");
    expect(readText(`${dir}/vitest.config.ts`)).toContain('"my-app-activities"');
    for (const file of STARTER) expect(readText(`${dir}/${file}`)).not.toContain("{{");
  });

  it("depends on the sundial that --sundial names", async () => {
    const dir = `${root}/pinned`;
    const run = await runCli(["init", dir, "--sundial", "file:../sundial-0.1.0.tgz"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(readText(`${dir}/package.json`)).dependencies).toEqual({
      sundial: "file:../sundial-0.1.0.tgz",
    });
  });

  it("refuses a directory that is not empty, and writes nothing", async () => {
    const dir = tempDir("sundial-init-full-");
    try {
      writeText(`${dir}/notes.txt`, "mine");
      const run = await runCli(["init", dir]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("is not empty");
      expect(listFiles(dir)).toEqual(["notes.txt"]);
      expect(readText(`${dir}/notes.txt`)).toBe("mine");
    } finally {
      removeDir(dir);
    }
  });

  it("refuses a target that is a file", async () => {
    writeText(`${root}/a-file`, "x");
    const run = await runCli(["init", `${root}/a-file`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("is not a directory");
  });

  it("needs a directory", async () => {
    const run = await runCli(["init"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("missing required argument 'dir'");
  });
});
