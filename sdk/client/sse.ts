/**
 * @module A Server-Sent Events reader (the `text/event-stream` format of the HTML standard) over a
 * `fetch` body, for live history. Uses only web streams, so it runs on Node 20+, Workers and browsers.
 */

/** One dispatched event: its `id` (the last one seen), `event` name and `data` lines joined by `\n`. */
export interface SseMessage {
  id: string | undefined;
  event: string;
  data: string;
}

/**
 * Yields the events of an SSE stream in order. Comments (`: keep-alive`) and `retry:` lines are
 * skipped; an event without `data` is not dispatched, as in `EventSource`. Leaving the loop early
 * cancels the stream.
 */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let lastId: string | undefined;
  let event = "";
  let data: string[] = [];
  let hasData = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return; // an event not ended by a blank line is dropped, as EventSource does
      buffer += value;
      for (;;) {
        const end = lineEnd(buffer);
        if (end === undefined) break;
        const line = buffer.slice(0, end.at);
        buffer = buffer.slice(end.at + end.length);
        if (line === "") {
          if (hasData) yield { id: lastId, event: event || "message", data: data.join("\n") };
          event = "";
          data = [];
          hasData = false;
          continue;
        }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        let value = colon === -1 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "data") {
          data.push(value);
          hasData = true;
        } else if (field === "event") {
          event = value;
        } else if (field === "id" && !value.includes("\0")) {
          lastId = value;
        }
      }
    }
  } finally {
    // Early exit (break, an abort): release the connection.
    await reader.cancel().catch(() => {});
  }
}

/** Where the first line of `buffer` ends (`\n`, `\r\n` or `\r`), unless it is still incomplete. */
function lineEnd(buffer: string): { at: number; length: number } | undefined {
  const lf = buffer.indexOf("\n");
  const cr = buffer.indexOf("\r");
  if (cr === -1 && lf === -1) return undefined;
  if (cr === -1 || (lf !== -1 && lf < cr)) return { at: lf, length: 1 };
  // A `\r` at the very end may be the first half of `\r\n`: wait for the next chunk.
  if (cr === buffer.length - 1) return undefined;
  return { at: cr, length: buffer[cr + 1] === "\n" ? 2 : 1 };
}
