/** @module Request bodies: size, then depth, then `JSON.parse`, each a clear error before any work. */
import { jsonDepthExceeds, MAX_JSON_DEPTH } from "../../sdk/common/json-depth";
import { ApiError } from "./errors";

/**
 * Reads a request body as text, refusing it (413) as soon as more than `maxBytes` arrived: a
 * chunked body without a content-length is never buffered past the limit (a 100 MB body would
 * otherwise take the isolate's memory with it).
 */
export async function readBodyText(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new ApiError(
      "PayloadTooLarge",
      `Request body is ${declared} bytes; the limit is ${maxBytes}`,
    );
  }
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await discardRest(reader, total);
      throw new ApiError("PayloadTooLarge", `Request body exceeds the limit of ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  // Bad UTF-8 becomes U+FFFD: the JSON then fails validation with a clear message, not a crash.
  return new TextDecoder().decode(bytes);
}

/** Past this much, an oversized body is cut off instead of read to its end. */
const MAX_DISCARD_BYTES = 16 * 1024 * 1024;

/**
 * Reads the rest of a refused body without keeping it, so the client (still uploading) gets its
 * 413 instead of a reset connection; a body past {@link MAX_DISCARD_BYTES} is cancelled.
 */
async function discardRest(reader: ReadableStreamDefaultReader<Uint8Array>, seen: number) {
  let total = seen;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      total += value.byteLength;
      if (total > MAX_DISCARD_BYTES) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // the client went away: nothing to answer
  }
}

/**
 * Parses a request body's text: 413 past `maxBytes`; 400 when nested deeper than
 * {@link MAX_JSON_DEPTH} (checked on the raw text before parsing, so a deep body costs one linear
 * scan and can never reach a recursive walker or `JSON.stringify`); 400 for malformed JSON.
 */
export function parseJsonBody(text: string, maxBytes: number): unknown {
  if (utf8BytesExceed(text, maxBytes)) {
    throw new ApiError("PayloadTooLarge", `Request body exceeds the limit of ${maxBytes} bytes`);
  }
  if (text.trim() === "") {
    throw new ApiError("InvalidArgument", "Request body is empty; send a JSON object");
  }
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
    throw new ApiError(
      "InvalidArgument",
      `Request body is nested deeper than ${MAX_JSON_DEPTH} levels of arrays and objects`,
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError("InvalidArgument", "Request body is not valid JSON");
  }
}

/** Whether `text` encodes to more than `limit` UTF-8 bytes; counts without encoding, stops early. */
export function utf8BytesExceed(text: string, limit: number): boolean {
  if (text.length * 3 <= limit) return false; // at most 3 bytes per UTF-16 code unit
  if (text.length > limit) return true; // at least 1 byte per code unit
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4; // a surrogate pair
      i++;
    } else bytes += 3; // a lone surrogate becomes U+FFFD, 3 bytes

    if (bytes > limit) return true;
  }
  return false;
}
