/**
 * @module Writing visibility rows to D1: any number of runs' rows in three statements (set-based,
 * over one JSON parameter), so a queue consumer's whole batch is one `db.batch` (one D1 call, one
 * transaction) whatever its size, and D1's per-invocation query limit (50 on the free plan) is
 * never the bound. The direct path (no visibility queue bound) writes one row the same way.
 *
 * Every write is versioned: a row whose version is not greater than the stored one changes
 * nothing (neither the run's row nor its search attribute rows), so duplicates and late,
 * out-of-order deliveries (a queue retry, an outbox resend after a crash) never regress a row.
 */
import { EXECUTION_STATUSES } from "../../sdk/common/wire";
import { limitedLog } from "../common/log-limit";
import { utf8Bytes } from "../common/payload-size";
import { parseIsoDatetime } from "./query";
import {
  canonicalSearchAttributes,
  type SearchAttributeRow,
  type SearchAttributes,
  searchAttributeRows,
} from "./search-attributes";

/** The statuses the `executions` table accepts (its CHECK constraint). */
export const VISIBILITY_STATUSES: ReadonlySet<string> = new Set(EXECUTION_STATUSES);

/**
 * One run's row as the statements bind it (validated, memo already encoded):
 * `[namespace, workflowId, runId, workflowType, status, startMs, closeMs, executionMs, taskQueue,
 * historyLength, parentWorkflowId, parentRunId, memo, searchAttributesJson, version,
 * searchAttributeRows]`.
 */
export type VisibilityTuple = [
  namespace: string,
  workflowId: string,
  runId: string,
  workflowType: string,
  status: string,
  startMs: number,
  closeMs: number | null,
  executionMs: number | null,
  taskQueue: string,
  historyLength: number,
  parentWorkflowId: string | null,
  parentRunId: string | null,
  memo: string | null,
  searchAttributes: string | null,
  version: number,
  attributeRows: SearchAttributeRow[],
];

/** What {@link visibilityTuple} takes: a VisibilityRow whose memo is already stored text. */
export interface EncodedVisibilityRow {
  namespace: string;
  workflowId: string;
  runId: string;
  workflowType: string;
  status: string;
  startTime: string;
  closeTime: string | null;
  executionTime: string | null;
  taskQueue: string;
  historyLength: number;
  /** The memo as stored: JSON text through the engine's codec chain (encrypted with keys), or null. */
  memo: string | null;
  searchAttributes: SearchAttributes;
  parent?: { workflowId: string; runId: string } | null;
  version: number;
}

function epochMs(field: string, iso: string): number {
  const ms = typeof iso === "string" ? parseIsoDatetime(iso) : null;
  if (ms === null) throw new TypeError(`VisibilityRow.${field} is not an ISO-8601 datetime`);
  return ms;
}

/**
 * Validates a row and flattens it for the statements. Throws `TypeError` or
 * `SearchAttributeError` for an invalid row (nothing is written for it).
 */
export function visibilityTuple(row: EncodedVisibilityRow): VisibilityTuple {
  if (!VISIBILITY_STATUSES.has(row.status)) throw new TypeError("VisibilityRow.status is unknown");
  if (!Number.isSafeInteger(row.version) || row.version < 0) {
    throw new TypeError("VisibilityRow.version must be a non-negative integer");
  }
  const sa = canonicalSearchAttributes(row.searchAttributes ?? {});
  return [
    row.namespace,
    row.workflowId,
    row.runId,
    row.workflowType,
    row.status,
    epochMs("startTime", row.startTime),
    row.closeTime ? epochMs("closeTime", row.closeTime) : null,
    row.executionTime ? epochMs("executionTime", row.executionTime) : null,
    row.taskQueue,
    row.historyLength,
    row.parent?.workflowId ?? null,
    row.parent?.runId ?? null,
    row.memo,
    Object.keys(sa).length ? JSON.stringify(sa) : null,
    row.version,
    searchAttributeRows(sa),
  ];
}

