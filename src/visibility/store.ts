/**
 * @module The visibility index in D1 (schema: migrations/0001_visibility.sql): idempotent,
 * version-ordered upserts from each execution's outbox; filtered, newest-first, cursor-paged
 * list; count.
 */
import type { ExecutionStatus, JsonValue } from "../../sdk/common/wire";
import { type CodecChain, IDENTITY } from "../codec/codec";
import { queryToSql } from "./query";
import { plainSearchAttributes, type SearchAttributes } from "./search-attributes";
import { type EncodedVisibilityRow, visibilityTuple, writeVisibilityTuples } from "./upsert";

export type { SearchAttributes, SearchAttributeValue } from "./search-attributes";

/** One run of a workflow as the index holds it. */
export interface VisibilityRow {
  namespace: string;
  workflowId: string;
  runId: string;
  workflowType: string;
  status: ExecutionStatus;
  /** ISO-8601. */
  startTime: string;
  /** ISO-8601; null while running. */
  closeTime: string | null;
  /** ISO-8601: when the first workflow task could run (after a start delay); null if unknown. */
  executionTime: string | null;
  taskQueue: string;
  historyLength: number;
  /** Any JSON, or null. */
  memo: unknown | null;
  /** Typed: `{CustomerId: {type: "keyword", value: "c-7"}}`; see search-attributes.ts. */
  searchAttributes: SearchAttributes;
  /** The parent of a child workflow; absent or null otherwise. */
  parent?: { workflowId: string; runId: string } | null;
  /**
   * Per run, strictly increasing with every change of the row (e.g. the history length at the
   * change, or a counter in the run's state). A write whose version is not greater than the
   * stored one changes nothing, so a late or repeated outbox delivery never regresses a row.
   * The same version must always carry the same content.
   */
  version: number;
}

/** A list entry: API.md's describe without the pending lists. */
export interface WorkflowExecutionInfo {
  workflowId: string;
  runId: string;
  workflowType: string;
  status: ExecutionStatus;
  startTime: string;
  closeTime: string | null;
  executionTime: string | null;
  taskQueue: string;
  historyLength: number;
  memo: JsonValue;
  /** Plain `name → value`, as describe returns them. */
  searchAttributes: Record<string, JsonValue>;
  parent: { workflowId: string; runId: string } | null;
}

export interface ListOptions {
  namespace: string;
  /** The filter of API.md; empty or absent lists everything. */
  query?: string | undefined;
  /** 1…{@link MAX_PAGE_SIZE}; default {@link DEFAULT_PAGE_SIZE}. */
  pageSize?: number | undefined;
  /** The `nextPageToken` of the previous page. */
  nextPageToken?: string | null | undefined;
  /** Decodes the stored memo (src/codec); plaintext as stored when absent. */
  codec?: CodecChain | undefined;
}

