/**
 * @module Stored JSON text put into an answer as it is: `JSON.stringify` overflows the stack on a
 * deeply nested value, so a stored payload is never parsed into a value just to be written again.
 */
import type { JsonValue } from "../../sdk/common/wire";

/** JSON text standing in for a value inside an answer body; {@link stringifyWithRaw} splices it. */
class RawJson {
  constructor(readonly text: string) {}
}

/**
 * Marks stored JSON text to be written verbatim by {@link stringifyWithRaw}. Typed as the value it
 * encodes. Text that is not valid JSON (only a forged report could have stored it) goes out as a string.
 */
export function rawJson(text: string): JsonValue {
  let valid = true;
  try {
    JSON.parse(text); // iterative in V8: validates any depth without a stack risk
  } catch {
    valid = false;
  }
  return new RawJson(valid ? text : JSON.stringify(text)) as unknown as JsonValue;
}

/** `JSON.stringify(body)`, with each {@link rawJson} written as its text. */
export function stringifyWithRaw(body: unknown): string {
  const raws: string[] = [];
  // A per-call nonce: no user string can be mistaken for a placeholder.
  const nonce = crypto.randomUUID();
  const text = JSON.stringify(body, (_key, value: unknown) => {
    if (!(value instanceof RawJson)) return value;
    raws.push(value.text);
    return `${nonce}:${raws.length - 1}`;
  });
  if (raws.length === 0) return text;
  return text.replace(new RegExp(`"${nonce}:(\\d+)"`, "g"), (_m, i: string) => raws[Number(i)]!);
}
