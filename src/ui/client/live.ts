/**
 * @module The workflow page's loading and live updates: history over Server-Sent Events, else polling.
 * A fragment of the UI's browser script, joined in ../client.ts: plain JS in a string, which must not
 * contain a backtick or a dollar sign followed by a brace.
 */

// biome-ignore lint/complexity/noUselessStringRaw: raw like the other fragments, so a regex added here keeps its backslashes
export const liveScript = String.raw`
// ----- loading and live updates -----
function historyPath(after, token) {
  const qs = new URLSearchParams();
  if (state.runId) qs.set("runId", state.runId);
  if (token) qs.set("nextPageToken", token);
  else if (after) qs.set("after", String(after));
  return apiWorkflowPath(workflowId) + "/history?" + qs.toString();
}
async function fetchNewEvents(isNew) {
  let token = null;
  let got = 0;
  for (;;) {
    const r = await api("GET", historyPath(state.lastEventId, token));
    const events = r.events || [];
    got += events.length;
    appendEvents(events, isNew);
    token = r.nextPageToken || null;
    if (!token) break;
  }
  return got;
}
async function describe() {
  const d = await api("GET", apiWorkflowPath(workflowId) + (state.runId ? "?runId=" + encodeURIComponent(state.runId) : ""));
  state.lastDescribe = Date.now();
  renderDescribe(d);
  return d;
}
async function refresh(isNew) {
  const d = await describe();
  state.runId = state.runId || d.runId;
  await fetchNewEvents(isNew);
  if (d.status === "Running") startLive();
  else stopLive();
}

// Live: the history as Server-Sent Events when the engine streams them, else polling
// history?after= every second. Describe refreshes status and pending work alongside.
function startLive() {
  if (state.live) return;
  state.live = true;
  liveLabel.hidden = false;
  // EventSource cannot send a key: with one, the history is polled with it instead.
  if (typeof EventSource === "function" && !state.streamFailed && !storedKey()) startStream();
  else startPolling();
  state.describeTimer = setInterval(() => { if (Date.now() - state.lastDescribe >= DESCRIBE_EVERY_MS) liveDescribe(); }, 1000);
}
function stopLive() {
  state.live = false;
  liveLabel.hidden = true;
  clearTimeout(state.timer);
  clearTimeout(state.describeSoon);
  clearInterval(state.describeTimer);
  if (state.stream) { state.stream.close(); state.stream = null; }
}
async function liveDescribe() {
  if (!state.live) return;
  try {
    const d = await describe();
    clear(errorSlot);
    if (d.status !== "Running") {
      await fetchNewEvents(true);
      stopLive();
    }
  } catch (err) {
    clear(errorSlot).append(errorBox(err, "page-error"));
  }
}
function describeSoon() {
  clearTimeout(state.describeSoon);
  state.describeSoon = setTimeout(liveDescribe, 150);
}
function startStream() {
  liveLabel.dataset.mode = "stream";
  liveLabel.title = "Streaming history (Server-Sent Events)";
  const es = new EventSource(route.apiBase + historyPath(state.lastEventId));
  state.stream = es;
  const onEvent = (msg) => {
    let e;
    try { e = JSON.parse(msg.data); } catch { return; }
    appendEvents([e], true);
    if (CLOSE_EVENTS[e.eventType]) {
      es.close();
      state.stream = null;
    }
    describeSoon();
  };
  for (const type of EVENT_TYPES) es.addEventListener(type, onEvent);
  es.onmessage = onEvent;
  es.onerror = () => {
    // CONNECTING: the browser reconnects by itself (with Last-Event-ID). CLOSED: no stream here.
    if (es.readyState !== EventSource.CLOSED || state.stream !== es) return;
    state.stream = null;
    if (!state.live) return;
    state.streamFailed = true;
    startPolling();
  };
}
async function tick() {
  if (!state.live) return;
  try {
    const got = await fetchNewEvents(true);
    const last = state.events[state.events.length - 1];
    if (got > 0 || (last && CLOSE_EVENTS[last.eventType])) await liveDescribe();
    else clear(errorSlot);
  } catch (err) {
    clear(errorSlot).append(errorBox(err, "page-error"));
  }
  if (state.live) state.timer = setTimeout(tick, LIVE_POLL_MS);
}
function startPolling() {
  liveLabel.dataset.mode = "poll";
  liveLabel.title = "Polling history every second";
  clearTimeout(state.timer);
  state.timer = setTimeout(tick, LIVE_POLL_MS);
}
async function afterAction(message) {
  notice(message);
  try {
    await refresh(true);
  } catch (err) {
    clear(errorSlot).append(errorBox(err, "page-error"));
  }
}
function runQuery() {
  return state.runId ? "?runId=" + encodeURIComponent(state.runId) : "";
}
`;
