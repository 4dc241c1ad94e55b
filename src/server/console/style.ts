/**
 * The console's stylesheet, served as /console/console.css (assets.ts). Plain CSS, light and
 * dark; tables become cards on narrow screens. No inline styles anywhere (the pages' CSP allows
 * only this file), so bars are <meter> elements.
 */
export const CONSOLE_CSS = `
:root {
  --bg: #f5f6f8; --panel: #ffffff; --text: #18202b; --muted: #5f6b7a; --faint: #8a94a3;
  --border: #e2e5ea; --row: #f9fafb; --accent: #3451d1; --accent-text: #ffffff;
  --up: #1f7a3a; --up-bg: #e6f6ea; --waiting: #a35a00; --waiting-bg: #fff1dc;
  --danger: #c92a2a; --danger-bg: #fdecec; --warn-bg: #fff7e0; --warn: #8a5a00;
  --code-bg: #f0f2f5; --shadow: 0 1px 2px rgba(16, 24, 40, .06);
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f1217; --panel: #171b22; --text: #e5e8ee; --muted: #9aa4b2; --faint: #6f7a89;
    --border: #2a303a; --row: #1b2029; --accent: #7b93ff; --accent-text: #0f1217;
    --up: #5fd38a; --up-bg: #17301f; --waiting: #ffb454; --waiting-bg: #3a2a12;
    --danger: #ff7b7b; --danger-bg: #3a1a1a; --warn-bg: #3a2f12; --warn: #ffd27a;
    --code-bg: #222833; --shadow: none;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--text);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif;
}
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre { font-family: var(--mono); font-size: 12.5px; }
code { background: var(--code-bg); padding: 1px 5px; border-radius: 4px; }
pre { background: var(--code-bg); padding: 10px 12px; border-radius: 6px; overflow-x: auto; white-space: pre-wrap; }
pre code { background: none; padding: 0; }
h1 { font-size: 22px; margin: 0; font-weight: 650; letter-spacing: -.01em; }
h2 { font-size: 15px; margin: 0 0 10px; font-weight: 600; display: flex; align-items: baseline; gap: 8px; }
.muted { color: var(--muted); }
.small { font-size: 12px; }
.error { color: var(--danger); }
.error:empty { display: none; }
.sep { color: var(--faint); margin: 0 6px; }

/* progressive enhancement: .js and .has-token are set by the script before the first paint */
.js-only { display: none !important; }
.js .js-only { display: revert !important; }
.js span.js-only, .js button.js-only { display: inline-flex !important; }
.loading { display: none; }
.has-token #signin { display: none; }
.has-token .loading { display: block; padding: 40px 0; text-align: center; }

/* header */
.top {
  position: sticky; top: 0; z-index: 10; display: flex; align-items: center; gap: 12px;
  padding: 0 24px; height: 52px; background: var(--panel); border-bottom: 1px solid var(--border);
}
.brand { display: flex; align-items: center; gap: 8px; color: var(--text); font-weight: 650; font-size: 15px; }
.brand:hover { text-decoration: none; }
.registry { color: var(--muted); font-size: 12.5px; padding-left: 12px; border-left: 1px solid var(--border); }
.spacer { flex: 1; }
.chip { font-size: 11.5px; font-weight: 600; padding: 2px 8px; border-radius: 999px; }
.chip.warn { background: var(--warn-bg); color: var(--warn); }
.conn { align-items: center; gap: 7px; font-size: 12.5px; color: var(--muted); white-space: nowrap; }
.conn .dot { width: 8px; height: 8px; border-radius: 50%; background: var(--faint); }
.conn[data-state="live"] .dot { background: #2fb344; box-shadow: 0 0 0 3px rgba(47, 179, 68, .18); }
.conn[data-state="polling"] .dot { background: #2fb344; }
.conn[data-state="reconnecting"] .dot { background: #f59f00; }
.conn[data-state="offline"] { color: var(--danger); font-weight: 600; }
.conn[data-state="offline"] .dot { background: var(--danger); box-shadow: 0 0 0 3px rgba(224, 49, 49, .18); }

main { max-width: 1280px; margin: 0 auto; padding: 20px 24px 32px; }
.foot { max-width: 1280px; margin: 0 auto; padding: 0 24px 28px; }

/* filters */
.filters {
  display: flex; flex-wrap: wrap; align-items: flex-end; gap: 10px 12px; margin-bottom: 18px;
  padding: 12px 14px; background: var(--panel); border: 1px solid var(--border); border-radius: 10px;
  box-shadow: var(--shadow);
}
.filters label { display: flex; flex-direction: column; gap: 4px; flex: 1 1 170px; min-width: 0; }
.filters label.narrow { flex: 0 1 110px; }
.filters label span, .weight-row span, .signin label span {
  font-size: 11.5px; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: .04em;
}
input {
  font: inherit; color: var(--text); background: var(--bg); border: 1px solid var(--border);
  border-radius: 7px; padding: 7px 10px; min-width: 0; width: 100%;
}
input:focus { outline: 2px solid var(--accent); outline-offset: -1px; border-color: transparent; }
.filter-buttons { display: flex; gap: 8px; }
button, .button {
  font: inherit; font-size: 13px; font-weight: 550; color: var(--text); background: var(--panel);
  border: 1px solid var(--border); border-radius: 7px; padding: 6px 12px; cursor: pointer;
  display: inline-flex; align-items: center; gap: 6px; white-space: nowrap; line-height: 1.3;
}
button:hover, .button:hover { border-color: var(--faint); text-decoration: none; }
button.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-text); }
button.primary:hover { filter: brightness(1.08); }
button.danger { color: var(--danger); }
button.danger:hover { background: var(--danger-bg); border-color: var(--danger); }
button.primary.danger-fill { background: var(--danger); border-color: var(--danger); color: #fff; }
button.link { background: none; border: none; color: var(--accent); padding: 2px 4px; }
button:disabled { opacity: .55; cursor: progress; }

/* identity strip, titles, stats */
.who {
  display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 6px 12px;
  font-size: 12.5px; color: var(--muted); margin-bottom: 14px;
}
.who .tid { color: var(--text); }
.who-items { display: flex; flex-wrap: wrap; gap: 2px 0; }
.who-items > span { white-space: nowrap; }
.who-items > span + span::before { content: "·"; color: var(--faint); margin: 0 7px; }
/* the filters wait for the view: nothing to filter before sign-in */
body:has(.view[data-view="signin"]) .filters { display: none; }
.title-row { display: flex; flex-wrap: wrap; align-items: baseline; gap: 6px 12px; margin-bottom: 14px; }
.appid { word-break: break-all; }
.env-badge { font-size: 12px; font-weight: 600; padding: 2px 8px; border-radius: 999px; background: var(--code-bg); color: var(--muted); }
.crumbs { font-size: 13px; color: var(--muted); margin-bottom: 8px; word-break: break-all; }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(128px, 1fr)); gap: 10px; margin-bottom: 18px; }
.stat {
  display: flex; flex-direction: column; gap: 2px; padding: 10px 14px; background: var(--panel);
  border: 1px solid var(--border); border-radius: 10px; box-shadow: var(--shadow); min-width: 0;
}
.stat.wide { grid-column: span 2; }
.stat-value { font-size: 20px; font-weight: 650; line-height: 1.3; display: flex; align-items: center; min-height: 28px; }
.stat-value .renews, .stat-value .sp, .stat-value time { font-size: 14px; }
.stat-label { font-size: 11.5px; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: .04em; }
.stat.up .stat-value { color: var(--up); }
.stat.waiting .stat-value { color: var(--waiting); }
.stat.alert { border-color: var(--danger); }
.stat.alert .stat-value { color: var(--danger); }
.counters { margin: -8px 0 16px; }
.offline {
  background: var(--danger-bg); color: var(--danger); border: 1px solid var(--danger);
  padding: 9px 14px; border-radius: 8px; margin: 0 0 16px; font-weight: 550;
}
.js .offline[hidden] { display: none !important; }
.notice { background: var(--warn-bg); color: var(--warn); padding: 8px 12px; border-radius: 8px; }
.card { background: var(--panel); border: 1px solid var(--border); border-radius: 10px; padding: 18px 20px; box-shadow: var(--shadow); margin-bottom: 18px; }
.card.empty p { margin: 0 0 8px; }
.card.problem h1 { margin-bottom: 8px; font-size: 18px; }

/* sections and tables */
section.env, section.zone, section.history { margin-bottom: 22px; }
.env-label { font-size: 11px; text-transform: uppercase; letter-spacing: .05em; color: var(--faint); font-weight: 600; }
h2 .count { font-size: 12.5px; font-weight: 500; color: var(--muted); }
.table-wrap {
  background: var(--panel); border: 1px solid var(--border); border-radius: 10px;
  box-shadow: var(--shadow); overflow-x: auto;
}
table { width: 100%; border-collapse: separate; border-spacing: 0; table-layout: fixed; }
/* fixed columns: the tables of every env (and every zone) line up */
table.apps { min-width: 860px; }
table.apps th:nth-child(1) { width: 26%; }
table.apps th:nth-child(2) { width: 17%; }
table.apps th:nth-child(3) { width: 14%; }
table.apps th:nth-child(4) { width: 11%; }
table.apps th:nth-child(5) { width: 18%; }
table.apps th:nth-child(6) { width: 14%; }
table.instances { min-width: 980px; }
table.instances th:nth-child(1) { width: 14%; }
table.instances th:nth-child(2) { width: 8%; }
table.instances th:nth-child(3) { width: 16%; }
table.instances th:nth-child(4) { width: 19%; }
table.instances th:nth-child(5) { width: 12%; }
table.instances th:nth-child(6) { width: 8%; }
table.instances th:nth-child(7) { width: 23%; }
table.history-table th:nth-child(1) { width: 18%; }
table.history-table th:nth-child(2) { width: 14%; }
table.history-table th:nth-child(3) { width: 40%; }
table.history-table th:nth-child(4) { width: 28%; }
td { overflow-wrap: anywhere; }
th {
  text-align: left; font-size: 11.5px; font-weight: 600; color: var(--muted); text-transform: uppercase;
  letter-spacing: .04em; padding: 9px 12px; background: var(--row); border-bottom: 1px solid var(--border); vertical-align: bottom;
}
td { padding: 10px 12px; border-bottom: 1px solid var(--border); vertical-align: top; }
tbody tr:last-child td { border-bottom: none; }
tbody tr:hover td { background: var(--row); }
.app-link { font-weight: 600; overflow-wrap: anywhere; }
.pill, .badge {
  display: inline-block; font-size: 11.5px; font-weight: 650; padding: 2px 8px; border-radius: 999px;
  letter-spacing: .02em; white-space: nowrap;
}
.pill.up, .badge.up { background: var(--up-bg); color: var(--up); }
.pill.waiting, .badge.waiting { background: var(--waiting-bg); color: var(--waiting); }
.counts { display: inline-flex; flex-wrap: wrap; gap: 4px; }
.zones { display: inline-flex; flex-wrap: wrap; gap: 4px; }
.zone-chip { display: inline-block; font-size: 12px; padding: 1px 7px; border: 1px solid var(--border); border-radius: 6px; }
.renews { display: inline-flex; flex-wrap: wrap; align-items: center; gap: 4px 6px; }
meter { width: 70px; height: 8px; }
.sp { display: inline-block; font-size: 12px; font-weight: 600; padding: 2px 8px; border-radius: 6px; white-space: nowrap; }
.sp.normal { background: var(--up-bg); color: var(--up); }
.sp.on { background: var(--danger-bg); color: var(--danger); }
.sp.off { background: var(--code-bg); color: var(--muted); }
tr.unreachable td { background: var(--danger-bg); }
tr.matches td { padding-top: 0; background: var(--panel); }
tr.matches:hover td { background: var(--panel); }
.match-list { list-style: none; margin: 0; padding: 0 0 2px 12px; border-left: 2px solid var(--border); }
.match-list li { padding: 3px 0; display: flex; flex-wrap: wrap; align-items: center; gap: 4px 8px; }
.hostname { overflow-wrap: anywhere; }
.addrs { display: flex; flex-direction: column; gap: 3px; align-items: flex-start; }
.addrs.inline { flex-direction: row; flex-wrap: wrap; }
.addr { font-size: 12px; overflow-wrap: anywhere; }
.meta { display: flex; flex-wrap: wrap; gap: 4px; }
.kv { display: inline-flex; max-width: 260px; font-size: 12px; border: 1px solid var(--border); border-radius: 6px; overflow: hidden; }
.kv .k { padding: 1px 6px; background: var(--code-bg); color: var(--muted); white-space: nowrap; }
.kv .v { padding: 1px 6px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-family: var(--mono); }
.lease { display: flex; flex-direction: column; gap: 4px; white-space: nowrap; }
.lease-meter { width: 90px; }
.actions { white-space: normal; }
.action-buttons { gap: 6px; flex-wrap: wrap; }
.action-buttons button { padding: 4px 9px; font-size: 12.5px; }
.op { font-size: 12px; font-weight: 600; padding: 1px 7px; border-radius: 6px; background: var(--code-bg); }
.op.register { background: var(--up-bg); color: var(--up); }
.op.set { background: #e7edff; color: #3451d1; }
.op.cancel { background: var(--code-bg); color: var(--muted); }
.op.evict { background: var(--danger-bg); color: var(--danger); }
@media (prefers-color-scheme: dark) { .op.set { background: #1d2648; color: #9fb0ff; } }
.actor { font-size: 12px; }

/* sign-in */
.signin { max-width: 560px; margin: 40px auto; }
.signin h1 { margin-bottom: 10px; }
.signin form { display: flex; gap: 10px; align-items: flex-end; flex-wrap: wrap; margin: 16px 0 8px; }
.signin label { display: flex; flex-direction: column; gap: 4px; flex: 1 1 260px; }

/* dialog and toast */
dialog {
  border: 1px solid var(--border); border-radius: 12px; padding: 20px 22px; width: min(440px, calc(100vw - 32px));
  background: var(--panel); color: var(--text); box-shadow: 0 12px 40px rgba(0, 0, 0, .25);
}
dialog::backdrop { background: rgba(15, 18, 23, .45); }
dialog h2 { font-size: 17px; margin-bottom: 8px; word-break: break-all; }
dialog p { margin: 0 0 12px; color: var(--muted); }
.weight-row { display: flex; flex-direction: column; gap: 4px; margin-bottom: 12px; }
.weight-row[hidden] { display: none; }
.dialog-buttons { display: flex; justify-content: flex-end; gap: 8px; margin-top: 6px; }
.toast {
  position: fixed; left: 50%; bottom: 20px; transform: translateX(-50%); z-index: 30; max-width: calc(100vw - 32px);
  background: var(--text); color: var(--bg); padding: 9px 16px; border-radius: 8px; font-size: 13px;
  box-shadow: 0 8px 24px rgba(0, 0, 0, .2); opacity: 0; pointer-events: none; transition: opacity .2s;
}
.toast.show { opacity: 1; }
.toast.bad { background: var(--danger); color: #fff; }

/* narrow screens: tables become cards */
@media (max-width: 760px) {
  .top { padding: 0 14px; gap: 8px; }
  .registry { display: none; }
  main { padding: 14px 12px 24px; }
  .foot { padding: 0 12px 20px; }
  .filters label, .filters label.narrow { flex: 1 1 140px; }
  .stat.wide { grid-column: span 2; }
  .stats { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  table, thead, tbody, tr, td { display: block; }
  table.apps, table.instances { min-width: 0; }
  .table-wrap { background: none; border: none; box-shadow: none; overflow: visible; }
  thead { display: none; }
  tbody tr {
    background: var(--panel); border: 1px solid var(--border); border-radius: 10px; margin-bottom: 10px;
    padding: 6px 0; box-shadow: var(--shadow);
  }
  tbody tr:hover td { background: none; }
  td { border: none; padding: 5px 14px; display: grid; grid-template-columns: 110px minmax(0, 1fr); gap: 8px; }
  td > * { justify-self: start; align-self: start; max-width: 100%; }
  .addr { white-space: normal; overflow-wrap: anywhere; }
  .action-buttons { flex-wrap: wrap; }
  .history-table tbody tr { display: flex; flex-wrap: wrap; align-items: baseline; gap: 2px 10px; padding: 8px 14px; }
  .history-table td { display: block; padding: 0; }
  .history-table td::before { content: none; }
  .history-table td[data-label="By"] { flex-basis: 100%; }
  td::before {
    content: attr(data-label); font-size: 11px; font-weight: 600; text-transform: uppercase;
    letter-spacing: .04em; color: var(--faint); padding-top: 2px;
  }
  td[data-label="Application"], td[data-label="Instance"] { display: block; font-size: 15px; padding-top: 8px; }
  td[data-label="Application"]::before, td[data-label="Instance"]::before { content: none; }
  tr.matches { margin-top: -14px; border-top: none; border-radius: 0 0 10px 10px; }
  tr.matches td { display: block; }
  tr.matches td::before { content: none; }
  .lease { white-space: normal; }
  .kv { max-width: 100%; }
}
`