export interface ListResult {
  executions: WorkflowExecutionInfo[];
  /** Pass back for the next page; null on the last page. */
  nextPageToken: string | null;
}

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** A nextPageToken that this index did not issue (or was altered). Maps to 400 `InvalidArgument`. */
export class PageTokenError extends Error {
  override name = "PageTokenError";
  constructor() {
    super("nextPageToken is malformed; pass back the nextPageToken of the previous page unchanged");
  }
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

// ---------------------------------------------------------------------------------------------
// Upsert

/**
 * Inserts or updates a run's row, in one D1 transaction with its search attribute index.
 * Idempotent; a write whose `version` is lower than or equal to the stored one changes nothing.
 * Resolves `{applied: true}` when this write became the stored row. Throws `TypeError` or
 * `SearchAttributeError` for an invalid row (nothing written).
 */
export async function upsertVisibility(
  db: D1Database,
  row: VisibilityRow,
  /** Encodes the memo (src/codec): a D1 row holds no plaintext memo when keys are configured. */
  codec: CodecChain = IDENTITY,
): Promise<{ applied: boolean }> {
  const tuple = visibilityTuple(encodeVisibilityRow(row, codec));
  return { applied: (await writeVisibilityTuples(db, [tuple])) > 0 };
}

/** The row with its memo as D1 stores it (JSON through the codec chain), or null. */
export function encodeVisibilityRow(row: VisibilityRow, codec: CodecChain): EncodedVisibilityRow {
  const memo =
    row.memo === undefined || row.memo === null ? null : codec.encode(JSON.stringify(row.memo));
  return { ...row, memo };
}

// ---------------------------------------------------------------------------------------------
// List and count

interface ExecutionRecord {
  namespace: string;
  workflow_id: string;
  run_id: string;
  workflow_type: string;
  status: ExecutionStatus;
  start_time: number;
  close_time: number | null;
  execution_time: number | null;
  task_queue: string;
  history_length: number;
  parent_workflow_id: string | null;
  parent_run_id: string | null;
  memo: string | null;
  search_attributes: string | null;
  version: number;
}

function toInfo(r: ExecutionRecord, codec: CodecChain): WorkflowExecutionInfo {
  const sa = r.search_attributes ? (JSON.parse(r.search_attributes) as SearchAttributes) : {};
  return {
    workflowId: r.workflow_id,
    runId: r.run_id,
    workflowType: r.workflow_type,
    status: r.status,
    startTime: new Date(r.start_time).toISOString(),
    closeTime: isoOrNull(r.close_time),
    executionTime: isoOrNull(r.execution_time),
    taskQueue: r.task_queue,
    historyLength: r.history_length,
    memo: r.memo ? (JSON.parse(codec.decode(r.memo)) as JsonValue) : {},
    searchAttributes: plainSearchAttributes(sa),
    parent:
      r.parent_workflow_id && r.parent_run_id
        ? { workflowId: r.parent_workflow_id, runId: r.parent_run_id }
        : null,
  };
}

/** The position after the last row of a page: its sort key. */
interface Cursor {
  startTime: number;
  workflowId: string;
  runId: string;
}

const TOKEN_VERSION = 1;
export const MAX_TOKEN_LENGTH = 4096;

function base64UrlEncode(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function base64UrlDecode(token: string): string {
  const b64 = token.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
}

/** An opaque, URL-safe page token for the position after `c`. */
export function encodePageToken(c: Cursor): string {
  return base64UrlEncode(JSON.stringify([TOKEN_VERSION, c.startTime, c.workflowId, c.runId]));
}

/** The cursor of a page token; throws {@link PageTokenError} when it is malformed. */
export function decodePageToken(token: string): Cursor {
  if (token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) {
    throw new PageTokenError();
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(base64UrlDecode(token));
  } catch {
    throw new PageTokenError();
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 4 ||
    parsed[0] !== TOKEN_VERSION ||
    !Number.isSafeInteger(parsed[1]) ||
    typeof parsed[2] !== "string" ||
    typeof parsed[3] !== "string"
  ) {
    throw new PageTokenError();
  }
  return { startTime: parsed[1], workflowId: parsed[2], runId: parsed[3] };
}

function where(namespace: string, query: string | undefined) {
  const filter = queryToSql(query ?? "");
  return {
    sql: `e.namespace = ?${filter.sql ? ` AND ${filter.sql}` : ""}`,
    params: [namespace, ...filter.params] as (string | number)[],
  };
}

/**
 * One page of runs matching `query`, newest first (start time, then workflow id and run id,
 * all descending). Paging is by cursor: rows written meanwhile never shift a page. Throws
 * `QueryError` for a malformed query and {@link PageTokenError} for a malformed token.
 */
export async function listVisibility(db: D1Database, options: ListOptions): Promise<ListResult> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new RangeError(`pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  const cursor = options.nextPageToken ? decodePageToken(options.nextPageToken) : null;
  const w = where(options.namespace, options.query);
  let sql = `SELECT e.* FROM executions e WHERE ${w.sql}`;
  const params = [...w.params];
  if (cursor) {
    sql += " AND (e.start_time, e.workflow_id, e.run_id) < (?, ?, ?)";
    params.push(cursor.startTime, cursor.workflowId, cursor.runId);
  }
  sql += " ORDER BY e.start_time DESC, e.workflow_id DESC, e.run_id DESC LIMIT ?";
  params.push(pageSize + 1);
  const { results } = await db
    .prepare(sql)
    .bind(...params)
    .all<ExecutionRecord>();
  const page = results.slice(0, pageSize);
  const last = page[page.length - 1];
  return {
    executions: page.map((r) => toInfo(r, options.codec ?? IDENTITY)),
    nextPageToken:
      results.length > pageSize && last
        ? encodePageToken({
            startTime: last.start_time,
            workflowId: last.workflow_id,
            runId: last.run_id,
          })
        : null,
  };
}

/** How many runs match `query`. Throws `QueryError` for a malformed query. */
export async function countVisibility(
  db: D1Database,
  options: { namespace: string; query?: string | undefined },
): Promise<number> {
  const w = where(options.namespace, options.query);
  const row = await db
    .prepare(`SELECT COUNT(*) AS count FROM executions e WHERE ${w.sql}`)
    .bind(...w.params)
    .first<{ count: number }>();
  return row?.count ?? 0;
}

/** Deletes a run's row and its search attribute index (retention). Idempotent. */
export async function deleteVisibility(
  db: D1Database,
  namespace: string,
  workflowId: string,
  runId: string,
): Promise<void> {
  await db.batch([
    db
      .prepare(
        "DELETE FROM search_attributes WHERE namespace = ?1 AND workflow_id = ?2 AND run_id = ?3",
      )
      .bind(namespace, workflowId, runId),
    db
      .prepare("DELETE FROM executions WHERE namespace = ?1 AND workflow_id = ?2 AND run_id = ?3")
      .bind(namespace, workflowId, runId),
  ]);
}
