/**
 * @module Checks on what activity workers report (results, heartbeat details, failures), made before
 * anything is stored: a report is JSON, within the payload limit and at most 100 levels deep. A
 * stored payload is read back by every later replay, so one bad report would break the run's
 * history for good; instead the attempt fails visibly and non-retryably (the same report would
 * fail the same way again).
 */

import { jsonDepthExceeds, MAX_JSON_DEPTH } from "../../sdk/common/json-depth";
import { exceedsBytes, payloadTooLargeMessage } from "../common/payload-size";

/** What is wrong with a reported payload; `type` becomes the non-retryable failure's type. */
export interface PayloadProblem {
  type: "InvalidPayload" | "PayloadTooLarge" | "PayloadTooDeep";
  message: string;
}

/**
 * Checks one reported payload (JSON text). Returns what is wrong with it, or undefined when it may
 * be stored. Size is checked first, so a huge report costs no parse.
 */
export function payloadProblem(
  text: unknown,
  maxBytes: number,
  what: string,
): PayloadProblem | undefined {
  if (typeof text !== "string") {
    return { type: "InvalidPayload", message: `The ${what} is not JSON text (got ${typeof text})` };
  }
  if (exceedsBytes(text, maxBytes)) {
    return { type: "PayloadTooLarge", message: payloadTooLargeMessage(what, maxBytes) };
  }
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
    return {
      type: "PayloadTooDeep",
      message: `The ${what} nests JSON more than ${MAX_JSON_DEPTH} levels deep`,
    };
  }
  try {
    JSON.parse(text);
  } catch {
    return { type: "InvalidPayload", message: `The ${what} is not valid JSON` };
  }
  return undefined;
}

/** Task tokens: `ns~workflowId~runId~seq~attempt`, each part URI-encoded. */
export interface TaskToken {
  namespace: string;
  workflowId: string;
  runId: string;
  seq: number;
  attempt: number;
}

/** Longest task token accepted (ids are capped far below this at the API). */
export const MAX_TOKEN_CHARS = 4096;
const COUNTER = /^[0-9]{1,9}$/;
const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Parses a task token, or says why it is malformed. The engine only hands out tokens of this shape
 * (run ids are UUIDs, seq and attempt small counters), so anything else is a bug or a forgery and is
 * refused before any execution is touched.
 */
export function parseTaskToken(
  token: unknown,
): { ok: true; token: TaskToken } | { ok: false; reason: string } {
  if (typeof token !== "string") return { ok: false, reason: "a task token is a string" };
  if (token.length > MAX_TOKEN_CHARS) {
    return { ok: false, reason: `a task token is at most ${MAX_TOKEN_CHARS} characters` };
  }
  const raw = token.split("~");
  if (raw.length !== 5) return { ok: false, reason: "a task token has 5 parts separated by ~" };
  const parts: string[] = [];
  for (const p of raw) {
    try {
      parts.push(decodeURIComponent(p));
    } catch {
      return { ok: false, reason: "a task token part is not valid URI encoding" };
    }
  }
  const [namespace, workflowId, runId, seq, attempt] = parts as [
    string,
    string,
    string,
    string,
    string,
  ];
  if (!namespace || !workflowId)
    return { ok: false, reason: "the namespace and workflow id must not be empty" };
  if (!RUN_ID.test(runId)) return { ok: false, reason: "the run id is not a UUID" };
  if (!COUNTER.test(seq) || !COUNTER.test(attempt) || Number(attempt) < 1) {
    return { ok: false, reason: "seq and attempt are decimal counters (attempt from 1)" };
  }
  return {
    ok: true,
    token: { namespace, workflowId, runId, seq: Number(seq), attempt: Number(attempt) },
  };
}
