/**
 * @module Live history over Server-Sent Events (`GET …/history`, `Accept: text/event-stream`): events
 * arrive as they are appended, the stream ends at the run's close, and `Last-Event-ID` resumes.
 * Progress is driven by signals and time skipping, never by waiting.
 */
import { SELF } from "cloudflare:test";
import { describe, it } from "vitest";
import { createClient } from "../../sdk/client/index";
import { readSse, type SseMessage } from "../../sdk/client/sse";
import type { WireEvent } from "../../sdk/common/wire";
import { api, evictIfCold, history, post, result, skipTime, start, uniqueId } from "../helpers";

const wf = (workflowId: string, namespace?: string) =>
  `${namespace ? `/api/v1/namespaces/${namespace}` : "/api/v1"}/workflows/${encodeURIComponent(workflowId)}`;

/** An open SSE history stream, read message by message. */
interface Stream {
  response: Response;
  /** Every message read so far. */
  messages: SseMessage[];
  /** Reads until `done` accepts the latest event; fails if the stream ends first. */
  until(done: (event: WireEvent) => boolean): Promise<WireEvent[]>;
  /** Reads to the end of the stream. */
  rest(): Promise<WireEvent[]>;
  /** Drops the connection (as a client going away would). */
  close(): Promise<void>;
}

async function openStream(
  workflowId: string,
  options: { lastEventId?: number; query?: string; namespace?: string } = {},
): Promise<Stream> {
  const headers: Record<string, string> = { accept: "text/event-stream" };
  if (options.lastEventId !== undefined) headers["last-event-id"] = String(options.lastEventId);
  const response = await api(`${wf(workflowId, options.namespace)}/history${options.query ?? ""}`, {
    headers,
  });
  if (response.status !== 200 || !response.body) {
    throw new Error(`stream failed: ${response.status} ${await response.text()}`);
  }
  const iterator = readSse(response.body)[Symbol.asyncIterator]();
  const messages: SseMessage[] = [];
  const next = async (): Promise<WireEvent | undefined> => {
    const { done, value } = await iterator.next();
    if (done) return undefined;
    messages.push(value);
    return JSON.parse(value.data) as WireEvent;
  };
  return {
    response,
    messages,
    async until(accept) {
      const events: WireEvent[] = [];
      for (;;) {
        const event = await next();
        if (!event) throw new Error(`stream ended after ${events.map((e) => e.eventType)}`);
        events.push(event);
        if (accept(event)) return events;
      }
    },
    async rest() {
      const events: WireEvent[] = [];
      for (let event = await next(); event; event = await next()) events.push(event);
      return events;
    },
    async close() {
      await iterator.return?.(undefined);
    },
  };
}

const is = (type: string) => (e: WireEvent) => e.eventType === type;

function signal(workflowId: string, input: string, namespace?: string): Promise<Response> {
  return post(`${wf(workflowId, namespace)}/signals/item`, { input });
}

