/**
 * @module Deduplication keys of the `requests` table, one namespace per kind of request. Starts,
 * signals and cancels share the table, so each key carries its kind: a start whose requestId is
 * `signal:x` must not swallow a later signal whose requestId is `x`.
 */

export type RequestKind = "start" | "signal" | "cancel";

export function requestKey(kind: RequestKind, requestId: string): string {
  return `${kind}:${requestId}`;
}

/**
 * The keys a start's requestId may be stored under: its own, and the bare id that starts were
 * stored under before keys had kinds (kept so a retried start still dedupes across the upgrade),
 * unless the bare id is shaped like another kind's key.
 */
export function startRequestKeys(requestId: string): [string, string] | [string] {
  const key = requestKey("start", requestId);
  return /^(signal|cancel):/.test(requestId) ? [key] : [key, requestId];
}
