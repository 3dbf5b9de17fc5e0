/**
 * @module The client's base: constants, routing, DOM helpers (no innerHTML), formatting, the API call
 * and the page shell. A fragment of the UI's browser script, joined in ../client.ts: plain JS in a
 * string, which must not contain a backtick or a dollar sign followed by a brace.
 */

export const baseScript = String.raw`
"use strict";

const STATUSES = ["Running", "Completed", "Failed", "Canceled", "Terminated", "TimedOut", "ContinuedAsNew"];
const LIVE_POLL_MS = 1000;
const DESCRIBE_EVERY_MS = 3000;
const LIST_REFRESH_MS = 5000;
const PAGE_SIZE = 20;

// ---------- routing ----------
const route = (() => {
  const m = location.pathname.match(/^(?:\/namespaces\/([^/]+))?(?:\/workflows\/([^/]+)|\/(schedules)(?:\/([^/]+))?)?\/?$/);
  const namespace = m && m[1] ? decodeURIComponent(m[1]) : "default";
  const workflowId = m && m[2] ? decodeURIComponent(m[2]) : null;
  const schedules = !!(m && m[3]);
  const scheduleId = m && m[4] ? decodeURIComponent(m[4]) : null;
  const nsPath = m && m[1] ? "/namespaces/" + encodeURIComponent(namespace) : "";
  return { namespace, workflowId, schedules, scheduleId, nsPath, apiBase: "/api/v1" + nsPath };
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
  return apiAt(route.apiBase + path, method, body);
}
/** One API call with the tab's key; a 401 or 403 asks for a key (auth.ts) and tries once more. */
async function apiAt(url, method, body, retried) {
  const init = { method, headers: withAuth({ accept: "application/json" }) };
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(url, init);
  } catch (e) {
    throw new ApiError(0, "Unavailable", "Could not reach the engine: " + (e && e.message ? e.message : e));
  }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) {
    const err = data && data.error;
    const error = new ApiError(res.status, err && err.code ? err.code : "HTTP " + res.status, err && err.message ? err.message : text || res.statusText);
    if ((res.status === 401 || res.status === 403) && !retried) {
      await askForKey(res.status === 401 ? "Sign in to continue." : error.message + ".");
      return apiAt(url, method, body, true);
    }
    throw error;
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
    h("a", { class: "api-link", href: listUrl(), testid: "nav-workflows" }, "Workflows"),
    h("a", { class: "api-link", href: route.nsPath + "/schedules", testid: "nav-schedules" }, "Schedules"),
    h("span", { class: "spacer" }),
    authBar(),
    h("a", { class: "api-link", href: route.apiBase + "/workflows" }, "JSON API"));
  const main = h("main", { id: "main" });
  app.append(top, main);
  applyRole();
  return main;
}
`;
