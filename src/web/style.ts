// The interface's one stylesheet, served from the app itself (no CDN, no build step). Kept as a
// module so the package ships it with the code.

/** The stylesheet served at /static/style.css. */
export const STYLESHEET = `
:root { --fg: #111; --muted: #666; --line: #d9d9d9; --bg: #f7f7f7; --panel: #fff; --accent: #0066cc; --ok: #0e8420; --bad: #c7162b; --warn: #f99b11; }
* { box-sizing: border-box; }
html { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Ubuntu, sans-serif; color: var(--fg); background: var(--bg); }
body { margin: 0; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code { font: 12px/1.3 ui-monospace, "DejaVu Sans Mono", monospace; white-space: nowrap; }
h1 { font-size: 22px; font-weight: 500; margin: 4px 0 14px; }
h2 { font-size: 15px; font-weight: 600; margin: 0 0 10px; }
h3 { font-size: 14px; font-weight: 600; margin: 16px 0 6px; }
.top { display: flex; align-items: center; gap: 24px; background: #262626; color: #fff; padding: 0 20px; height: 48px; }
.top .brand { font-weight: 600; letter-spacing: .02em; }
.top nav { display: flex; gap: 4px; flex: 1; }
.top nav a { color: #ddd; padding: 14px 12px; }
.top nav a[aria-current="page"] { color: #fff; box-shadow: inset 0 -3px 0 var(--warn); text-decoration: none; }
.logout { display: flex; align-items: center; gap: 8px; margin: 0; }
.logout .user { color: #ccc; }
main { padding: 16px 20px 32px; max-width: 1800px; }
footer { color: var(--muted); font-size: 12px; padding: 12px 20px 24px; }
button, .button { font: inherit; background: #fff; border: 1px solid #999; border-radius: 3px; padding: 5px 12px; color: var(--fg); cursor: pointer; display: inline-block; }
.top button { background: transparent; color: #fff; border-color: #777; padding: 3px 10px; }
button:hover, .button:hover { background: #eee; text-decoration: none; }
button.danger { background: var(--bad); border-color: var(--bad); color: #fff; }
input, select { font: inherit; padding: 5px 8px; border: 1px solid #999; border-radius: 3px; background: #fff; }
.notice { padding: 10px 14px; border-left: 4px solid var(--ok); background: #fff; margin: 0 0 14px; }
.notice.error { border-color: var(--bad); }
.muted { color: var(--muted); }
.sub { color: var(--muted); font-size: 12px; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 3px; padding: 14px 16px; margin: 0 0 16px; }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
.summary { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 10px; background: var(--panel); border: 1px solid var(--line); border-radius: 3px; padding: 5px 12px; margin-bottom: 8px; font-size: 13px; }
.summary .group { display: flex; flex-wrap: wrap; gap: 3px; }
.summary .bmc-health { margin-left: auto; color: var(--fg); }
.summary .bmc-health.alarm { color: var(--bad); font-weight: 600; }
.summary .bmc-health.incomplete { margin-left: 0; color: #8a5300; }
.chip { display: inline-block; border: 1px solid var(--line); border-radius: 10px; padding: 0 5px; color: var(--fg); font-size: 12px; white-space: nowrap; }
.chip.chosen { background: var(--accent); border-color: var(--accent); color: #fff; }
.filters { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 16px; background: var(--panel); border: 1px solid var(--line); border-radius: 3px; padding: 5px 12px; margin-bottom: 6px; }
.filters label { display: flex; align-items: center; gap: 6px; font-size: 12px; color: var(--muted); }
.filters input[type=search] { width: 260px; color: var(--fg); padding: 3px 8px; }
.filters select, .filters button { padding: 3px 10px; }
.filters fieldset { border: 0; padding: 0; margin: 0; display: flex; flex-wrap: wrap; align-items: center; gap: 2px 10px; max-width: 760px; }
.filters legend { float: left; font-size: 12px; color: var(--muted); padding: 0 4px 0 0; }
.filters label.check { color: var(--fg); font-size: 13px; gap: 4px; }
.pager { display: flex; gap: 12px; align-items: center; margin: 4px 0; font-size: 13px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; background: var(--panel); }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; font-weight: 600; color: var(--muted); white-space: nowrap; }
th a { color: inherit; }
.num { text-align: right; white-space: nowrap; }
table.machines td, table.bmcs td { white-space: nowrap; }
table.machines th, table.machines td { padding: 3px 8px; font-size: 13px; line-height: 1.4; }
table.machines td.vendor { max-width: 240px; overflow: hidden; text-overflow: ellipsis; }
table.bmcs th, table.bmcs td { padding: 4px 5px; font-size: 13px; }
table.bmcs td.message { white-space: normal; max-width: 300px; overflow-wrap: break-word; }
table.bmcs th.wraps, table.bmcs td.outcome { white-space: normal; }
@media (max-width: 1399px) { table.bmcs .detail { display: none; } }
.fold summary .short { display: inline-block; max-width: calc(100% - 18px); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; vertical-align: bottom; }
td.macs code { font: 12px ui-monospace, monospace; }
td.macs .more, .fold summary .more { color: var(--muted); font-size: 12px; }
.fingerprint code.full { display: inline-block; max-width: 200px; white-space: normal; overflow-wrap: normal; word-break: normal; }
.silent { margin: 4px 0; color: var(--muted); }
.fold { margin: 0; }
.fold summary { color: inherit; }
.fold[open] summary .short { display: none; }
.fold summary .less { display: none; color: var(--accent); }
.fold[open] summary .less { display: inline; }
@media (max-width: 1499px) { .wide { display: none; } table.machines td.vendor { max-width: 170px; } }
@media (max-width: 1099px) { .medium { display: none; } table.bmcs td.message { max-width: 260px; } table.machines td.vendor { max-width: 130px; } table.machines td .sub { display: none; } main { padding: 10px 10px 24px; } }
.narrow-only { display: none; }
@media (max-width: 899px) { .narrow { display: none; } .narrow-only { display: inline-block; } table.machines td.vendor { max-width: 110px; } }
tr.failing td { background: #fdf1f2; }
.host { font-weight: 600; overflow-wrap: anywhere; }
.empty { text-align: center; color: var(--muted); padding: 24px; }
.badge { display: inline-block; border-radius: 3px; padding: 0 6px; font-size: 12px; background: #eee; color: #333; }
.badge.ok { background: #e6f4e8; color: var(--ok); }
.badge.bad { background: #fbe7e9; color: var(--bad); }
.badge.lock { background: #fff3dc; color: #8a5300; }
.badge.warn { background: #fff3dc; color: #8a5300; }
.unknown { color: #8a5300; cursor: help; }
table.machines td .unknown { font-size: 12px; }
p.unknown-note { color: #8a5300; margin: 2px 0 6px; }
.status { display: inline-block; font-size: 12px; border-radius: 3px; padding: 1px 7px; background: #eee; font-weight: 500; vertical-align: middle; }
.status.s6 { background: #e4effa; color: #0b4f8f; }
.status.s4 { background: #e6f4e8; color: var(--ok); }
.status.s0 { background: #f0f0f0; color: #333; }
.status.s8 { background: #fbe7e9; color: var(--bad); }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.crumbs { margin: 0; color: var(--muted); }
.actions .buttons { display: flex; flex-wrap: wrap; gap: 8px; }
.actions .refused { color: var(--muted); margin: 10px 0 0; padding-left: 18px; font-size: 13px; }
.timeline { list-style: none; padding: 0; margin: 0; border-left: 2px solid var(--line); }
.timeline > li { padding: 0 0 12px 14px; position: relative; }
.timeline > li::before { content: ""; position: absolute; left: -6px; top: 5px; width: 10px; height: 10px; border-radius: 50%; background: var(--accent); }
.timeline time { font-weight: 600; }
.timeline ul { margin: 4px 0 0; padding-left: 18px; }
.change .area { display: inline-block; min-width: 62px; font-size: 11px; text-transform: uppercase; color: var(--muted); }
.change.removed { color: var(--bad); }
.change.added { color: var(--ok); }
details { margin-top: 14px; }
summary { cursor: pointer; color: var(--accent); }
.login { max-width: 360px; margin: 48px auto; background: var(--panel); border: 1px solid var(--line); padding: 20px 24px; border-radius: 3px; }
.login form { display: flex; flex-direction: column; gap: 12px; }
.login label { display: flex; flex-direction: column; gap: 4px; }
.hint { color: var(--muted); font-size: 12px; }
.confirm form { display: flex; gap: 12px; align-items: center; margin-top: 14px; }
`;
