/**
 * @module Dialogs and the workflow page's actions: signal, query, update, cancel, terminate. A
 * fragment of the UI's browser script, joined in ../client.ts: plain JS in a string, which must not
 * contain a backtick or a dollar sign followed by a brace.
 */

export const actionsScript = String.raw`
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
    // The engine's rule (sdk/common/handler-name.ts): any non-empty name up to 256 characters, no control characters.
    const nameOk = nameInput.value.trim() !== "" && nameInput.value.trim().length <= 256 && !/[\u0000-\u001f\u007f]/.test(nameInput.value);
    nameInput.setAttribute("aria-invalid", String(!nameOk && nameInput.value !== ""));
    nameHint.textContent = nameOk || nameInput.value === "" ? "" : "A name of 1 to 256 characters, without control characters.";
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
`;
