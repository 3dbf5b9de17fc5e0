/**
 * @module History page tokens (`nextPageToken` of `GET …/history`): both directions in one place.
 * Opaque to clients; URL-safe base64 of `runId:after`.
 */

export function encodePageToken(runId: string, after: number): string {
  return btoa(`${runId}:${after}`).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
}

/** The run and position a token names, or null when it is malformed. */
export function decodePageToken(token: string): { runId: string; after: number } | null {
  try {
    const text = atob(token.replace(/-/g, "+").replace(/_/g, "/"));
    const [runId, after] = text.split(":");
    const n = Number(after);
    if (!runId || !Number.isInteger(n) || n < 0) return null;
    return { runId, after: n };
  } catch {
    return null;
  }
}