const col = (i: number) => `json_extract(j.value, '$[${i}]')`;
const KEY_OF_J = `e.namespace = ${col(0)} AND e.workflow_id = ${col(1)} AND e.run_id = ${col(2)}`;

/**
 * Inserts or updates every row of `?1` (a JSON array of {@link VisibilityTuple}), each only when
 * its version is greater than the stored one. Two rows of one run in one batch: the greater
 * version wins whatever their order (the update's guard compares row by row).
 */
const UPSERT_EXECUTIONS = `
INSERT INTO executions (namespace, workflow_id, run_id, workflow_type, status, start_time,
  close_time, execution_time, task_queue, history_length, parent_workflow_id, parent_run_id,
  memo, search_attributes, version)
SELECT ${Array.from({ length: 15 }, (_, i) => col(i)).join(", ")}
FROM json_each(?1) AS j WHERE true
ON CONFLICT (namespace, workflow_id, run_id) DO UPDATE SET
  workflow_type = excluded.workflow_type, status = excluded.status,
  start_time = excluded.start_time, close_time = excluded.close_time,
  execution_time = excluded.execution_time, task_queue = excluded.task_queue,
  history_length = excluded.history_length, parent_workflow_id = excluded.parent_workflow_id,
  parent_run_id = excluded.parent_run_id, memo = excluded.memo,
  search_attributes = excluded.search_attributes, version = excluded.version
WHERE excluded.version > executions.version`;

/** Drops the index rows of the batch's runs whose version is not the stored row's. */
const DELETE_STALE_ATTRIBUTES = `
DELETE FROM search_attributes AS s
WHERE (s.namespace, s.workflow_id, s.run_id) IN (SELECT ${col(0)}, ${col(1)}, ${col(2)} FROM json_each(?1) AS j)
  AND s.version <> (SELECT e.version FROM executions e
    WHERE e.namespace = s.namespace AND e.workflow_id = s.workflow_id AND e.run_id = s.run_id)`;

/**
 * Writes each row's index rows (element 15: `[[name, idx, type, text, num], …]`), only for a row
 * whose version is the stored one and whose index rows are not there yet. (SQLite materialises
 * the SELECT before inserting, as it reads the table it inserts into: the NOT EXISTS sees the
 * table as it was; a duplicate of the same version in the batch meets the primary key.)
 */
const INSERT_ATTRIBUTES = `
INSERT INTO search_attributes (namespace, workflow_id, run_id, name, idx, type, value_text, value_num, version)
SELECT ${col(0)}, ${col(1)}, ${col(2)}, json_extract(a.value, '$[0]'), json_extract(a.value, '$[1]'),
  json_extract(a.value, '$[2]'), json_extract(a.value, '$[3]'), json_extract(a.value, '$[4]'), ${col(14)}
FROM json_each(?1) AS j, json_each(j.value, '$[15]') AS a
WHERE (SELECT e.version FROM executions e WHERE ${KEY_OF_J}) = ${col(14)}
  AND NOT EXISTS (SELECT 1 FROM search_attributes s
    WHERE s.namespace = ${col(0)} AND s.workflow_id = ${col(1)} AND s.run_id = ${col(2)} AND s.version = ${col(14)})
ON CONFLICT DO NOTHING`;

/**
 * D1 binds a string of at most 2,000,000 bytes: the rows go in chunks of at most this much JSON
 * (a queue message is at most 128 KB, so a chunk holds several whole rows).
 */
export const MAX_CHUNK_BYTES = 1_000_000;

/**
 * The most one row's JSON may take, alone in its chunk: under D1's 2,000,000-byte limit on a bound
 * string and on a row. The request limits cannot keep a row under it: a memo is stored as JSON
 * text, and each quote or backslash in it takes two bytes there and four in the row's JSON (a
 * 0.6 MB memo of quotes is a 2.4 MB row), and the codec's base64 adds a third.
 */
