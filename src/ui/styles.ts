/** @module The web UI's stylesheet, served as `/ui/app.css` (see page.ts). */

export const styles = `
:root {
  --bg: #f6f7f9;
  --panel: #ffffff;
  --text: #1d2330;
  --muted: #5f6b7a;
  --border: #dde2e8;
  --accent: #3556d8;
  --accent-soft: #e8edff;
  --danger: #c62f3c;
  --danger-soft: #fdecee;
  --ok: #1d7f4e;
  --ok-soft: #e3f5ea;
  --warn: #9a6200;
  --warn-soft: #fff3dc;
  --violet: #6b3fc4;
  --violet-soft: #efe8fc;
  --grey-soft: #eceff3;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  --radius: 8px;
  color-scheme: light;
}
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; }
body {
  background: var(--bg);
  color: var(--text);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre, .mono { font-family: var(--mono); font-size: 12.5px; }
h1 { font-size: 22px; margin: 0; font-weight: 650; word-break: break-all; }
h2 { font-size: 15px; margin: 0 0 10px; font-weight: 650; }
.topbar {
  display: flex; align-items: center; gap: 16px;
  padding: 10px 24px; background: #141a2b; color: #fff;
}
.topbar a { color: #fff; }
.brand { font-weight: 700; font-size: 16px; letter-spacing: .2px; display: flex; align-items: center; gap: 8px; }
.brand-mark { width: 18px; height: 18px; border-radius: 50%; background: conic-gradient(#ffcc4d 0 25%, #f7a928 0 50%, #ffcc4d 0 75%, #f7a928 0); }
.topbar .ns { font-size: 12px; color: #c6cce0; border: 1px solid #3a4361; border-radius: 999px; padding: 2px 10px; }
.topbar .spacer { flex: 1; }
.topbar .api-link { font-size: 12px; color: #c6cce0; }
.topbar select { font-size: 12px; padding: 2px 6px; border-radius: 6px; }
.topbar .muted { font-size: 12px; color: #c6cce0; }
.topbar button.link { color: #c6cce0; font-size: 12px; }
[hidden] { display: none !important; }
main { max-width: 1280px; margin: 0 auto; padding: 20px 24px 48px; }
.page-head { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; margin-bottom: 16px; }
.page-head .actions { margin-left: auto; display: flex; gap: 8px; }
.crumbs { font-size: 13px; color: var(--muted); margin-bottom: 8px; }
.panel {
  background: var(--panel); border: 1px solid var(--border); border-radius: var(--radius);
  padding: 16px; margin-bottom: 16px;
}
.panel.flush { padding: 0; overflow: hidden; }
.panel.flush > h2 { padding: 14px 16px 0; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 16px; margin-bottom: 16px; }
.grid2 > .panel { margin-bottom: 0; min-width: 0; }
button, .button {
  font: inherit; font-weight: 550; border-radius: 6px; border: 1px solid var(--border);
  background: #fff; color: var(--text); padding: 6px 12px; cursor: pointer; line-height: 1.3;
}
button:hover:not(:disabled) { border-color: #b9c1cc; background: #f9fafb; }
button:disabled { opacity: .5; cursor: not-allowed; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.primary:hover:not(:disabled) { background: #2b47b8; }
button.danger { color: var(--danger); border-color: #f0c2c7; }
button.danger.solid { background: var(--danger); border-color: var(--danger); color: #fff; }
button.link { border: none; background: none; color: var(--accent); padding: 0; }
button:focus-visible, input:focus-visible, textarea:focus-visible, a:focus-visible, summary:focus-visible {
  outline: 2px solid var(--accent); outline-offset: 2px;
}
input[type=text], input[type=search], textarea {
  font: inherit; border: 1px solid var(--border); border-radius: 6px; padding: 7px 10px;
  background: #fff; color: var(--text); width: 100%;
}
textarea { font-family: var(--mono); font-size: 12.5px; min-height: 110px; resize: vertical; }
input[aria-invalid=true], textarea[aria-invalid=true] { border-color: var(--danger); }
label { font-weight: 600; font-size: 13px; display: block; margin-bottom: 4px; }
.field { margin-bottom: 12px; }
.hint { color: var(--muted); font-size: 12px; margin-top: 4px; }
.filter { display: flex; gap: 8px; align-items: flex-end; }
.filter .grow { flex: 1; }
.filter input { font-family: var(--mono); font-size: 13px; }
.alert {
  border-radius: 6px; padding: 10px 12px; margin: 10px 0; border: 1px solid #f0c2c7;
  background: var(--danger-soft); color: #7d1822; white-space: pre-wrap; word-break: break-word;
}
.alert strong { margin-right: 6px; }
.notice {
  border-radius: 6px; padding: 8px 12px; margin: 0 0 12px; background: var(--ok-soft);
  color: #145a37; border: 1px solid #bfe6cf;
}
.counts { display: flex; flex-wrap: wrap; gap: 8px; margin-bottom: 14px; }
.chip {
  display: inline-flex; align-items: center; gap: 6px; border-radius: 999px; padding: 4px 12px;
  border: 1px solid var(--border); background: #fff; font-weight: 550; font-size: 13px;
}
.chip .n { font-variant-numeric: tabular-nums; color: var(--muted); font-weight: 600; }
.chip[aria-pressed=true] { background: var(--accent-soft); border-color: var(--accent); color: var(--accent); }
.chip[aria-pressed=true] .n { color: var(--accent); }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 9px 12px; border-bottom: 1px solid var(--border); vertical-align: top; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); font-weight: 650; background: #fafbfc; }
tbody tr:last-child td { border-bottom: none; }
tbody tr:hover td { background: #fafbff; }
td.id { font-family: var(--mono); font-size: 13px; word-break: break-all; }
td.time, td.num { white-space: nowrap; font-variant-numeric: tabular-nums; }
td.muted, .muted { color: var(--muted); }
.empty { padding: 28px 16px; text-align: center; color: var(--muted); }
.pager { display: flex; align-items: center; gap: 10px; padding: 10px 12px; border-top: 1px solid var(--border); background: #fafbfc; }
.pager .spacer { flex: 1; }
.badge {
  display: inline-block; border-radius: 999px; padding: 2px 10px; font-size: 12px; font-weight: 650;
  background: var(--grey-soft); color: #414b59; white-space: nowrap;
}
.badge.s-Running { background: var(--accent-soft); color: var(--accent); }
.badge.s-Completed { background: var(--ok-soft); color: var(--ok); }
.badge.s-Failed { background: var(--danger-soft); color: var(--danger); }
.badge.s-TimedOut { background: var(--warn-soft); color: var(--warn); }
.badge.s-Terminated { background: #fde9df; color: #a2431a; }
.badge.s-Canceled { background: var(--grey-soft); color: #4a5463; }
.badge.s-ContinuedAsNew { background: var(--violet-soft); color: var(--violet); }
.badge.big { font-size: 13px; padding: 4px 12px; }
.badge.s-Running::before {
  content: ""; display: inline-block; width: 7px; height: 7px; border-radius: 50%;
  background: currentColor; margin-right: 6px; vertical-align: 1px; animation: pulse 1.4s infinite;
}
@keyframes pulse { 50% { opacity: .25; } }
dl.summary { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 12px 24px; margin: 0; }
dl.summary > div { min-width: 0; }
dl.summary dt { font-size: 12px; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: .04em; }
dl.summary dd { margin: 2px 0 0; word-break: break-all; }
pre.json {
  margin: 0; background: #f7f8fa; border: 1px solid var(--border); border-radius: 6px;
  padding: 10px 12px; overflow: auto; max-height: 320px; white-space: pre-wrap; word-break: break-word;
}
pre.json.failure { background: var(--danger-soft); border-color: #f0c2c7; color: #7d1822; }
.failure-msg { color: var(--danger); font-weight: 600; margin-bottom: 6px; word-break: break-word; }
.section-head { display: flex; align-items: baseline; gap: 10px; margin-bottom: 10px; }
.section-head h2 { margin: 0; }
.section-head .right { margin-left: auto; display: flex; gap: 10px; align-items: center; }
.live { font-size: 12px; color: var(--ok); font-weight: 600; }
.live::before { content: ""; display: inline-block; width: 7px; height: 7px; border-radius: 50%; background: var(--ok); margin-right: 6px; animation: pulse 1.4s infinite; }
ol.timeline { list-style: none; margin: 0; padding: 0; }
ol.timeline > li { border-left: 3px solid var(--border); margin-left: 6px; padding: 0 0 0 14px; position: relative; }
ol.timeline > li::before {
  content: ""; position: absolute; left: -7.5px; top: 13px; width: 12px; height: 12px; border-radius: 50%;
  background: #fff; border: 3px solid #9aa5b4;
}
ol.timeline > li.cat-workflow::before { border-color: #1d2330; }
ol.timeline > li.cat-activity::before { border-color: var(--accent); }
ol.timeline > li.cat-timer::before { border-color: var(--warn); }
ol.timeline > li.cat-message::before { border-color: var(--violet); }
ol.timeline > li.cat-child::before { border-color: #0f7c8a; }
ol.timeline > li.is-failure::before { border-color: var(--danger); background: var(--danger); }
ol.timeline > li.is-success::before { border-color: var(--ok); background: var(--ok); }
ol.timeline > li.is-new > details > summary { animation: flash 1.8s ease-out; }
@keyframes flash { from { background: #fff6cc; } to { background: transparent; } }
ol.timeline details > summary {
  list-style: none; cursor: pointer; display: grid; grid-template-columns: 44px minmax(220px, 300px) 150px 1fr;
  gap: 12px; align-items: baseline; padding: 8px 8px; border-radius: 6px;
}
ol.timeline details > summary::-webkit-details-marker { display: none; }
ol.timeline details > summary:hover { background: #f3f5f8; }
ol.timeline details[open] > summary { background: #f3f5f8; }
.ev-id { font-family: var(--mono); color: var(--muted); text-align: right; font-variant-numeric: tabular-nums; }
.ev-type { font-weight: 600; word-break: break-word; }
.is-failure .ev-type { color: var(--danger); }
.ev-time { color: var(--muted); font-size: 12.5px; font-variant-numeric: tabular-nums; white-space: nowrap; }
.ev-attrs { color: #3a4454; font-size: 12.5px; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.ev-attrs .k { color: var(--muted); }
.ev-attrs .v { font-family: var(--mono); font-size: 12px; }
ol.timeline details > pre.json { margin: 4px 0 12px 56px; }
dialog {
  border: none; border-radius: 12px; padding: 0; width: min(560px, calc(100vw - 32px));
  box-shadow: 0 24px 60px rgba(16, 24, 40, .28);
}
dialog::backdrop { background: rgba(20, 26, 43, .45); }
dialog form { padding: 20px; margin: 0; }
dialog h2 { font-size: 17px; margin-bottom: 6px; }
dialog .lede { color: var(--muted); margin: 0 0 14px; word-break: break-word; }
dialog .answer { margin-top: 4px; }
dialog .answer-head { font-size: 13px; color: var(--muted); margin-bottom: 6px; }
dialog .answer-head strong { color: var(--text); }
.confirm-prompt {
  border-radius: 6px; padding: 10px 12px; margin: 4px 0 10px; border: 1px solid #f3d48a;
  background: #fff8e6; color: #6b4a00; word-break: break-word;
}
dialog .buttons { display: flex; justify-content: flex-end; gap: 8px; margin-top: 16px; }
.kv { font-family: var(--mono); font-size: 12.5px; }
@media (max-width: 760px) {
  ol.timeline details > summary { grid-template-columns: 36px 1fr; }
  .ev-time, .ev-attrs { grid-column: 2; }
  main { padding: 12px; }
}
`;
