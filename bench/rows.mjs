/**
 * @module `rows_written_per_step`: SQLite rows an execution object writes per workflow step, read
 * from the object's own counter (src/execution/sql-counter.ts, `GET /api/v1/unsafe/workflows/{id}/
 * storage-counts`, SUNDIAL_UNSAFE=1 only). It sums each statement cursor's `rowsWritten`, which is
 * SQLite's count: every row inserted, updated or deleted, index entries included.
 *
 * Per step, marginal: `steps` workflows (examples/steps.ts) of 10 and of 110 steps; the difference
 * divided by 100 leaves out what every workflow pays once (start, close, visibility). Exact and
 * deterministic (no timing), so one run of each is enough.
 *
 * `measureRowsWritten(mf, log)` runs inside `npm run bench` (the engine Worker must be named
 * "sundial", with SUNDIAL_UNSAFE=1 and a consumer on its activity queue); alone,
 * `node bench/rows.mjs [engine.js]` builds the engine (wrangler dry-run) unless given one.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { engineJson } from "./engine-client.mjs";

let seq = 0;

/** The storage counts of the object, once they stop moving (background delivery after the close). */
async function settledCounts(mf, workflowId) {
  let last;
  for (let i = 0; i < 100; i++) {
    const r = await engineJson(mf, "GET", `/api/v1/unsafe/workflows/${workflowId}/storage-counts`);
    if (r.status !== 200) {
      throw new Error(`storage-counts ${workflowId}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
    }
    if (last && JSON.stringify(last) === JSON.stringify(r.json)) return r.json;
    last = r.json;
    await new Promise((done) => setTimeout(done, 50));
  }
  return last;
}

/** Runs one `steps` workflow to its close; returns its object's storage counts. */
async function countsOf(mf, n, local) {
  const workflowId = `rows-${local ? "l" : "q"}${n}-${process.pid}-${++seq}`;
  const start = await engineJson(mf, "POST", "/api/v1/workflows", {
    workflowType: "steps",
    workflowId,
    input: { n, local },
  });
  if (start.status !== 201) {
    throw new Error(`start ${workflowId}: HTTP ${start.status} ${JSON.stringify(start.json)}`);
  }
  for (;;) {
    const r = await engineJson(mf, "GET", `/api/v1/workflows/${workflowId}/result?wait=60s`);
    if (r.status === 200) {
      if (r.json.status !== "Completed") {
        throw new Error(`${workflowId} closed as ${JSON.stringify(r.json).slice(0, 300)}`);
      }
      break;
    }
    if (r.status !== 202) throw new Error(`result ${workflowId}: HTTP ${r.status}`);
  }
  return settledCounts(mf, workflowId);
}

const per = (a, b, key) => (b[key] - a[key]) / 100;

/**
 * Rows written per queue-activity step (the number `npm run bench` prints); the local-activity
 * value, statements and alarm writes per step, and the fixed cost of start + close go to `log`.
 */
export async function measureRowsWritten(mf, log = (...a) => console.error("[rows]", ...a)) {
  const result = {};
  for (const local of [false, true]) {
    const small = await countsOf(mf, 10, local);
    const large = await countsOf(mf, 110, local);
    const kind = local ? "local" : "queue";
    const rows = per(small, large, "rowsWritten");
    const fixed = small.rowsWritten - 10 * rows;
    log(
      `  ${kind} step: ${rows} rows written, ${per(small, large, "statements")} statements ` +
        `(${per(small, large, "writeStatements")} writing), ${per(small, large, "alarmWrites")} alarm writes; ` +
        `start + close: ${fixed} rows (n=10: ${JSON.stringify(small)})`,
    );
    result[kind] = { rows, statements: per(small, large, "statements"), fixed, small, large };
  }
  return result.queue.rows;
}

// ------------------------------------------------------------------- alone: node bench/rows.mjs

async function main() {
  const { Miniflare } = await import("miniflare");
  const benchDir = dirname(fileURLToPath(import.meta.url));
  let entry = process.argv[2] ? resolve(process.argv[2]) : undefined;
  if (!entry) {
    const out = join(benchDir, ".build", "rows-engine");
    const r = spawnSync(
      join(benchDir, "..", "node_modules", ".bin", "wrangler"),
      ["deploy", "--dry-run", "--outdir", out],
      {
        cwd: join(benchDir, ".."),
        env: {
          ...process.env,
          WRANGLER_SEND_METRICS: "false",
          WRANGLER_SEND_ERROR_REPORTS: "false",
          WRANGLER_HIDE_BANNER: "true",
          CLOUDFLARE_CF_FETCH_ENABLED: "false",
        },
        encoding: "utf8",
      },
    );
    entry = join(out, "index.js");
    if (r.status !== 0 || !existsSync(entry)) throw new Error(`build failed: ${r.stderr}`);
  }
  const mf = new Miniflare({
    workers: [
      {
        name: "sundial",
        modules: true,
        scriptPath: entry,
        modulesRoot: dirname(entry),
        compatibilityDate: "2026-04-20",
        compatibilityFlags: ["nodejs_compat"],
        durableObjects: {
          WORKFLOW_EXECUTION: { className: "WorkflowExecution", useSQLite: true },
          SCHEDULE: { className: "ScheduleObject", useSQLite: true },
        },
        queueProducers: { ACTIVITY_QUEUE: { queueName: "rows-acts" } },
        queueConsumers: {
          "rows-acts": { maxBatchSize: 10, maxBatchTimeout: 0, maxRetries: 10, retryDelay: 0 },
        },
        bindings: {
          SUNDIAL_TASK_QUEUES: '{"default":"ACTIVITY_QUEUE"}',
          SUNDIAL_UNSAFE: "1",
          SUNDIAL_AUTH: "disabled",
        },
      },
    ],
  });
  try {
    await mf.ready;
    const rows = await measureRowsWritten(mf);
    console.log(`rows_written_per_step: ${rows}`);
  } finally {
    await mf.dispose();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
