/**
 * @module The web UI's browser code, served as `/ui/app.js` (see page.ts). Plain JS in a string, so
 * users build nothing. It only calls the JSON API under /api/v1, and builds every node with
 * createElement + textContent: user data (ids, payloads, failure messages) never goes through innerHTML.
 * The string must not contain a backtick or a dollar sign followed by a brace.
 */

export const clientScript = String.raw`
"use strict";

const STATUSES = ["Running", "Completed", "Failed", "Canceled", "Terminated", "TimedOut", "ContinuedAsNew"];
const LIVE_POLL_MS = 1000;
const DESCRIBE_EVERY_MS = 3000;
const LIST_REFRESH_MS = 5000;
const PAGE_SIZE = 20;

// ---------- routing ----------
const route = (() => {
  const m = location.pathname.match(/^(?:\/namespaces\/([^/]+))?(?:\/workflows\/([^/]+))?\/?$/);
  const namespace = m && m[1] ? decodeURIComponent(m[1]) : "default";
  const workflowId = m && m[2] ? decodeURIComponent(m[2]) : null;
  const nsPath = m && m[1] ? "/namespaces/" + encodeURIComponent(namespace) : "";
  return { namespace, workflowId, nsPath, apiBase: "/api/v1" + nsPath };
})();

function listUrl(params) {
  const qs = new URLSearchParams();
  if (params && params.query) qs.set("query", params.query);
  if (params && params.status) qs.set("status", params.status);
  if (params && params.pageSize && params.pageSize !== PAGE_SIZE) qs.set("pageSize", String(params.pageSize));
  const s = qs.toString();
  return (route.nsPath || "") + "/" + (s ? "?" + s : "");
}
function workflowUrl(workflowId, runId) {
  return route.nsPath + "/workflows/" + encodeURIComponent(workflowId) + (runId ? "?runId=" + encodeURIComponent(runId) : "");
}
function apiWorkflowPath(workflowId) {
  return "/workflows/" + encodeURIComponent(workflowId);
}

// ---------- DOM helpers (no innerHTML) ----------
function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") el.className = v;
      else if (k === "testid") el.dataset.testid = v;
      else if (k === "text") el.textContent = String(v);
      else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
      else if (k === "value") el.value = v;
      else el.setAttribute(k, v === true ? "" : String(v));
    }
  }
  add(el, children);
  return el;
}
function add(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}
function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

// ---------- formatting ----------
function pad(n, w) { return String(n).padStart(w || 2, "0"); }
function fmtTime(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " +
    pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
}
function timeEl(iso) {
  return h("time", { datetime: iso || undefined, title: iso || undefined }, fmtTime(iso));
}
function fmtDuration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 1000) return Math.round(ms) + "ms";
  const s = ms / 1000;
  if (s < 60) return (s < 10 ? s.toFixed(2) : s.toFixed(1)) + "s";
  const m = Math.floor(s / 60);
  if (m < 60) return m + "m " + Math.round(s - m * 60) + "s";
  const hr = Math.floor(m / 60);
  if (hr < 48) return hr + "h " + (m - hr * 60) + "m";
  return Math.floor(hr / 24) + "d " + (hr % 24) + "h";
}
function pretty(value) {
  if (value === undefined) return "";
  try { return JSON.stringify(value, null, 2); } catch { return String(value); }
}
function short(value, max) {
  let s = typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value);
  if (s === undefined) s = String(value);
  max = max || 80;
  return s.length > max ? s.slice(0, max - 1) + "…" : s;
}
function statusBadge(status, big) {
  return h("span", { class: "badge s-" + status + (big ? " big" : ""), testid: big ? "workflow-status" : "status" }, status);
}
function jsonBlock(value, testid, failure) {
  return h("pre", { class: "json" + (failure ? " failure" : ""), testid }, pretty(value));
}

// ---------- API ----------
class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}
async function api(method, path, body) {
  const init = { method, headers: { accept: "application/json" } };
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(route.apiBase + path, init);
  } catch (e) {
    throw new ApiError(0, "Unavailable", "Could not reach the engine: " + (e && e.message ? e.message : e));
  }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) {
    const err = data && data.error;
    throw new ApiError(res.status, err && err.code ? err.code : "HTTP " + res.status, err && err.message ? err.message : text || res.statusText);
  }
  return data;
}
function errorBox(err, testid) {
  const code = err && err.code ? err.code + (err.status ? " (HTTP " + err.status + ")" : "") : "Error";
  return h("div", { class: "alert", role: "alert", testid: testid || "error" },
    h("strong", null, code), err && err.message ? err.message : String(err));
}

// ---------- layout ----------
const app = document.getElementById("app");
function shell() {
  clear(app);
  const top = h("header", { class: "topbar" },
    h("a", { class: "brand", href: listUrl() }, h("span", { class: "brand-mark", "aria-hidden": "true" }), "Sundial"),
    h("span", { class: "ns", title: "Namespace", testid: "namespace" }, "namespace: " + route.namespace),
    h("span", { class: "spacer" }),
    h("a", { class: "api-link", href: route.apiBase + "/workflows" }, "JSON API"));
  const main = h("main", { id: "main" });
  app.append(top, main);
  return main;
}

// ---------- dialogs ----------
/** An in-page modal: fields, a confirm button, errors shown inside. onConfirm returns a promise. */
function openDialog(opts) {
  const errorSlot = h("div", { testid: "dialog-error" });
  const confirm = h("button", { type: "submit", class: opts.danger ? "danger solid" : "primary", testid: "dialog-confirm" }, opts.confirmLabel);
  const cancel = h("button", { type: "button", testid: "dialog-cancel" }, "Close");
  const titleId = "dialog-title-" + Math.random().toString(36).slice(2);
  const form = h("form", { method: "dialog", novalidate: true },
    h("h2", { id: titleId }, opts.title),
    opts.lede ? h("p", { class: "lede" }, opts.lede) : null,
    opts.fields || [],
    errorSlot,
    h("div", { class: "buttons" }, cancel, confirm));
  const dialog = h("dialog", { testid: opts.testid || "dialog", "aria-labelledby": titleId }, form);
  document.body.append(dialog);
  const close = () => { dialog.close(); dialog.remove(); };
  cancel.addEventListener("click", close);
  dialog.addEventListener("cancel", (e) => { e.preventDefault(); close(); });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (opts.validate && !opts.validate()) return;
    clear(errorSlot);
    confirm.disabled = true;
    try {
      await opts.onConfirm();
      if (opts.keepOpen) confirm.disabled = false;
      else close();
    } catch (err) {
      errorSlot.append(errorBox(err, "dialog-error-message"));
      confirm.disabled = false;
    }
  });
  dialog.showModal();
  const first = form.querySelector("input, textarea");
  if (first) first.focus();
  return { dialog, confirm, errorSlot, close };
}

// ---------- list page ----------
function combine(query, status) {
  const q = (query || "").trim();
  if (!status) return q;
  const s = "ExecutionStatus = '" + status + "'";
  return q ? "(" + q + ") AND " + s : s;
}

function listPage() {
  document.title = "Workflows · Sundial";
  const main = shell();
  const params = new URLSearchParams(location.search);
  const state = {
    query: params.get("query") || "",
    status: STATUSES.includes(params.get("status")) ? params.get("status") : "",
    pageSize: Math.min(100, Math.max(1, Math.floor(Number(params.get("pageSize"))) || PAGE_SIZE)),
    tokens: [undefined], // page tokens: tokens[i] fetches page i
    page: 0,
    nextToken: null,
    loading: false,
  };

  const input = h("input", {
    type: "search", id: "query", name: "query", class: "mono", value: state.query, autocomplete: "off",
    spellcheck: "false", testid: "query-input",
    placeholder: "WorkflowType = 'approval' AND ExecutionStatus = 'Running'",
    "aria-describedby": "query-hint",
  });
  const form = h("form", { class: "filter", role: "search", testid: "filter-form" },
    h("div", { class: "grow" },
      h("label", { for: "query" }, "Filter"),
      input),
    h("button", { type: "submit", class: "primary", testid: "apply-filter" }, "Apply"),
    h("button", { type: "button", testid: "clear-filter", onclick: () => { input.value = ""; state.status = ""; apply(); } }, "Clear"));
  const hint = h("div", { class: "hint", id: "query-hint" },
    "Fields: WorkflowId, WorkflowType, ExecutionStatus, StartTime, CloseTime, TaskQueue and search attributes. ",
    "Operators: = != > >= < <= IN (…) STARTS_WITH, combined with AND, OR and ( ).");
  const errorSlot = h("div", { testid: "query-error-slot" });
  const counts = h("div", { class: "counts", role: "group", "aria-label": "Executions by status", testid: "status-counts" });
  const tbody = h("tbody");
  const table = h("table", { testid: "workflow-table" },
    h("thead", null, h("tr", null,
      h("th", { scope: "col" }, "Status"),
      h("th", { scope: "col" }, "Workflow ID"),
      h("th", { scope: "col" }, "Type"),
      h("th", { scope: "col" }, "Start time"),
      h("th", { scope: "col" }, "Close time"),
      h("th", { scope: "col" }, "Run ID"))),
    tbody);
  const prev = h("button", { type: "button", testid: "prev-page", onclick: () => { if (state.page > 0) { state.page--; load(); } } }, "← Previous");
  const next = h("button", { type: "button", testid: "next-page", onclick: () => { if (state.nextToken) { state.page++; state.tokens[state.page] = state.nextToken; load(); } } }, "Next page →");
  const pageLabel = h("span", { class: "muted", testid: "page-label" });
  const refresh = h("button", { type: "button", testid: "refresh", onclick: () => load() }, "Refresh");
  const pager = h("div", { class: "pager" }, prev, pageLabel, next, h("span", { class: "spacer" }), refresh);

  add(main, [
    h("div", { class: "page-head" }, h("h1", null, "Workflows")),
    h("div", { class: "panel" }, form, hint, errorSlot),
    counts,
    h("div", { class: "panel flush" }, table, pager),
  ]);

  form.addEventListener("submit", (e) => { e.preventDefault(); apply(); });
  window.addEventListener("popstate", () => {
    const p = new URLSearchParams(location.search);
    state.query = p.get("query") || "";
    state.status = STATUSES.includes(p.get("status")) ? p.get("status") : "";
    input.value = state.query;
    reset();
    load();
  });

  function reset() {
    state.tokens = [undefined];
    state.page = 0;
    state.nextToken = null;
  }
  function apply() {
    state.query = input.value.trim();
    history.pushState(null, "", listUrl({ query: state.query, status: state.status, pageSize: state.pageSize }));
    reset();
    load();
  }
  function setStatus(status) {
    state.status = state.status === status ? "" : status;
    for (const chip of counts.querySelectorAll(".chip")) {
      chip.setAttribute("aria-pressed", String(chip.dataset.testid === "count-" + (state.status || "All")));
    }
    state.query = input.value.trim();
    history.pushState(null, "", listUrl({ query: state.query, status: state.status, pageSize: state.pageSize }));
    reset();
    load();
  }

  function renderCounts(values) {
    clear(counts);
    const chip = (label, status, n) => h("button", {
      type: "button", class: "chip", "aria-pressed": String(state.status === status),
      testid: "count-" + (status || "All"), "data-count": n === null ? undefined : n,
      onclick: () => setStatus(status),
    }, label, h("span", { class: "n" }, n === null ? "–" : String(n)));
    counts.append(chip("All", "", values.all));
    for (const s of STATUSES) counts.append(chip(s, s, values[s]));
  }

  async function loadCounts() {
    const base = state.query;
    const requests = [["all", base]].concat(STATUSES.map((s) => [s, combine(base, s)]));
    const values = {};
    await Promise.all(requests.map(async ([key, q]) => {
      try {
        const r = await api("GET", "/workflow-count" + (q ? "?query=" + encodeURIComponent(q) : ""));
        values[key] = r.count;
      } catch {
        values[key] = null;
      }
    }));
    renderCounts(values);
  }

  function row(e) {
    return h("tr", { testid: "workflow-row", "data-workflow-id": e.workflowId, "data-status": e.status },
      h("td", null, statusBadge(e.status)),
      h("td", { class: "id" }, h("a", { href: workflowUrl(e.workflowId, e.runId), testid: "workflow-link" }, e.workflowId)),
      h("td", null, e.workflowType),
      h("td", { class: "time" }, timeEl(e.startTime)),
      h("td", { class: "time" }, timeEl(e.closeTime)),
      h("td", { class: "id muted", title: e.runId }, e.runId ? String(e.runId).slice(0, 8) + "…" : "—"));
  }

  let seq = 0;
  async function load(quiet) {
    const mine = ++seq;
    if (!quiet) table.setAttribute("aria-busy", "true");
    const q = combine(state.query, state.status);
    const qs = new URLSearchParams();
    if (q) qs.set("query", q);
    qs.set("pageSize", String(state.pageSize));
    const token = state.tokens[state.page];
    if (token) qs.set("nextPageToken", token);
    loadCounts();
    try {
      const r = await api("GET", "/workflows?" + qs.toString());
      if (mine !== seq) return;
      clear(errorSlot);
      input.removeAttribute("aria-invalid");
      clear(tbody);
      const executions = r.executions || [];
      if (executions.length === 0) {
        tbody.append(h("tr", null, h("td", { colspan: "6", class: "empty", testid: "empty" },
          q ? "No workflow executions match this filter." : "No workflow executions yet.")));
      }
      for (const e of executions) tbody.append(row(e));
      state.nextToken = r.nextPageToken || null;
    } catch (err) {
      if (mine !== seq) return;
      clear(errorSlot);
      errorSlot.append(errorBox(err, "query-error"));
      if (err.status === 400) input.setAttribute("aria-invalid", "true");
      clear(tbody);
      tbody.append(h("tr", null, h("td", { colspan: "6", class: "empty" }, "Could not load workflows.")));
      state.nextToken = null;
    } finally {
      if (mine === seq) {
        table.removeAttribute("aria-busy");
        prev.disabled = state.page === 0;
        next.disabled = !state.nextToken;
        pageLabel.textContent = "Page " + (state.page + 1);
      }
    }
  }

  load();
  // The first page follows new executions; later pages stay put.
  setInterval(() => {
    if (document.visibilityState === "visible" && state.page === 0 && !document.querySelector("dialog[open]")) load(true);
  }, LIST_REFRESH_MS);
}

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

function workflowPage(workflowId) {
  document.title = workflowId + " · Sundial";
  const main = shell();
  const params = new URLSearchParams(location.search);
  const state = {
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

  const statusSlot = h("span", { testid: "status-slot" });
  const signalBtn = h("button", { type: "button", testid: "signal-button", disabled: true, onclick: () => signalDialog() }, "Signal");
  const queryBtn = h("button", { type: "button", testid: "query-button", disabled: true, onclick: () => queryDialog() }, "Query");
  const updateBtn = h("button", { type: "button", testid: "update-button", disabled: true, onclick: () => updateDialog() }, "Update");
  const cancelBtn = h("button", { type: "button", testid: "cancel-button", disabled: true, onclick: () => cancelDialog() }, "Cancel");
  const terminateBtn = h("button", { type: "button", class: "danger", testid: "terminate-button", disabled: true, onclick: () => terminateDialog() }, "Terminate");
  const noticeSlot = h("div", { role: "status", "aria-live": "polite", testid: "notice-slot" });
  const errorSlot = h("div", { testid: "page-error-slot" });
  const summary = h("dl", { class: "summary", testid: "summary" });
  const taskFailureSlot = h("div");
  const inputSlot = h("div", { testid: "input" });
  const resultTitle = h("h2", null, "Result");
  const resultSlot = h("div", { testid: "result" });
  const memoSlot = h("div", { testid: "memo" });
  const attrsSlot = h("div", { testid: "search-attributes" });
  const pendingSlot = h("div");
  const timeline = h("ol", { class: "timeline", testid: "history", "aria-label": "History events" });
  const liveLabel = h("span", { class: "live", testid: "live", hidden: true }, "Live");
  const eventCount = h("span", { class: "muted", testid: "event-count" });
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
    if (typeof EventSource === "function" && !state.streamFailed) startStream();
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

  // ----- actions -----
  /**
   * The name + JSON input fields shared by the Signal, Query and Update dialogs; both are validated
   * as the user types and the dialog's confirm button follows. kind: "signal" | "query" | "update".
   */
  function messageFields(kind, label, placeholder, suggestions) {
    const nameInput = h("input", { type: "text", id: kind + "-name", name: kind + "Name", required: true, autocomplete: "off", spellcheck: "false", testid: kind + "-name", list: kind + "-names", "aria-describedby": kind + "-name-hint" });
    const datalist = h("datalist", { id: kind + "-names" }, suggestions.map((s) => h("option", { value: s })));
    const jsonInput = h("textarea", { id: kind + "-input", name: "input", spellcheck: "false", testid: kind + "-input", placeholder, "aria-describedby": kind + "-input-hint" });
    const jsonHint = h("div", { class: "hint", id: kind + "-input-hint", testid: kind + "-input-hint" }, "Any JSON value; leave empty to send no input.");
    const nameHint = h("div", { class: "hint", id: kind + "-name-hint" });
    const parse = () => {
      const text = jsonInput.value.trim();
      if (!text) return { ok: true, value: undefined };
      try { return { ok: true, value: JSON.parse(text) }; } catch (e) { return { ok: false, message: e.message }; }
    };
    const check = () => {
      const p = parse();
      jsonInput.setAttribute("aria-invalid", String(!p.ok));
      jsonHint.textContent = p.ok ? "Any JSON value; leave empty to send no input." : "Invalid JSON: " + p.message;
      jsonHint.style.color = p.ok ? "" : "var(--danger)";
      const nameOk = /^[A-Za-z_][\w.-]{0,127}$/.test(nameInput.value.trim());
      nameInput.setAttribute("aria-invalid", String(!nameOk && nameInput.value !== ""));
      nameHint.textContent = nameOk || nameInput.value === "" ? "" : "Letters, digits, _ . - (max 128), not starting with a digit.";
      return p.ok && nameOk;
    };
    const fields = [
      h("div", { class: "field" }, h("label", { for: kind + "-name" }, label), nameInput, datalist, nameHint),
      h("div", { class: "field" }, h("label", { for: kind + "-input" }, "Input (JSON)"), jsonInput, jsonHint),
    ];
    return { fields, nameInput, jsonInput, parse, check, name: () => nameInput.value.trim() };
  }
  function body(p) {
    return p.value === undefined ? {} : { input: p.value };
  }
  /** The answer of a query or update, shown inside its dialog. */
  function answerView(kind, name, result) {
    return h("div", { class: "answer", testid: kind + "-answer" },
      h("div", { class: "answer-head" }, h("strong", null, (kind === "query" ? "Query " : "Update ") + name), " returned at " + fmtTime(new Date().toISOString()).slice(11) + ":"),
      jsonBlock(result === undefined ? null : result, kind + "-result"));
  }
  function namesFrom(eventType, key) {
    return Array.from(new Set(state.events.filter((e) => e.eventType === eventType).map((e) => e.attributes && e.attributes[key]).filter(Boolean)));
  }

  function signalDialog() {
    const f = messageFields("signal", "Signal name", "{\"approved\": true}", namesFrom("WorkflowExecutionSignaled", "signalName"));
    const d = openDialog({
      title: "Send a signal",
      lede: "To " + workflowId + (state.runId ? " (run " + state.runId + ")" : ""),
      testid: "signal-dialog",
      confirmLabel: "Send signal",
      fields: f.fields,
      validate: () => f.check(),
      onConfirm: async () => {
        const name = f.name();
        await api("POST", apiWorkflowPath(workflowId) + "/signals/" + encodeURIComponent(name) + runQuery(), body(f.parse()));
        afterAction("Signal " + name + " sent.");
      },
    });
    const check = () => { d.confirm.disabled = !f.check(); };
    f.nameInput.addEventListener("input", check);
    f.jsonInput.addEventListener("input", check);
    d.confirm.disabled = true;
  }
  // Read-only: no confirmation, and it answers on closed runs too. The dialog stays open.
  function queryDialog() {
    const answer = h("div", { testid: "query-answer-slot", "aria-live": "polite" });
    const f = messageFields("query", "Query name", "(none)", []);
    const d = openDialog({
      title: "Query this workflow",
      lede: "Asks " + workflowId + (state.runId ? " (run " + state.runId + ")" : "") + " a question. Read-only: nothing is recorded in the history.",
      testid: "query-dialog",
      confirmLabel: "Run query",
      keepOpen: true,
      fields: [f.fields, answer],
      validate: () => f.check(),
      onConfirm: async () => {
        clear(answer);
        const name = f.name();
        const r = await api("POST", apiWorkflowPath(workflowId) + "/queries/" + encodeURIComponent(name) + runQuery(), body(f.parse()));
        answer.append(answerView("query", name, r ? r.result : undefined));
      },
    });
    const check = () => { d.confirm.disabled = !f.check(); };
    f.nameInput.addEventListener("input", check);
    f.jsonInput.addEventListener("input", check);
    d.confirm.disabled = true;
  }
  // Changes the workflow: the first click asks for confirmation, the second sends. Editing the
  // fields takes the confirmation back. The dialog stays open to show the result or the rejection.
  function updateDialog() {
    const answer = h("div", { testid: "update-answer-slot", "aria-live": "polite" });
    const prompt = h("div", { class: "confirm-prompt", role: "alert", testid: "update-confirm-prompt", hidden: true });
    const f = messageFields("update", "Update name", "{\"by\": \"30m\"}", namesFrom("WorkflowExecutionUpdateAccepted", "updateName"));
    let armed = false;
    const d = openDialog({
      title: "Send an update",
      lede: "To the current run of " + workflowId + ". Its handler runs and can change the workflow; accepted updates are recorded in the history.",
      testid: "update-dialog",
      confirmLabel: "Send update",
      keepOpen: true,
      fields: [f.fields, prompt, answer],
      validate: () => f.check(),
      onConfirm: async () => {
        const name = f.name();
        if (!armed) {
          armed = true;
          clear(answer);
          prompt.textContent = "Send update " + name + " to " + workflowId + "? It changes the workflow and cannot be taken back.";
          prompt.hidden = false;
          d.confirm.textContent = "Confirm update";
          d.confirm.className = "danger solid";
          return;
        }
        disarm();
        clear(answer);
        try {
          const r = await api("POST", apiWorkflowPath(workflowId) + "/updates/" + encodeURIComponent(name), body(f.parse()));
          answer.append(answerView("update", name, r ? r.result : undefined));
          afterAction("Update " + name + " completed.");
        } catch (err) {
          // A rejection changes nothing; still refresh in case the run moved on meanwhile.
          if (err.status !== 400) afterAction("Update " + name + " failed.");
          throw err;
        }
      },
    });
    function disarm() {
      armed = false;
      prompt.hidden = true;
      d.confirm.textContent = "Send update";
      d.confirm.className = "primary";
    }
    const check = () => { disarm(); d.confirm.disabled = !f.check(); };
    f.nameInput.addEventListener("input", check);
    f.jsonInput.addEventListener("input", check);
    d.confirm.disabled = true;
  }
  function reasonField(id) {
    return h("div", { class: "field" }, h("label", { for: id }, "Reason (optional)"),
      h("input", { type: "text", id, name: "reason", autocomplete: "off", testid: id }));
  }
  function cancelDialog() {
    openDialog({
      title: "Cancel this workflow?",
      lede: "Requests cancellation of " + workflowId + ". The workflow code is told and can clean up before it ends Canceled.",
      testid: "cancel-dialog",
      confirmLabel: "Request cancellation",
      danger: true,
      fields: [reasonField("cancel-reason")],
      onConfirm: async () => {
        const reason = document.getElementById("cancel-reason").value.trim();
        await api("POST", apiWorkflowPath(workflowId) + "/cancel" + runQuery(), reason ? { reason } : {});
        afterAction("Cancellation requested.");
      },
    });
  }
  function terminateDialog() {
    openDialog({
      title: "Terminate this workflow?",
      lede: "Ends " + workflowId + " immediately: its code gets no chance to clean up. This cannot be undone.",
      testid: "terminate-dialog",
      confirmLabel: "Terminate",
      danger: true,
      fields: [reasonField("terminate-reason")],
      onConfirm: async () => {
        const reason = document.getElementById("terminate-reason").value.trim();
        await api("POST", apiWorkflowPath(workflowId) + "/terminate" + runQuery(), reason ? { reason } : {});
        afterAction("Workflow terminated.");
      },
    });
  }

  refresh().catch((err) => {
    clear(errorSlot).append(errorBox(err, "page-error"));
  });
}

if (route.workflowId) workflowPage(route.workflowId);
else listPage();
`;
