/**
 * @module The one payload-size check (API edge, engine, replay runtime, local activities, worker
 * reports) and the one message a payload past the limit gets. Pure: no platform import.
 */
import { ApplicationFailure } from "../../sdk/common/failures";

const utf8 = new TextEncoder();

/**
 * UTF-8 byte length of a string: what Queues, D1 and SQLite count (at least what a queue's
 * serialization of it costs).
 */
export function utf8Bytes(text: string): number {
  return utf8.encode(text).byteLength;
}

/** Whether `text` encodes to more than `limit` UTF-8 bytes (skips encoding when it cannot). */
export function exceedsBytes(text: string, limit: number): boolean {
  // UTF-8 needs at most 3 bytes per UTF-16 code unit.
  if (text.length * 3 <= limit) return false;
  return utf8Bytes(text) > limit;
}

/** The message of a payload past the limit: what it is, the limit, and what to do instead. */
export function payloadTooLargeMessage(what: string, maxBytes: number): string {
  return `The ${what} is larger than ${maxBytes} bytes; store large data elsewhere (R2) and pass a reference`;
}

/** The non-retryable `PayloadTooLarge` failure of a payload past the limit. */
export function payloadTooLarge(what: string, maxBytes: number): ApplicationFailure {
  return ApplicationFailure.nonRetryable(payloadTooLargeMessage(what, maxBytes), "PayloadTooLarge");
}
