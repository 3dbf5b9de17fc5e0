/**
 * @module Live history over Server-Sent Events (`GET …/history` with `Accept: text/event-stream`).
 * The Worker loops over the execution's `watchHistory` RPC, which waits in the Durable Object until
 * events are appended (no polling), and writes one SSE message per event until the run has closed.
 */

import type { ExecutionStub } from "../execution/addressing";
import type { HistoryWatch } from "../execution/rpc";
import { ApiError } from "./errors";

/** How long one `watchHistory` call may wait in the object; a keep-alive comment follows an idle one. */
const WATCH_WAIT_MS = 25_000;
/** Events per `watchHistory` answer (a long backlog comes in several). */
const WATCH_LIMIT = 500;
/** Failed RPCs in a row (an object reset, a deploy) before the stream gives up; clients resume with Last-Event-ID. */
const MAX_RPC_FAILURES = 3;

/** Whether the request asks for the stream rather than a page. */
export function wantsEventStream(accept: string | undefined): boolean {
  return accept?.toLowerCase().includes("text/event-stream") ?? false;
}

/**
 * Where the stream starts: `Last-Event-ID` (what a reconnecting client sends) wins over `after`.
 * @throws {ApiError} InvalidArgument for a `Last-Event-ID` that is not an event id.
 */
export function resumeAfter(lastEventId: string | undefined, after: number | undefined): number {
  if (lastEventId === undefined || lastEventId.trim() === "") return after ?? 0;
  const id = lastEventId.trim();
  if (!/^\d{1,15}$/.test(id)) {
    const shown = lastEventId.length > 32 ? `${lastEventId.slice(0, 32)}…` : lastEventId;
    throw new ApiError("InvalidArgument", `Last-Event-ID must be an eventId, got "${shown}"`);
  }
  return Number(id);
}

/** The SSE frame of one event: `id` (for Last-Event-ID), `event` its type, `data` its JSON. */
export function sseFrame(event: { eventId: number; eventType: string; json: string }): string {
  return `id: ${event.eventId}\nevent: ${event.eventType}\ndata: ${event.json}\n\n`;
}

/**
 * Answers with the run's events after `after` as an SSE stream, ending after the run's closing
 * event. Without `runId` the stream stays on the run that is latest when it starts (a
 * continue-as-new ends it; the new run is a stream of its own). Unknown workflow or run: the
 * JSON error response, before any stream starts.
 */
export async function historyEventStream(
  stubFor: () => ExecutionStub,
  query: { runId?: string; after: number },
): Promise<Response> {
  let stub = stubFor();
  // The first step does not wait: it checks the run exists (an error is a plain JSON answer) and
  // pins the stream to one run.
  const first = await stub.watchHistory({ ...query, limit: WATCH_LIMIT, waitMs: 0, admit: true });
  if (!first.ok) {
    return new Response(first.reply.body, {
      status: first.reply.status,
      headers: { ...first.reply.headers, "content-type": "application/json" },
    });
  }
  const runId = first.runId;
  let after = query.after;
  let pending: HistoryWatch | undefined = first;
  let failures = 0;
  const encoder = new TextEncoder();

  const body = new ReadableStream<Uint8Array>({
    // Called when the reader wants more: one watch step per call, so a slow reader is not flooded.
    async pull(controller) {
      let step: HistoryWatch;
      if (pending) {
        step = pending;
        pending = undefined;
      } else {
        try {
          step = await stub.watchHistory({
            runId,
            after,
            limit: WATCH_LIMIT,
            waitMs: WATCH_WAIT_MS,
          });
          failures = 0;
        } catch (err) {
          // The object was reset (eviction, deploy): a fresh stub reaches its new instance.
          failures += 1;
          if (failures >= MAX_RPC_FAILURES) {
            controller.error(err);
            return;
          }
          stub = stubFor();
          controller.enqueue(encoder.encode(": reconnecting\n\n"));
          return;
        }
      }
      if (!step.ok) {
        // Too many waiters in the object (429): end the stream and tell EventSource when to
        // reconnect (it resumes with Last-Event-ID). A vanished run just ends it.
        const retryAfter = Number(step.reply.headers?.["retry-after"]);
        if (retryAfter > 0) controller.enqueue(encoder.encode(`retry: ${retryAfter * 1000}\n\n`));
        controller.close();
        return;
      }
      const frames = step.events.map(sseFrame).join("");
      const last = step.events.at(-1);
      if (last) after = last.eventId;
      controller.enqueue(encoder.encode(frames === "" ? ": keep-alive\n\n" : frames));
      if (step.closed) controller.close();
    },
  });

  return new Response(body, {
    status: 200,
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "x-sundial-run-id": runId,
    },
  });
}
