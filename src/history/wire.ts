/**
 * @module Stored events → API.md's wire shape, as JSON text.
 *
 * Payload fields (`input`, `result`, `memo`, `searchAttributes`) are stored as JSON text inside the
 * attributes; they are spliced into the answer as that text instead of being parsed and
 * re-serialized, so a payload of any depth reads back (V8's `JSON.parse` is iterative, but
 * `JSON.stringify` and recursive walkers overflow the stack on deep values: that turned one deep
 * `input` into a history that answered 500 forever). Nothing here recurses on stored data.
 */
import {
  jsonDepthExceeds,
  jsonValueDepthExceeds,
  MAX_JSON_DEPTH,
} from "../../sdk/common/json-depth";

const PAYLOAD_FIELDS: ReadonlySet<string> = new Set([
  "input",
  "result",
  "memo",
  "searchAttributes",
]);
/** The attributes that hold a real failure (a `FailureInfo` and its `cause` chain). */
const FAILURE_FIELDS: ReadonlySet<string> = new Set(["failure", "lastFailure"]);
/** Never shown to clients. */
const HIDDEN_FIELDS: ReadonlySet<string> = new Set(["randomSeed"]);

/** One event as API.md's `{"eventId","eventType","timestamp","attributes"}`, serialized. */
export function wireEventJson(
  eventId: number,
  eventType: string,
  tsMs: number,
  attributesJson: string,
): string {
  const head = `{"eventId":${eventId},"eventType":${JSON.stringify(eventType)},"timestamp":${JSON.stringify(new Date(tsMs).toISOString())}`;
  return `${head},"attributes":${attributesText(attributesJson)}}`;
}

function attributesText(attributesJson: string): string {
  const attributes = JSON.parse(attributesJson) as Record<string, unknown>;
  // Payloads are strings here, so only non-payload user data (failure details) can be deep.
  const deep = jsonDepthExceeds(attributesJson, MAX_JSON_DEPTH);
  const parts: string[] = [];
  for (const [key, value] of Object.entries(attributes)) {
    if (HIDDEN_FIELDS.has(key)) continue;
    let text: string;
    if (PAYLOAD_FIELDS.has(key) && typeof value === "string") text = payloadText(value);
    else {
      if (FAILURE_FIELDS.has(key)) stripFailureStacks(value);
      text =
        deep && jsonValueDepthExceeds(value, MAX_JSON_DEPTH)
          ? JSON.stringify(`(not shown: nested deeper than ${MAX_JSON_DEPTH} levels)`)
          : JSON.stringify(value);
    }
    parts.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${parts.join(",")}}`;
}

/** A stored payload as it goes on the wire: its JSON text itself; text that is not JSON, as a string. */
function payloadText(stored: string): string {
  try {
    JSON.parse(stored); // iterative in V8: validates without a stack risk
    return stored;
  } catch {
    return JSON.stringify(stored);
  }
}

/**
 * Stack traces stay in storage (and logs); clients see messages and types only. Only a failure's
 * own `stack` and its causes' go: a user's field named `stack` (in details, inputs or results) is data.
 */
function stripFailureStacks(failure: unknown): void {
  let f = failure;
  while (f !== null && typeof f === "object" && !Array.isArray(f)) {
    const record = f as { stack?: unknown; cause?: unknown };
    delete record.stack;
    f = record.cause;
  }
}
