/**
 * @module The Schedules pages: the list (next run and state of each) and a schedule's page (spec in
 * words, next runs, recent runs linking to their workflows, pause/unpause/trigger/backfill/delete,
 * each confirmed in a dialog). A fragment of the UI's browser script, joined in ../client.ts: plain
 * JS in a string, which must not contain a backtick or a dollar sign followed by a brace.
 */

export const schedulesPageScript = `
// ---------- schedules ----------
function schedulesUrl(scheduleId) {
  return route.nsPath + "/schedules" + (scheduleId ? "/" + encodeURIComponent(scheduleId) : "");
}
function stateBadge(paused) {
  return h("span", { class: "badge " + (paused ? "s-Canceled" : "s-Running"), testid: "schedule-state" }, paused ? "Paused" : "Active");
}

function schedulesListPage() {
  document.title = "Schedules · Sundial";
  const main = shell();
  const errorSlot = h("div", { testid: "schedules-error-slot" });
  const tbody = h("tbody");
  const table = h("table", { testid: "schedule-table" },
    h("thead", null, h("tr", null,
      h("th", { scope: "col" }, "State"),
      h("th", { scope: "col" }, "Schedule ID"),
      h("th", { scope: "col" }, "Workflow type"),
      h("th", { scope: "col" }, "Next run"),
      h("th", { scope: "col" }, "Spec"))),
    tbody);
  const refresh = h("button", { type: "button", testid: "refresh", onclick: () => load() }, "Refresh");
  add(main, [
    h("div", { class: "page-head" }, h("h1", null, "Schedules")),
    errorSlot,
    h("div", { class: "panel flush" }, table, h("div", { class: "pager" }, h("span", { class: "spacer" }), refresh)),
  ]);
  async function load() {
    try {
      const r = await api("GET", "/schedules?pageSize=100");
      clear(errorSlot);
      clear(tbody);
      const list = r.schedules || [];
      if (list.length === 0) tbody.append(h("tr", null, h("td", { colspan: "5", class: "empty", testid: "empty" }, "No schedules yet.")));
      for (const s of list) {
        tbody.append(h("tr", { testid: "schedule-row", "data-schedule-id": s.scheduleId },
          h("td", null, stateBadge(s.paused)),
          h("td", { class: "id" }, h("a", { href: schedulesUrl(s.scheduleId), testid: "schedule-link" }, s.scheduleId)),
          h("td", null, s.workflowType),
          h("td", { class: "time" }, s.paused ? "—" : timeEl(s.nextActionTime)),
          h("td", null, s.specDescription)));
      }
    } catch (err) {
      clear(errorSlot).append(errorBox(err, "schedules-error"));
    }
  }
  load();
  setInterval(() => { if (document.visibilityState === "visible" && !document.querySelector("dialog[open]")) load(); }, LIST_REFRESH_MS);
}

function schedulePage(scheduleId) {
  document.title = scheduleId + " · Schedules · Sundial";
  const main = shell();
  const path = "/schedules/" + encodeURIComponent(scheduleId);
  const stateSlot = h("span");
  const noticeSlot = h("div");
  const summary = h("dl", { class: "summary", testid: "schedule-summary" });
  const nextList = h("ol", { class: "mono", testid: "next-runs" });
  const recentBody = h("tbody");
  const running = h("ul", { testid: "running-workflows" });
  let current = null;
  const pauseBtn = h("button", { type: "button", testid: "pause-schedule", onclick: () => pauseDialog() }, "Pause");
  const triggerBtn = h("button", { type: "button", testid: "trigger-schedule", onclick: () => triggerDialog() }, "Trigger now");
  const backfillBtn = h("button", { type: "button", testid: "backfill-schedule", onclick: () => backfillDialog() }, "Backfill");
  const deleteBtn = h("button", { type: "button", class: "danger", testid: "delete-schedule", onclick: () => deleteDialog() }, "Delete");
  add(main, [
    h("div", { class: "crumbs" }, h("a", { href: schedulesUrl() }, "Schedules"), " / ", scheduleId),
    h("div", { class: "page-head" }, h("h1", { class: "mono", testid: "schedule-id" }, scheduleId), stateSlot,
      h("div", { class: "actions" }, pauseBtn, triggerBtn, backfillBtn, deleteBtn)),
    noticeSlot,
    h("div", { class: "panel" }, summary),
    h("div", { class: "panel" }, h("h2", null, "Next runs"), nextList),
    h("div", { class: "panel" }, h("h2", null, "Running workflows"), running),
    h("div", { class: "panel flush" }, h("h2", { class: "section-head" }, "Recent runs"),
      h("table", { testid: "recent-runs" }, h("thead", null, h("tr", null,
        h("th", { scope: "col" }, "Status"), h("th", { scope: "col" }, "Scheduled"),
        h("th", { scope: "col" }, "Started"), h("th", { scope: "col" }, "Workflow ID"))), recentBody)),
  ]);
  const item = (label, value, testid) => h("div", null, h("dt", null, label), h("dd", { testid }, value));
  function render(d) {
    current = d;
    clear(stateSlot).append(stateBadge(d.state.paused));
    pauseBtn.textContent = d.state.paused ? "Unpause" : "Pause";
    clear(summary);
    add(summary, [
      item("Spec", d.specDescription, "spec-description"),
      item("Time zone", d.spec.timezone || "UTC", "timezone"),
      item("Workflow type", d.action.startWorkflow.workflowType, "schedule-workflow-type"),
      item("Overlap", d.policies.overlap, "overlap"),
      item("Catch-up window", String(d.policies.catchupWindow), "catchup-window"),
      item("Pause on failure", d.policies.pauseOnFailure ? "yes" : "no", "pause-on-failure"),
      item("Note", d.state.note || "—", "schedule-note"),
      item("Remaining actions", d.state.remainingActions === null ? "unlimited" : String(d.state.remainingActions), "remaining-actions"),
      item("Actions", String(d.info.actionCount), "action-count"),
      item("Missed (catch-up)", String(d.info.missedCatchupWindow), "missed-catchup"),
      item("Skipped (overlap)", String(d.info.overlapSkipped), "overlap-skipped"),
    ]);
    clear(nextList);
    if (d.info.nextActionTimes.length === 0) nextList.append(h("li", { class: "muted" }, d.state.paused ? "None while paused." : "None."));
    for (const t of d.info.nextActionTimes) nextList.append(h("li", null, timeEl(t)));
    clear(running);
    if (d.info.runningWorkflows.length === 0) running.append(h("li", { class: "muted" }, "None."));
    for (const w of d.info.runningWorkflows) running.append(h("li", null, h("a", { href: workflowUrl(w.workflowId), class: "mono" }, w.workflowId)));
    clear(recentBody);
    if (d.info.recentActions.length === 0) recentBody.append(h("tr", null, h("td", { colspan: "4", class: "empty" }, "No runs yet.")));
    for (const a of d.info.recentActions) {
      recentBody.append(h("tr", { testid: "recent-run" },
        h("td", null, a.status === "StartFailed" ? h("span", { class: "badge s-Failed", testid: "status" }, "Start failed") : statusBadge(a.status)),
        h("td", { class: "time" }, timeEl(a.scheduledTime)),
        h("td", { class: "time" }, timeEl(a.actualTime)),
        h("td", { class: "id" }, h("a", { href: workflowUrl(a.workflowId, a.runId), testid: "recent-run-link" }, a.workflowId))));
    }
  }
  async function load() {
    try {
      render(await api("GET", path));
    } catch (err) {
      clear(noticeSlot).append(errorBox(err, "schedule-error"));
    }
  }
  async function done(message) {
    await load();
    clear(noticeSlot).append(h("div", { class: "notice", role: "status", testid: "schedule-notice" }, message));
  }
  function noteField(id) {
    return h("div", { class: "field" }, h("label", { for: id }, "Note (optional)"),
      h("input", { type: "text", id, name: "note", autocomplete: "off", testid: id }));
  }
  function overlapField(id) {
    const select = h("select", { id, name: "overlap", testid: id },
      h("option", { value: "" }, "The schedule's policy"),
      ["Skip", "BufferOne", "BufferAll", "CancelOther", "TerminateOther", "AllowAll"].map((p) => h("option", { value: p }, p)));
    return h("div", { class: "field" }, h("label", { for: id }, "Overlap policy"), select);
  }
  function pauseDialog() {
    const paused = current && current.state.paused;
    openDialog({
      title: paused ? "Unpause this schedule?" : "Pause this schedule?",
      lede: paused ? "It acts again from now on; the times that passed while paused are not caught up." : "No actions until it is unpaused. Running workflows are not touched.",
      testid: "pause-dialog",
      confirmLabel: paused ? "Unpause" : "Pause",
      fields: [noteField("pause-note")],
      onConfirm: async () => {
        const note = document.getElementById("pause-note").value.trim();
        await api("POST", path + (paused ? "/unpause" : "/pause"), note ? { note } : {});
        await done(paused ? "Schedule unpaused." : "Schedule paused.");
      },
    });
  }
  function triggerDialog() {
    openDialog({
      title: "Trigger an action now?",
      lede: "Starts " + (current ? current.action.startWorkflow.workflowType : "the workflow") + " now, subject to the overlap policy.",
      testid: "trigger-dialog",
      confirmLabel: "Trigger",
      fields: [overlapField("trigger-overlap")],
      onConfirm: async () => {
        const overlap = document.getElementById("trigger-overlap").value;
        await api("POST", path + "/trigger", overlap ? { overlap } : {});
        await done("Action triggered.");
      },
    });
  }
  function backfillDialog() {
    const field = (id, label) => h("div", { class: "field" }, h("label", { for: id }, label),
      h("input", { type: "text", id, class: "mono", autocomplete: "off", testid: id, placeholder: "2026-12-01T00:00:00Z" }));
    openDialog({
      title: "Backfill a time range?",
      lede: "Takes every action of the range, in order (at most 1,000).",
      testid: "backfill-dialog",
      confirmLabel: "Backfill",
      fields: [field("backfill-start", "Start time (ISO)"), field("backfill-end", "End time (ISO, inclusive)"), overlapField("backfill-overlap")],
      onConfirm: async () => {
        const body = {
          startTime: document.getElementById("backfill-start").value.trim(),
          endTime: document.getElementById("backfill-end").value.trim(),
        };
        const overlap = document.getElementById("backfill-overlap").value;
        if (overlap) body.overlap = overlap;
        const r = await api("POST", path + "/backfill", body);
        await done(r.actions + " action(s) backfilled.");
      },
    });
  }
  function deleteDialog() {
    openDialog({
      title: "Delete this schedule?",
      lede: "Deletes " + scheduleId + ". Its running workflows keep running. This cannot be undone.",
      testid: "delete-dialog",
      confirmLabel: "Delete",
      danger: true,
      onConfirm: async () => {
        await api("DELETE", path);
        location.assign(schedulesUrl());
      },
    });
  }
  load();
  setInterval(() => { if (document.visibilityState === "visible" && !document.querySelector("dialog[open]")) load(); }, DESCRIBE_EVERY_MS);
}
`;
