/**
 * @module The list page: filter, status counts, the paged table. A fragment of the UI's browser
 * script, joined in ../client.ts: plain JS in a string, which must not contain a backtick or a dollar
 * sign followed by a brace.
 */

// biome-ignore lint/complexity/noUselessStringRaw: raw like the other fragments, so a regex added here keeps its backslashes
export const listPageScript = String.raw`
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
`;
