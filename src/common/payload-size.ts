/**
 * @module The one payload-size check (API edge, engine, replay runtime, local activities, worker
 * reports) and the one message a payload past the limit gets. Pure: no platform import.
 */
import { ApplicationFailure } from "../../sdk/common/failures";

/** Whether `text` encodes to more than `limit` UTF-8 bytes (skips encoding when it cannot). */
export function exceedsBytes(text: string, limit: number): boolean {
  // UTF-8 needs at most 3 bytes per UTF-16 code unit.
  if (text.length * 3 <= limit) return false;
  return new TextEncoder().encode(text).byteLength > limit;
}

/** The message of a payload past the limit: what it is, the limit, and what to do instead. */
export function payloadTooLargeMessage(what: string, maxBytes: number): string {
  return `The ${what} is larger than ${maxBytes} bytes; store large data elsewhere (R2) and pass a reference`;
}

/** The non-retryable `PayloadTooLarge` failure of a payload past the limit. */
export function payloadTooLarge(what: string, maxBytes: number): ApplicationFailure {
  return ApplicationFailure.nonRetryable(payloadTooLargeMessage(what, maxBytes), "PayloadTooLarge");
}
