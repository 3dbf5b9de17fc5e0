/** @module Stored events → API.md's wire shape: payload fields (JSON text in storage) become JSON values. */
import type { JsonValue, WireEvent } from "../../sdk/common/wire";

const PAYLOAD_FIELDS = ["input", "result", "memo", "searchAttributes"] as const;

export function toWireEvent(
  eventId: number,
  eventType: string,
  tsMs: number,
  attributesJson: string,
): WireEvent {
  const attributes = JSON.parse(attributesJson) as { [key: string]: JsonValue };
  for (const field of PAYLOAD_FIELDS) {
    const value = attributes[field];
    if (typeof value === "string") attributes[field] = JSON.parse(value) as JsonValue;
  }
  delete attributes.randomSeed;
  stripStacks(attributes);
  return { eventId, eventType, timestamp: new Date(tsMs).toISOString(), attributes };
}

/** Stack traces stay in storage (and logs); clients see messages and types only. */
function stripStacks(value: JsonValue): void {
  if (Array.isArray(value)) {
    for (const v of value) stripStacks(v);
  } else if (value !== null && typeof value === "object") {
    delete value.stack;
    for (const v of Object.values(value)) stripStacks(v);
  }
}
