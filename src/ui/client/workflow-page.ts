/**
 * @module The workflow page: its layout, summary, pending work, input/result and the history timeline.
 * A fragment of the UI's browser script, joined in ../client.ts: plain JS in a string, which must not
 * contain a backtick or a dollar sign followed by a brace.
 */

// biome-ignore lint/complexity/noUselessStringRaw: raw like the other fragments, so a regex added here keeps its backslashes
export const workflowPageScript = String.raw`
// ---------- workflow page ----------
const EVENT_TYPES = [
  "WorkflowExecutionStarted", "WorkflowExecutionCompleted", "WorkflowExecutionFailed", "WorkflowExecutionTimedOut",
  "WorkflowExecutionCanceled", "WorkflowExecutionTerminated", "WorkflowExecutionContinuedAsNew",
  "WorkflowExecutionCancelRequested", "WorkflowTaskFailed", "WorkflowExecutionSignaled",
  "WorkflowExecutionUpdateAccepted", "WorkflowExecutionUpdateCompleted", "ActivityTaskScheduled",
  "ActivityTaskStarted", "ActivityTaskCompleted", "ActivityTaskFailed", "ActivityTaskTimedOut",
  "ActivityTaskCancelRequested", "ActivityTaskCanceled", "TimerStarted", "TimerFired", "TimerCanceled",
  "MarkerRecorded", "StartChildWorkflowExecutionInitiated", "StartChildWorkflowExecutionFailed",
  "ChildWorkflowExecutionStarted", "ChildWorkflowExecutionCompleted", "ChildWorkflowExecutionFailed",
  "ChildWorkflowExecutionCanceled", "ChildWorkflowExecutionTerminated", "ChildWorkflowExecutionTimedOut",
  "SignalExternalWorkflowExecutionInitiated", "ExternalWorkflowExecutionSignaled",
  "SignalExternalWorkflowExecutionFailed", "RequestCancelExternalWorkflowExecutionInitiated",
  "ExternalWorkflowExecutionCancelRequested", "RequestCancelExternalWorkflowExecutionFailed",
  "UpsertWorkflowSearchAttributes",
];
const CLOSE_EVENTS = {
  WorkflowExecutionCompleted: 1, WorkflowExecutionFailed: 1, WorkflowExecutionTimedOut: 1,
  WorkflowExecutionCanceled: 1, WorkflowExecutionTerminated: 1, WorkflowExecutionContinuedAsNew: 1,
};
function category(type) {
  if (type.startsWith("Activity")) return "cat-activity";
  if (type.startsWith("Timer")) return "cat-timer";
  if (/Signal|Update|Cancel/.test(type) && type.startsWith("WorkflowExecution")) return "cat-message";
  if (/Child|External/.test(type)) return "cat-child";
  if (type === "MarkerRecorded") return "cat-marker";
  return "cat-workflow";
}
function outcome(type) {
  if (/Failed|TimedOut|Terminated/.test(type)) return "is-failure";
  if (type === "WorkflowExecutionCompleted" || type === "ActivityTaskCompleted" || type === "ChildWorkflowExecutionCompleted") return "is-success";
  return "";
}
const SUMMARY_KEYS = [
  "workflowType", "signalName", "updateName", "activityType", "activityId", "timerId", "markerName",
  "patchId", "workflowId", "runId", "newExecutionRunId", "taskQueue", "attempt", "durationMs", "reason",
  "cause", "timeoutType", "retryState", "input", "result", "details",
];
// The workflow page's state and the DOM slots that its parts share: the render functions below,
// live.ts's loading and live updates, actions.ts's dialogs. workflowPage() sets them once; a load
// shows one page, so top-level bindings are enough.
let workflowId = null;
let state, statusSlot, signalBtn, queryBtn, updateBtn, cancelBtn;
let terminateBtn, noticeSlot, errorSlot, summary, taskFailureSlot, inputSlot;
let resultTitle, resultSlot, memoSlot, attrsSlot, pendingSlot, timeline;
let liveLabel, eventCount;

function workflowPage(id) {
  workflowId = id;
  document.title = workflowId + " · Sundial";
  const main = shell();
  const params = new URLSearchParams(location.search);
  state = {
    runId: params.get("runId") || null,
    describe: null,
    events: [],
    lastEventId: 0,
    bySeq: {},
    startMs: null,
    live: false,
    stream: null,
    streamFailed: false,
    lastDescribe: 0,
  };

  statusSlot = h("span", { testid: "status-slot" });
  signalBtn = h("button", { type: "button", testid: "signal-button", "data-needs": "writer", hidden: !canWrite(), disabled: true, onclick: () => signalDialog() }, "Signal");
  queryBtn = h("button", { type: "button", testid: "query-button", disabled: true, onclick: () => queryDialog() }, "Query");
  updateBtn = h("button", { type: "button", testid: "update-button", "data-needs": "writer", hidden: !canWrite(), disabled: true, onclick: () => updateDialog() }, "Update");
  cancelBtn = h("button", { type: "button", testid: "cancel-button", "data-needs": "writer", hidden: !canWrite(), disabled: true, onclick: () => cancelDialog() }, "Cancel");
  terminateBtn = h("button", { type: "button", class: "danger", testid: "terminate-button", "data-needs": "writer", hidden: !canWrite(), disabled: true, onclick: () => terminateDialog() }, "Terminate");
  noticeSlot = h("div", { role: "status", "aria-live": "polite", testid: "notice-slot" });
  errorSlot = h("div", { testid: "page-error-slot" });
  summary = h("dl", { class: "summary", testid: "summary" });
  taskFailureSlot = h("div");
  inputSlot = h("div", { testid: "input" });
  resultTitle = h("h2", null, "Result");
  resultSlot = h("div", { testid: "result" });
  memoSlot = h("div", { testid: "memo" });
  attrsSlot = h("div", { testid: "search-attributes" });
  pendingSlot = h("div");
  timeline = h("ol", { class: "timeline", testid: "history", "aria-label": "History events" });
  liveLabel = h("span", { class: "live", testid: "live", hidden: true }, "Live");
  eventCount = h("span", { class: "muted", testid: "event-count" });
  const expandAll = h("button", { type: "button", class: "link", onclick: () => {
    const all = timeline.querySelectorAll("details");
    const open = !Array.from(all).every((d) => d.open);
    for (const d of all) d.open = open;
  } }, "Expand / collapse all");

  add(main, [
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: listUrl(), testid: "back-to-list" }, "Workflows"), " / ", workflowId),
    h("div", { class: "page-head" },
      h("h1", { testid: "workflow-id" }, workflowId), statusSlot,
      h("div", { class: "actions" }, queryBtn, signalBtn, updateBtn, cancelBtn, terminateBtn)),
    noticeSlot,
    errorSlot,
    taskFailureSlot,
    h("section", { class: "panel", "aria-label": "Summary" }, summary),
    h("div", { class: "grid2" },
      h("section", { class: "panel", "aria-label": "Input" }, h("h2", null, "Input"), inputSlot),
      h("section", { class: "panel", "aria-label": "Result" }, resultTitle, resultSlot)),
    h("div", { class: "grid2" },
      h("section", { class: "panel", "aria-label": "Memo" }, h("h2", null, "Memo"), memoSlot),
      h("section", { class: "panel", "aria-label": "Search attributes" }, h("h2", null, "Search attributes"), attrsSlot)),
    pendingSlot,
    h("section", { class: "panel", "aria-label": "History" },
      h("div", { class: "section-head" }, h("h2", null, "History"), eventCount, liveLabel,
        h("div", { class: "right" }, expandAll)),
      timeline),
  ]);

  refresh().catch((err) => {
    clear(errorSlot).append(errorBox(err, "page-error"));
  });
}

function notice(text) {
  clear(noticeSlot);
  const n = h("div", { class: "notice", testid: "notice" }, text);
  noticeSlot.append(n);
  setTimeout(() => { if (n.parentNode) n.remove(); }, 6000);
}

function renderDescribe(d) {
  state.describe = d;
  clear(statusSlot).append(statusBadge(d.status, true));
  const running = d.status === "Running";
  signalBtn.disabled = updateBtn.disabled = cancelBtn.disabled = terminateBtn.disabled = !running;
  queryBtn.disabled = false; // queries answer on closed runs too
  const item = (label, value, testid) => h("div", null, h("dt", null, label), h("dd", { testid }, value));
  clear(summary);
  const started = Date.parse(d.startTime);
  const closed = d.closeTime ? Date.parse(d.closeTime) : null;
  add(summary, [
    item("Workflow type", d.workflowType, "workflow-type"),
    item("Run ID", h("span", { class: "mono" }, d.runId), "run-id"),
    item("Start time", timeEl(d.startTime), "start-time"),
    item("Close time", timeEl(d.closeTime), "close-time"),
    item("Duration", fmtDuration((closed || Date.now()) - started) + (closed ? "" : " so far"), "duration"),
    item("Task queue", d.taskQueue, "task-queue"),
    item("History length", String(d.historyLength), "history-length"),
    item("Attempt", String(d.attempt || 1), "attempt"),
    d.parent ? item("Parent", h("a", { href: workflowUrl(d.parent.workflowId, d.parent.runId) }, d.parent.workflowId), "parent") : null,
  ]);
  clear(taskFailureSlot);
  if (d.workflowTaskFailure) {
    taskFailureSlot.append(h("div", { class: "alert", role: "alert", testid: "workflow-task-failure" },
      h("strong", null, "Workflow task failing (attempt " + d.workflowTaskFailure.attempt + "):"),
      (d.workflowTaskFailure.type ? d.workflowTaskFailure.type + ": " : "") + d.workflowTaskFailure.message));
  }
  const emptyObj = (o) => !o || (typeof o === "object" && Object.keys(o).length === 0);
  clear(memoSlot).append(emptyObj(d.memo) ? h("span", { class: "muted" }, "None") : jsonBlock(d.memo));
  clear(attrsSlot).append(emptyObj(d.searchAttributes) ? h("span", { class: "muted" }, "None") : jsonBlock(d.searchAttributes));
  renderPending(d);
}

function failureView(f) {
  if (!f) return null;
  return h("div", null,
    h("div", { class: "failure-msg", testid: "failure-message" }, (f.type ? f.type + ": " : "") + (f.message || "")),
    jsonBlock(f, "failure", true));
}

function renderPending(d) {
  clear(pendingSlot);
  const acts = d.pendingActivities || [];
  const timers = d.pendingTimers || [];
  const kids = d.pendingChildren || [];
  const section = (title, testid, head, rows) => h("section", { class: "panel flush", testid, "aria-label": title },
    h("h2", null, title + " (" + rows.length + ")"),
    h("table", null, h("thead", null, h("tr", null, head.map((c) => h("th", { scope: "col" }, c)))), h("tbody", null, rows)));
  if (acts.length) {
    pendingSlot.append(section("Pending activities", "pending-activities",
      ["Activity", "State", "Attempt", "Scheduled", "Last heartbeat", "Last failure", "Next attempt"],
      acts.map((a) => h("tr", { testid: "pending-activity", "data-activity-id": a.activityId },
        h("td", null, h("div", null, h("strong", null, a.activityType)), h("div", { class: "muted mono" }, "id " + a.activityId)),
        h("td", null, a.state),
        h("td", { class: "num", testid: "activity-attempt" }, String(a.attempt)),
        h("td", { class: "time" }, timeEl(a.scheduledTime)),
        h("td", null, a.lastHeartbeat ? [timeEl(a.lastHeartbeat.time),
          a.lastHeartbeat.details !== null && a.lastHeartbeat.details !== undefined ? h("div", { class: "kv" }, short(a.lastHeartbeat.details, 60)) : null] : h("span", { class: "muted" }, "—")),
        h("td", { testid: "activity-last-failure" }, a.lastFailure ? h("span", { class: "failure-msg", title: pretty(a.lastFailure) },
          (a.lastFailure.type ? a.lastFailure.type + ": " : "") + (a.lastFailure.message || "")) : h("span", { class: "muted" }, "—")),
        h("td", { class: "time" }, timeEl(a.nextAttemptTime))))));
  }
  if (timers.length) {
    pendingSlot.append(section("Pending timers", "pending-timers", ["Timer", "Fires at", "In"],
      timers.map((t) => h("tr", { testid: "pending-timer" },
        h("td", { class: "mono" }, t.timerId),
        h("td", { class: "time" }, timeEl(t.fireTime)),
        h("td", { class: "time" }, fmtDuration(Date.parse(t.fireTime) - Date.now()))))));
  }
  if (kids.length) {
    pendingSlot.append(section("Pending child workflows", "pending-children", ["Workflow ID", "Type", "State", "Parent close policy"],
      kids.map((c) => h("tr", { testid: "pending-child" },
        h("td", { class: "id" }, h("a", { href: workflowUrl(c.workflowId, c.runId) }, c.workflowId)),
        h("td", null, c.workflowType),
        h("td", null, c.state),
        h("td", null, c.parentClosePolicy)))));
  }
}

// ----- history timeline -----
function summaryOf(e) {
  const a = e.attributes || {};
  const parts = [];
  if (a.seq !== undefined && state.bySeq[a.seq] && !a.activityType && !a.workflowId && !a.timerId) {
    parts.push(["", state.bySeq[a.seq]]);
  }
  for (const k of SUMMARY_KEYS) {
    if (a[k] === undefined) continue;
    if (k === "workflowType" && e.eventType !== "WorkflowExecutionStarted" && e.eventType !== "StartChildWorkflowExecutionInitiated" && e.eventType !== "WorkflowExecutionContinuedAsNew") continue;
    if (k === "durationMs") { parts.push(["duration", fmtDuration(a.durationMs)]); continue; }
    parts.push([k, typeof a[k] === "string" && k !== "input" && k !== "result" && k !== "details" ? a[k] : short(a[k], 60)]);
  }
  if (a.failure) parts.push(["failure", (a.failure.type ? a.failure.type + ": " : "") + (a.failure.message || "")]);
  if (a.lastFailure) parts.push(["lastFailure", a.lastFailure.message || ""]);
  return parts;
}
function rememberSeq(e) {
  const a = e.attributes || {};
  if (a.seq === undefined) return;
  if (e.eventType === "ActivityTaskScheduled") state.bySeq[a.seq] = a.activityType + " (" + a.activityId + ")";
  else if (e.eventType === "StartChildWorkflowExecutionInitiated") state.bySeq[a.seq] = a.workflowType + " " + a.workflowId;
  else if (e.eventType === "TimerStarted") state.bySeq[a.seq] = "timer " + a.timerId;
}
function eventItem(e, isNew) {
  rememberSeq(e);
  const t = Date.parse(e.timestamp);
  if (state.startMs === null) state.startMs = t;
  const offset = t - state.startMs;
  const parts = summaryOf(e);
  const attrs = h("span", { class: "ev-attrs" });
  parts.forEach(([k, v], i) => {
    if (i) attrs.append("  ·  ");
    if (k) attrs.append(h("span", { class: "k" }, k + " "));
    attrs.append(h("span", { class: "v" }, String(v)));
  });
  return h("li", { class: category(e.eventType) + " " + outcome(e.eventType) + (isNew ? " is-new" : ""), testid: "history-event", "data-event-id": e.eventId, "data-event-type": e.eventType },
    h("details", null,
      h("summary", null,
        h("span", { class: "ev-id" }, String(e.eventId)),
        h("span", { class: "ev-type", testid: "event-type" }, e.eventType),
        h("span", { class: "ev-time", title: e.timestamp }, fmtTime(e.timestamp).slice(11) + (e.eventId > 1 ? "  +" + fmtDuration(offset) : "")),
        attrs),
      jsonBlock(e.attributes, "event-attributes")));
}
function appendEvents(events, isNew) {
  for (const e of events) {
    if (e.eventId <= state.lastEventId) continue;
    state.events.push(e);
    state.lastEventId = e.eventId;
    timeline.append(eventItem(e, isNew));
  }
  eventCount.textContent = state.events.length + " events";
  renderIO();
}
function renderIO() {
  const first = state.events[0];
  clear(inputSlot);
  if (first && first.eventType === "WorkflowExecutionStarted") inputSlot.append(jsonBlock(first.attributes.input, "input-json"));
  else inputSlot.append(h("span", { class: "muted" }, "—"));
  const last = state.events[state.events.length - 1];
  clear(resultSlot);
  if (!last || !CLOSE_EVENTS[last.eventType]) {
    resultTitle.textContent = "Result";
    resultSlot.append(h("span", { class: "muted", testid: "result-pending" }, "Still running."));
    return;
  }
  const a = last.attributes || {};
  switch (last.eventType) {
    case "WorkflowExecutionCompleted":
      resultTitle.textContent = "Result";
      resultSlot.append(jsonBlock(a.result, "result-json"));
      break;
    case "WorkflowExecutionFailed":
      resultTitle.textContent = "Failure";
      resultSlot.append(failureView(a.failure));
      break;
    case "WorkflowExecutionTerminated":
      resultTitle.textContent = "Terminated";
      resultSlot.append(h("div", null, h("span", { class: "muted" }, "Reason: "), h("span", { testid: "terminate-reason" }, a.reason || "—")));
      break;
    case "WorkflowExecutionCanceled":
      resultTitle.textContent = "Canceled";
      resultSlot.append(a.details !== undefined ? jsonBlock(a.details, "cancel-details") : h("span", { class: "muted" }, "Canceled."));
      break;
    case "WorkflowExecutionTimedOut":
      resultTitle.textContent = "Timed out";
      resultSlot.append(h("div", null, "The " + (a.timeoutType || "") + " timeout expired."));
      break;
    case "WorkflowExecutionContinuedAsNew":
      resultTitle.textContent = "Continued as new";
      resultSlot.append(h("div", null, "Continued in run ", h("a", { href: workflowUrl(workflowId, a.newExecutionRunId), testid: "next-run" }, a.newExecutionRunId)));
      break;
  }
}
`;
