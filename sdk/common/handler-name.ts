/**
 * @module Signal, query and update names: one rule for the SDK, the HTTP API and the engine. As in
 * Temporal, a name is any non-empty string (names built at run time, e.g. from a UUID, are common),
 * bounded so it cannot bloat history or URLs.
 */

/** The longest handler name, in UTF-16 code units. */
export const MAX_HANDLER_NAME_LENGTH = 256;

/** What is wrong with `name` as a signal/query/update name, or `undefined` when it is fine. Linear time. */
export function handlerNameProblem(name: unknown): string | undefined {
  if (typeof name !== "string") return "must be a string";
  if (name.length === 0) return "must not be empty";
  if (name.length > MAX_HANDLER_NAME_LENGTH) {
    return `is at most ${MAX_HANDLER_NAME_LENGTH} characters (got ${name.length})`;
  }
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    // Control characters would be invisible in logs and the UI, and break header/URL round trips.
    if (code < 0x20 || code === 0x7f) return "must not contain control characters";
  }
  return undefined;
}

/** Throws a TypeError naming the kind (`signal`, `query`, `update`) when `name` is not a valid name. */
export function checkHandlerName(kind: string, name: unknown): string {
  const problem = handlerNameProblem(name);
  if (problem) {
    const shown = typeof name === "string" ? JSON.stringify(name.slice(0, 64)) : String(name);
    throw new TypeError(`Invalid ${kind} name ${shown}: a ${kind} name ${problem}`);
  }
  return name as string;
}
