/**
 * The package as a user gets it (issue #12): `npm pack`, `sundial init` from the tarball into a
 * temporary folder outside the repository, `npm install` there, then the scaffold's own checks, a
 * fresh TypeScript project importing every export path, the size of a workflow-only bundle, and
 * `npm run dev` with the scaffold README's curl commands. The steps are scripts/pack-check.mjs
 * (`npm run pack:check` runs them without vitest and prints their times).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkConsumer,
  checkDevServer,
  checkScaffold,
  checkWorkflowBundle,
  devPort,
  packAndScaffold,
  removeDir,
  toolVersions,
  workDir,
} from "../../scripts/pack-check.mjs";

let work = "";
let packed = { tarball: "", app: "" };

beforeAll(async () => {
  work = workDir();
  packed = await packAndScaffold(work);
});

afterAll(() => {
  if (work) removeDir(work);
});

describe.concurrent("the packed package", () => {
  it("sundial init's scaffold passes its typecheck, npm test and wrangler deploy --dry-run", async () => {
    const tests = await checkScaffold(packed.app);
    expect(tests).toMatch(/Tests\s+7 passed/); // 5 kit tests (one a schedule), 2 over HTTP
  });

  it("a fresh TypeScript project type-checks every export path; a workflow-only import bundles no engine code", async () => {
    const consumer = await checkConsumer(work, packed.tarball, toolVersions());
    const bundle = await checkWorkflowBundle(consumer);
    console.log(
      `minified, without engine code: sundial/workflow ${bundle.bytes} bytes, sundial/activity ${bundle.activityBytes}, sundial/client ${bundle.clientBytes}`,
    );
    expect(
      bundle.inputs.some((path) => path.includes("node_modules/sundial/dist/workflow.js")),
    ).toBe(true);
    expect(bundle.bytes).toBeLessThan(8 * 1024);
    expect(bundle.activityBytes).toBeLessThan(16 * 1024);
    expect(bundle.clientBytes).toBeLessThan(32 * 1024);
  });

  it("npm run dev serves the starter workflow; the README's curl commands (a workflow, a schedule) and the installed sundial command work", async () => {
    const { curl, cli } = await checkDevServer(packed.app, await devPort());
    expect(curl).toContain('"started":true');
    expect(curl).toContain(
      '"status":"Completed","result":{"email":"ada@example.com","status":"active","confirmedBy":"ada"',
    );
    // The README's schedule: created, and described with its next action times.
    expect(curl).toContain('{"scheduleId":"weekday-onboarding"}');
    expect(curl).toContain('"nextActionTimes":["');
    // The installed package's bin, against the same server.
    expect(JSON.parse(cli)).toMatchObject({
      workflowId: "onboarding-ada",
      workflowType: "onboarding",
      status: "Completed",
    });
  });
});
