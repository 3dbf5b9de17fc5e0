/**
 * @module Bounded failures. Every failure the engine stores (a workflow's or update's failure, a
 * failed workflow task, an activity or local activity failure) passes through {@link boundFailure}
 * first, so no thrown value can make a transaction too large to commit: long messages and stacks are
 * cut with a visible marker (never rejected: the failure is what the user needs to see), unknown
 * fields are dropped, the cause chain is capped, and details that do not fit turn the failure into a
 * non-retryable `PayloadTooLarge` that keeps the original's type and message.
 */
import {
  FAILURE_SOURCES,
  type FailureInfo,
  type FailureSource,
  RETRY_STATES,
  type RetryState,
  TIMEOUT_TYPES,
  type TimeoutType,
  withoutStacks,
} from "../../sdk/common/failures";
import { jsonDepthExceeds, MAX_JSON_DEPTH } from "../../sdk/common/json-depth";
import { exceedsBytes } from "../common/payload-size";

/** Longest message or stack kept, in UTF-16 units (less under a small payload limit); the rest is replaced by a marker. */
export const FAILURE_TEXT_MAX_CHARS = 16_384;
/** Longest kept name-like field (type, activity type, ids). */
const NAME_MAX_CHARS = 1024;
/** Causes kept below the outermost failure (toFailure itself keeps 8). */
export const FAILURE_MAX_CAUSES = 8;

const SOURCES: ReadonlySet<string> = new Set(FAILURE_SOURCES);
const TIMEOUT_TYPE_SET: ReadonlySet<string> = new Set(TIMEOUT_TYPES);
const RETRY_STATE_SET: ReadonlySet<string> = new Set(RETRY_STATES);

/** `text` cut to `max` characters with a marker saying how much was cut. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… [truncated ${text.length - max} characters]`;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/**
 * A stored-safe copy of `raw` (any value: a FailureInfo from our own code, or parsed from a report).
 * The result is plain JSON whose text is at most `maxBytes` UTF-8 bytes.
 */
export function boundFailure(raw: unknown, maxBytes: number): FailureInfo {
  const dropped: string[] = [];
  // Texts scale down with a small limit, so a chain of causes with stacks still fits.
  const textMax = Math.max(256, Math.min(FAILURE_TEXT_MAX_CHARS, Math.floor(maxBytes / 16)));
  const full = sanitize(raw, 0, dropped, textMax);
  if (dropped.length === 0) {
    if (!exceedsBytes(JSON.stringify(full), maxBytes)) return full;
    // Stacks are a debugging aid: drop them before touching what the failure says.
    const stackless = withoutStacks(full);
    if (!exceedsBytes(JSON.stringify(stackless), maxBytes)) return stackless;
  }
  // Details that cannot be stored as they are (too big, too deep, not JSON): a non-retryable
  // failure in their place, with the original (minus details and stacks) as its cause.
  const lean = strip(full);
  const why = dropped.length > 0 ? dropped.join("; ") : `it is larger than ${maxBytes} bytes`;
  const wrapped: FailureInfo = {
    message: truncateText(
      `Failure "${truncateText(full.type, 200)}" could not be stored as is (${why}): ${full.message}`,
      2048,
    ),
    type: "PayloadTooLarge",
    source: "ApplicationFailure",
    nonRetryable: true,
    cause: lean,
  };
  if (!exceedsBytes(JSON.stringify(wrapped), maxBytes)) return wrapped;
  const { cause: _cause, ...alone } = wrapped;
  return alone;
}

function sanitize(raw: unknown, depth: number, dropped: string[], textMax: number): FailureInfo {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    const text = typeof raw === "string" ? raw : (safeJson(raw) ?? String(raw));
    return { message: truncateText(text, textMax), type: "Error" };
  }
  const r = raw as Record<string, unknown>;
  const message = str(r.message) ?? (r.message === undefined ? "" : (safeJson(r.message) ?? ""));
  const out: FailureInfo = {
    message: truncateText(message, textMax),
    type: truncateText(str(r.type) || "Error", NAME_MAX_CHARS),
  };
  const source = str(r.source);
  if (source && SOURCES.has(source)) out.source = source as FailureSource;
  if (typeof r.nonRetryable === "boolean") out.nonRetryable = r.nonRetryable;
  if (r.details !== undefined) {
    const text = safeJson(r.details);
    if (text === undefined) dropped.push("its details are not JSON");
    else if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
      dropped.push(`its details nest JSON more than ${MAX_JSON_DEPTH} levels deep`);
    } else out.details = JSON.parse(text) as unknown;
  }
  const stack = str(r.stack);
  if (stack) out.stack = truncateText(stack, textMax);
  const timeoutType = str(r.timeoutType);
  if (timeoutType && TIMEOUT_TYPE_SET.has(timeoutType))
    out.timeoutType = timeoutType as TimeoutType;
  const retryState = str(r.retryState);
  if (retryState && RETRY_STATE_SET.has(retryState)) out.retryState = retryState as RetryState;
  for (const key of ["activityType", "activityId", "workflowType", "workflowId"] as const) {
    const v = str(r[key]);
    if (v !== undefined) out[key] = truncateText(v, NAME_MAX_CHARS);
  }
  if (r.cause !== undefined && r.cause !== null && depth < FAILURE_MAX_CAUSES) {
    out.cause = sanitize(r.cause, depth + 1, dropped, textMax);
  }
  return out;
}

/** Without details and stacks, down the cause chain. */
function strip(f: FailureInfo): FailureInfo {
  const { details: _details, stack: _stack, cause, ...rest } = f;
  return cause ? { ...rest, cause: strip(cause) } : rest;
}

/** JSON text of `value`, or undefined when it has none (a function, a cycle, a BigInt). */
function safeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/**
 * The failure an activity worker reported (JSON text of a FailureInfo), bounded. A report that is
 * not JSON, or nests too deep to read safely, becomes a non-retryable `InvalidPayload` failure:
 * the same worker would send the same again.
 */
export function failureFromReport(text: unknown, maxBytes: number): FailureInfo {
  const unreadable = (why: string): FailureInfo => ({
    message: `The activity worker sent an unreadable failure (${why})`,
    type: "InvalidPayload",
    source: "ApplicationFailure",
    nonRetryable: true,
  });
  if (typeof text !== "string") return unreadable("it is not JSON text");
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
    return unreadable(`it nests JSON more than ${MAX_JSON_DEPTH} levels deep`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return unreadable("it is not valid JSON");
  }
  return boundFailure(raw, maxBytes);
}
