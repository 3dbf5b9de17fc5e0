/**
 * @module The visibility queue's message: one run's row, its memo already encoded (the engine's
 * codec chain, AES-GCM when keys are set: the Queue never holds a plaintext memo), and when the
 * run's retention deletes the row. Built by the execution's delivery, checked by the consumer
 * (a message is any structured-clone value: a hostile or stale producer may send anything). Pure.
 */
import { SearchAttributeError, type SearchAttributes } from "./search-attributes";
import {
  type EncodedVisibilityRow,
  VISIBILITY_STATUSES,
  type VisibilityTuple,
  visibilityTuple,
} from "./upsert";

/** The only message format so far; a consumer drops (acks and logs) any other. */
export const VISIBILITY_MESSAGE_VERSION = 1;

export interface VisibilityMessage {
  v: typeof VISIBILITY_MESSAGE_VERSION;
  row: EncodedVisibilityRow;
  /**
   * Epoch ms at which the run's retention deletes its D1 row (close + retention), or null (running,
   * or kept forever). A message still queued then (D1 down for that long) is dropped, so it
   * cannot bring the deleted row back.
   */
  deleteAtMs: number | null;
}

/** Identifiers and names longer than this are refused (API ids are far shorter). */
const MAX_NAME_LENGTH = 4096;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function name(row: Record<string, unknown>, field: string): string {
  const v = row[field];
  if (typeof v !== "string" || v.length === 0 || v.length > MAX_NAME_LENGTH) {
    throw new TypeError(`row.${field} must be a non-empty string of at most ${MAX_NAME_LENGTH}`);
  }
  return v;
}

function isoOrNull(row: Record<string, unknown>, field: string): string | null {
  const v = row[field];
  if (v === null || v === undefined) return null;
  if (typeof v !== "string") throw new TypeError(`row.${field} must be a string or null`);
  return v;
}

function count(row: Record<string, unknown>, field: string): number {
  const v = row[field];
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
    throw new TypeError(`row.${field} must be a non-negative integer`);
  }
  return v;
}

/**
 * The message's row as the D1 statements bind it, and its deletion time. Throws `TypeError` (or
 * `SearchAttributeError`) saying what is wrong with a malformed message; never for a valid one.
 */
export function parseVisibilityMessage(body: unknown): {
  tuple: VisibilityTuple;
  deleteAtMs: number | null;
} {
  if (!isObject(body)) throw new TypeError("the message is not an object");
  if (body.v !== VISIBILITY_MESSAGE_VERSION) throw new TypeError("unknown message version");
  const deleteAtMs = body.deleteAtMs ?? null;
  if (deleteAtMs !== null && (typeof deleteAtMs !== "number" || !Number.isFinite(deleteAtMs))) {
    throw new TypeError("deleteAtMs must be a number or null");
  }
  const row = body.row;
  if (!isObject(row)) throw new TypeError("row is not an object");
  const status = row.status;
  if (typeof status !== "string" || !VISIBILITY_STATUSES.has(status)) {
    throw new TypeError("row.status is unknown");
  }
  const memo = row.memo ?? null;
  if (memo !== null && typeof memo !== "string")
    throw new TypeError("row.memo must be stored text");
  const parent = row.parent ?? null;
  if (parent !== null && !(isObject(parent) && typeof parent.workflowId === "string")) {
    throw new TypeError("row.parent must be {workflowId, runId} or null");
  }
  if (parent !== null && typeof parent.runId !== "string") {
    throw new TypeError("row.parent must be {workflowId, runId} or null");
  }
  const sa = row.searchAttributes ?? {};
  if (!isObject(sa)) throw new SearchAttributeError("row.searchAttributes must be an object");
  const startTime = isoOrNull(row, "startTime");
  if (startTime === null) throw new TypeError("row.startTime is required");
  const tuple = visibilityTuple({
    namespace: name(row, "namespace"),
    workflowId: name(row, "workflowId"),
    runId: name(row, "runId"),
    workflowType: name(row, "workflowType"),
    status,
    startTime,
    closeTime: isoOrNull(row, "closeTime"),
    executionTime: isoOrNull(row, "executionTime"),
    taskQueue: name(row, "taskQueue"),
    historyLength: count(row, "historyLength"),
    memo,
    searchAttributes: sa as SearchAttributes,
    parent: parent as { workflowId: string; runId: string } | null,
    version: count(row, "version"),
  });
  return { tuple, deleteAtMs };
}