export const MAX_TUPLE_BYTES = 1_900_000;

/** What a row too big for D1 was listed without (see {@link fitTuple}). */
export type Shrunk = "memo" | "memo and search attributes";

function jsonBytes(t: VisibilityTuple): { json: string; bytes: number } {
  const json = JSON.stringify(t);
  return { json, bytes: utf8Bytes(json) };
}

/**
 * A row D1 could never store is listed without its memo, and if that is not enough without its
 * search attributes too (its status, type, times and ids still list and filter it), instead of a
 * write refused forever: retried from the outbox with no end, and the run never listed. Describe
 * still shows the whole memo (it reads the execution, not D1).
 */
export function fitTuple(t: VisibilityTuple): {
  json: string;
  bytes: number;
  shrunk: Shrunk | null;
} {
  const whole = jsonBytes(t);
  if (whole.bytes <= MAX_TUPLE_BYTES) return { ...whole, shrunk: null };
  const noMemo: VisibilityTuple = [...t];
  noMemo[12] = null;
  const withoutMemo = jsonBytes(noMemo);
  if (withoutMemo.bytes <= MAX_TUPLE_BYTES) return { ...withoutMemo, shrunk: "memo" };
  const bare: VisibilityTuple = [...noMemo];
  bare[13] = null;
  bare[15] = [];
  return { ...jsonBytes(bare), shrunk: "memo and search attributes" };
}

/**
 * Splits tuples into chunks of at most {@link MAX_CHUNK_BYTES} of JSON each (in order); a row
 * over that goes alone, and one over {@link MAX_TUPLE_BYTES} shrinks first ({@link fitTuple}).
 * `onShrunk` hears of each row that did.
 */
export function chunkTuples(
  tuples: readonly VisibilityTuple[],
  onShrunk?: (t: VisibilityTuple, shrunk: Shrunk) => void,
): string[] {
  const chunks: string[] = [];
  let part: string[] = [];
  let bytes = 2;
  for (const t of tuples) {
    const fit = fitTuple(t);
    if (fit.shrunk) onShrunk?.(t, fit.shrunk);
    const size = fit.bytes + 1;
    if (part.length > 0 && bytes + size > MAX_CHUNK_BYTES) {
      chunks.push(`[${part.join(",")}]`);
      part = [];
      bytes = 2;
    }
    part.push(fit.json);
    bytes += size;
  }
  if (part.length > 0) chunks.push(`[${part.join(",")}]`);
  return chunks;
}

/**
 * Writes the rows in one `db.batch` (one D1 call, one transaction: all or nothing), three
 * statements per chunk. Resolves how many rows became the stored row (others lost to a newer
 * version, or repeated one). Rejects when D1 does (nothing written).
 */
export async function writeVisibilityTuples(
  db: D1Database,
  tuples: readonly VisibilityTuple[],
): Promise<number> {
  if (tuples.length === 0) return 0;
  const statements: D1PreparedStatement[] = [];
  const listedWithout = (t: VisibilityTuple, shrunk: Shrunk) =>
    limitedLog(
      "warn",
      "visibility row too big",
      `sundial: the visibility row of run ${t[2]} (workflow "${t[1]}") is too big for D1; it is listed without its ${shrunk} (describe shows them)`,
    );
  for (const chunk of chunkTuples(tuples, listedWithout)) {
    statements.push(
      db.prepare(UPSERT_EXECUTIONS).bind(chunk),
      db.prepare(DELETE_STALE_ATTRIBUTES).bind(chunk),
      db.prepare(INSERT_ATTRIBUTES).bind(chunk),
    );
  }
  const results = await db.batch(statements);
  let applied = 0;
  for (let i = 0; i < results.length; i += 3) applied += results[i]?.meta.changes ?? 0;
  return applied;
}