describe("live history (SSE)", () => {
  it("streams every event as it is appended and ends at the run's close", async ({ expect }) => {
    const workflowId = uniqueId("sse-collector");
    // A minute's sleep: a 1 s one could fire in real time before the skip, which then found no
    // alarm to run (the run only waits for signals after it).
    await start({ workflowType: "collector", workflowId, input: { n: 2, wait: "1m" } });

    const stream = await openStream(workflowId);
    expect(stream.response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    // Each step below waits for the events of the previous one while the run is still open.
    const seen = await stream.until(is("TimerStarted"));
    // The stream stays open: keep the object (in cold mode an eviction here left the stream's
    // watch waiting out its 25 s, 5 s short of the test's timeout).
    await skipTime(workflowId, 60_000, { evict: false });
    seen.push(...(await stream.until(is("TimerFired"))));
    expect((await signal(workflowId, "a")).status).toBe(202);
    seen.push(...(await stream.until(is("WorkflowExecutionSignaled"))));
    expect((await signal(workflowId, "b")).status).toBe(202);
    seen.push(...(await stream.rest()));

    expect(seen.at(-1)?.eventType).toBe("WorkflowExecutionCompleted");
    expect(await result(workflowId)).toMatchObject({ status: "Completed", result: ["a", "b"] });
    // Exactly the paged history: same events, same order, nothing repeated.
    expect(seen).toEqual(await history(workflowId));
    // The SSE fields: id is the eventId, event the eventType.
    expect(stream.messages.map((m) => [m.id, m.event])).toEqual(
      seen.map((e) => [String(e.eventId), e.eventType]),
    );
  });

  it("resumes after Last-Event-ID without gaps or repeats", async ({ expect }) => {
    const workflowId = uniqueId("sse-resume");
    await start({ workflowType: "collector", workflowId, input: { n: 1, wait: "1m" } });

    const first = await openStream(workflowId);
    const before = await first.until(is("TimerStarted"));
    await first.close();
    await evictIfCold(); // cold: the resumed stream reads what a fresh object replays from SQLite

    await skipTime(workflowId, 60_000);
    expect((await signal(workflowId, "only")).status).toBe(202);
    await result(workflowId);

    const last = before.at(-1)?.eventId ?? 0;
    const second = await openStream(workflowId, { lastEventId: last });
    const after = await second.rest();
    expect(after[0]?.eventId).toBe(last + 1);
    expect([...before, ...after]).toEqual(await history(workflowId));

    // `after` works as Last-Event-ID does; the header wins when both are given.
    const byQuery = await openStream(workflowId, { query: `?after=${last}` });
    expect(await byQuery.rest()).toEqual(after);
    const both = await openStream(workflowId, { lastEventId: last + 1, query: "?after=1" });
    expect((await both.rest()).map((e) => e.eventId)).toEqual(after.slice(1).map((e) => e.eventId));
  });

  it("answers a closed run's whole history and ends; past its end it ends at once", async ({
    expect,
  }) => {
    const workflowId = uniqueId("sse-closed");
    await start({ workflowType: "cancellable", workflowId, input: { on: "signal" } });
    expect((await signal(workflowId, "go")).status).toBe(202);
    expect(await result(workflowId)).toMatchObject({ status: "Completed" });
    const all = await history(workflowId);

    expect(await (await openStream(workflowId)).rest()).toEqual(all);
    const past = await openStream(workflowId, { lastEventId: all.length });
    expect(await past.rest()).toEqual([]);
  });

  it("ends a run's stream at continue-as-new; the next run streams on its own", async ({
    expect,
  }) => {
    const workflowId = uniqueId("sse-looper");
    const { runId: firstRun } = await start({
      workflowType: "looper",
      workflowId,
      input: { i: 0, until: 1 },
    });
    const stream = await openStream(workflowId);
    expect(stream.response.headers.get("x-sundial-run-id")).toBe(firstRun);
    await stream.until(is("TimerStarted"));
    await skipTime(workflowId, 1000, { evict: false });
    const ended = await stream.rest();
    expect(ended.at(-1)?.eventType).toBe("WorkflowExecutionContinuedAsNew");
    const firstHistory = await history(workflowId, firstRun);
    expect(firstHistory.at(-1)?.eventType).toBe("WorkflowExecutionContinuedAsNew");

    // Without runId a new stream is on the newest run, from its event 1.
    const next = await openStream(workflowId);
    const secondRun = next.response.headers.get("x-sundial-run-id");
    expect(secondRun).not.toBe(firstRun);
    const started = await next.until(is("TimerStarted"));
    expect(started[0]).toMatchObject({ eventId: 1, eventType: "WorkflowExecutionStarted" });
    await skipTime(workflowId, 1000, { evict: false });
    const rest = await next.rest();
    expect(rest.at(-1)?.eventType).toBe("WorkflowExecutionCompleted");
    expect([...started, ...rest]).toEqual(await history(workflowId, secondRun ?? undefined));

    // A pinned runId still streams the first run, ending at its ContinuedAsNew.
    const pinned = await openStream(workflowId, { query: `?runId=${firstRun}` });
    expect(await pinned.rest()).toEqual(firstHistory);
  });

  it("serves the namespaced route and the typed client's followHistory", async ({ expect }) => {
    const namespace = "sse-ns";
    const workflowId = uniqueId("sse-namespaced");
    // A namespace must be registered (issue 11); 409 when the other project's run made it.
    const registered = await post("/api/v1/namespaces", { name: namespace });
    expect([201, 409]).toContain(registered.status);
    const res = await post(`/api/v1/namespaces/${namespace}/workflows`, {
      workflowType: "cancellable",
      workflowId,
      input: { on: "signal" },
    });
    expect(res.status).toBe(201);
    const client = createClient({
      baseUrl: "http://sundial.test",
      namespace,
      fetch: (input, init) => SELF.fetch(input, init),
    });
    const followed: WireEvent[] = [];
    const iterator = client.getHandle(workflowId).followHistory()[Symbol.asyncIterator]();
    const first = await iterator.next();
    if (first.done) throw new Error("followHistory ended at once");
    followed.push(first.value);
    // The run is still waiting for its signal: it can only close after this.
    expect((await signal(workflowId, "go", namespace)).status).toBe(202);
    for (let step = await iterator.next(); !step.done; step = await iterator.next()) {
      followed.push(step.value);
    }
    const paged = await api(`${wf(workflowId, namespace)}/history`);
    expect(followed).toEqual(((await paged.json()) as { events: WireEvent[] }).events);
    expect(followed.at(-1)?.eventType).toBe("WorkflowExecutionCompleted");
    // The default namespace has no such workflow.
    expect((await api(`${wf(workflowId)}/history`)).status).toBe(404);
  });

  it("the client resumes a dropped stream on the same run across continue-as-new", async ({
    expect,
  }) => {
    const workflowId = uniqueId("sse-client-can");
    const { runId: firstRun } = await start({
      workflowType: "looper",
      workflowId,
      input: { i: 0, until: 1 },
    });
    // The first history stream drops right after the TimerStarted frame.
    let streams = 0;
    const client = createClient({
      baseUrl: "http://sundial.test",
      fetch: async (input, init) => {
        const res = await SELF.fetch(input, init);
        if (!String(input).includes("/history") || !res.body || ++streams > 1) return res;
        return new Response(cutAfter(res.body, "event: TimerStarted"), res);
      },
    });
    const iterator = client.getHandle(workflowId).followHistory()[Symbol.asyncIterator]();
    const followed: WireEvent[] = [];
    while (followed.at(-1)?.eventType !== "TimerStarted") {
      const step = await iterator.next();
      if (step.done) throw new Error("followHistory ended early");
      followed.push(step.value);
    }
    // While disconnected the run continues as new; the next run starts its own history.
    await skipTime(workflowId, 1000);
    for (let step = await iterator.next(); !step.done; step = await iterator.next()) {
      followed.push(step.value);
    }
    expect(streams).toBe(2);
    expect(followed).toEqual(await history(workflowId, firstRun));
    expect(followed.at(-1)?.eventType).toBe("WorkflowExecutionContinuedAsNew");
  });

  it("answers errors as JSON before any stream starts", async ({ expect }) => {
    const sse = { accept: "text/event-stream" };
    const missing = await api(`${wf(uniqueId("sse-nobody"))}/history`, { headers: sse });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: "NotFound" } });

    const workflowId = uniqueId("sse-bad-id");
    await start({ workflowType: "cancellable", workflowId, input: { on: "signal" } });
    const bad = await api(`${wf(workflowId)}/history`, {
      headers: { ...sse, "last-event-id": "seven" },
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: "InvalidArgument" } });
    const badRun = await api(`${wf(workflowId)}/history?runId=nope`, { headers: sse });
    expect(badRun.status).toBe(404);
  });
});

/** `body` up to the end of the first SSE message containing `marker`; then the stream ends. */
function cutAfter(body: ReadableStream<Uint8Array>, marker: string): ReadableStream<Uint8Array> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  const encoder = new TextEncoder();
  let text = "";
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return controller.close();
      const before = text.length;
      text += value;
      const at = text.indexOf(marker);
      const end = at === -1 ? -1 : text.indexOf("\n\n", at);
      if (end === -1) return controller.enqueue(encoder.encode(value));
      controller.enqueue(encoder.encode(text.slice(before, end + 2)));
      controller.close();
      await reader.cancel();
    },
  });
}
