/**
 * @module Sign-in for the web UI: an API key asked for in a dialog, kept in sessionStorage (this
 * browser tab only; never in a URL, never logged), sent as `Authorization: Bearer`. `GET
 * /api/v1/whoami` says what the key may do; buttons marked `data-needs="writer"` are hidden unless
 * it may write in this namespace. A 401 or 403 asks for a key again. A fragment of the UI's browser
 * script, joined in ../client.ts: plain JS in a string, which must not contain a backtick or a
 * dollar sign followed by a brace.
 */

export const authScript = `
// ---------- sign-in ----------
const KEY_STORAGE = "sundial.apiKey";
const ROLE_RANK = { reader: 1, writer: 2, admin: 3 };
const auth = { who: null, pending: null };

function storedKey() {
  try { return sessionStorage.getItem(KEY_STORAGE) || ""; } catch { return ""; }
}
function storeKey(key) {
  try {
    if (key) sessionStorage.setItem(KEY_STORAGE, key);
    else sessionStorage.removeItem(KEY_STORAGE);
  } catch { /* storage disabled: the key lives for this page only */ }
}
function withAuth(headers) {
  const key = storedKey();
  if (key) headers.authorization = "Bearer " + key;
  return headers;
}
/** The caller's best role in a namespace: 0 none, 1 reader, 2 writer, 3 admin. */
function roleIn(namespace) {
  let best = 0;
  for (const g of (auth.who && auth.who.grants) || []) {
    if (g.namespace === "*" || g.namespace === namespace) best = Math.max(best, ROLE_RANK[g.role] || 0);
  }
  return best;
}
function canWrite() { return roleIn(route.namespace) >= ROLE_RANK.writer; }
/** Shows or hides what the role allows, and who is signed in. */
function applyRole() {
  for (const el of document.querySelectorAll("[data-needs=writer]")) el.hidden = !canWrite();
  const who = document.querySelector("[data-testid=signed-in]");
  if (who) {
    const w = auth.who;
    who.textContent = !w ? "" : w.via === "disabled" ? "auth disabled" :
      w.id + (w.role ? " · " + w.role + " of " + w.namespace : " · no role");
  }
  const out = document.querySelector("[data-testid=sign-out]");
  if (out) out.hidden = !storedKey();
}
async function loadWhoAmI() {
  try {
    auth.who = await apiAt("/api/v1/whoami", "GET");
  } catch {
    auth.who = null;
  }
  applyRole();
  return auth.who;
}
/** Asks for a key (one dialog at a time); resolves once a working key is stored, rejects if closed. */
function askForKey(reason) {
  if (auth.pending) return auth.pending;
  auth.pending = new Promise((resolve, reject) => {
    let done = false;
    const input = h("input", { type: "password", autocomplete: "off", spellcheck: "false", testid: "api-key-input", "aria-label": "API key" });
    const d = openDialog({
      title: "Sign in",
      lede: reason + " Paste an API key; it is kept in this browser tab only.",
      fields: [h("label", null, "API key", input)],
      confirmLabel: "Sign in",
      testid: "sign-in",
      validate: () => input.value.trim() !== "",
      onConfirm: async () => {
        const key = input.value.trim();
        let res;
        try {
          res = await fetch("/api/v1/whoami", { headers: { accept: "application/json", authorization: "Bearer " + key } });
        } catch (e) {
          throw new ApiError(0, "Unavailable", "Could not reach the engine");
        }
        if (!res.ok) {
          input.value = "";
          let message = "That key was refused.";
          try { message = (await res.json()).error.message; } catch { /* keep the default */ }
          throw new ApiError(res.status, res.status === 401 ? "Unauthenticated" : "HTTP " + res.status, message);
        }
        storeKey(key);
        auth.who = await res.json();
        done = true;
        applyRole();
        resolve();
      },
    });
    d.dialog.addEventListener("close", () => {
      if (!done) reject(new ApiError(401, "Unauthenticated", "Not signed in: " + reason));
    });
  });
  const clearPending = () => { auth.pending = null; };
  auth.pending.then(clearPending, clearPending);
  return auth.pending;
}
/** The top bar's sign-in part: who, sign out, and the namespace switcher. */
function authBar() {
  const switcher = h("select", { testid: "namespace-switcher", "aria-label": "Namespace", onchange: (e) => {
    const ns = e.target.value;
    location.href = ns === "default" ? "/" : "/namespaces/" + encodeURIComponent(ns) + "/";
  } }, h("option", { value: route.namespace, selected: true }, route.namespace));
  apiAt("/api/v1/namespaces", "GET").then((r) => {
    clear(switcher);
    const names = (r.namespaces || []).map((n) => n.name);
    if (!names.includes(route.namespace)) names.push(route.namespace);
    for (const name of names.sort()) switcher.append(h("option", { value: name, selected: name === route.namespace }, name));
  }).catch(() => { /* the page shows its own error */ });
  return [
    switcher,
    h("span", { class: "muted", testid: "signed-in" }),
    h("button", { type: "button", class: "link", testid: "sign-out", hidden: true, onclick: () => { storeKey(""); location.reload(); } }, "Sign out"),
  ];
}
`;
