/** The playground's stylesheet (inlined into the page: no external asset, works offline). */
export const style = `
:root { --ink: #1c2230; --muted: #5d6678; --line: #dde1e8; --bg: #f6f7f9; --accent: #2f5bea; --bad: #b3261e; color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
header { display: flex; align-items: baseline; gap: 12px; padding: 14px 24px; background: #fff; border-bottom: 1px solid var(--line); }
header h1 { margin: 0; font-size: 18px; }
header span { color: var(--muted); }
header nav { margin-left: auto; display: flex; gap: 14px; }
header a { color: var(--accent); text-decoration: none; }
main { display: grid; grid-template-columns: 320px minmax(0, 1fr); gap: 20px; padding: 20px 24px; align-items: start; }
.panel { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 16px; }
form.panel { display: flex; flex-direction: column; gap: 12px; position: sticky; top: 12px; }
label { display: flex; flex-direction: column; gap: 4px; font-weight: 600; font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
label.inline { flex-direction: row; align-items: center; gap: 8px; text-transform: none; letter-spacing: 0; font-size: 13px; color: var(--ink); font-weight: 500; }
input, select, button { font: inherit; }
input[type=text], input[type=url], input[type=password], input[type=number], select { padding: 7px 9px; border: 1px solid var(--line); border-radius: 7px; background: #fff; color: var(--ink); font-weight: 400; text-transform: none; letter-spacing: 0; }
.tasks { display: grid; grid-template-columns: repeat(5, 1fr); border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
.tasks label { flex-direction: row; justify-content: center; padding: 7px 0; cursor: pointer; font-size: 12px; text-transform: none; letter-spacing: 0; color: var(--ink); }
.tasks label + label { border-left: 1px solid var(--line); }
.tasks input { position: absolute; opacity: 0; pointer-events: none; }
.tasks label:has(input:checked) { background: var(--accent); color: #fff; }
.drop { border: 2px dashed var(--line); border-radius: 10px; padding: 16px 10px; text-align: center; color: var(--muted); cursor: pointer; background: #fafbfc; }
.drop.over { border-color: var(--accent); background: #eef2ff; }
.drop strong { color: var(--ink); display: block; word-break: break-all; }
.drop input { display: none; }
.or { text-align: center; color: var(--muted); font-size: 12px; margin: -4px 0; }
input[type=range] { width: 100%; accent-color: var(--accent); }
.row { display: flex; justify-content: space-between; align-items: baseline; }
.hidden { display: none !important; }
button.run { padding: 10px; border: 0; border-radius: 8px; background: var(--accent); color: #fff; font-weight: 600; cursor: pointer; }
button.run:disabled { opacity: .55; cursor: default; }
details summary { cursor: pointer; color: var(--muted); font-size: 13px; }
details label { margin-top: 8px; }
.results { display: flex; flex-direction: column; gap: 16px; min-width: 0; }
.empty { color: var(--muted); text-align: center; padding: 60px 20px; }
.error { border-color: #f1c4c0; background: #fff6f5; color: var(--bad); }
.error h2 { margin: 0 0 4px; font-size: 15px; }
.error p { margin: 0; color: var(--ink); }
.error code { color: var(--muted); font-size: 12px; }
.view { display: grid; grid-template-columns: minmax(0, 1fr) 260px; gap: 16px; align-items: start; }
.frame { display: flex; justify-content: center; background: #eceef2; border-radius: 8px; }
.stage { position: relative; display: inline-block; line-height: 0; max-width: 100%; }
.stage img { display: block; max-width: 100%; max-height: 72vh; }
.side h2 { margin: 0 0 8px; font-size: 14px; }
.side .meta { color: var(--muted); font-size: 12px; margin-bottom: 12px; overflow-wrap: anywhere; }
.hint { font-weight: 400; text-transform: none; letter-spacing: 0; font-size: 12px; }
.bars { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }
.bars li { display: grid; grid-template-columns: 1fr auto; gap: 2px 8px; font-size: 13px; }
.bars .track { grid-column: 1 / -1; height: 8px; background: #e7eaf0; border-radius: 4px; overflow: hidden; }
.bars .fill { height: 100%; background: var(--accent); border-radius: 4px; }
.legend { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 6px; font-size: 13px; }
.legend li { display: flex; align-items: center; gap: 8px; }
.legend .swatch { width: 14px; height: 14px; border-radius: 3px; flex: none; border: 1px solid rgba(0,0,0,.15); }
.legend .num { margin-left: auto; color: var(--muted); font-variant-numeric: tabular-nums; }
.similarity { display: flex; align-items: baseline; gap: 10px; margin-bottom: 12px; }
.similarity strong { font-size: 28px; font-variant-numeric: tabular-nums; }
.similarity span { color: var(--muted); font-size: 15px; }
.thumbs { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; }
.thumbs img { width: 100%; aspect-ratio: 1; object-fit: cover; border-radius: 6px; background: #eceef2; }
.timings { display: flex; flex-wrap: wrap; gap: 6px 16px; font-size: 12px; color: var(--muted); font-variant-numeric: tabular-nums; }
.timings b { color: var(--ink); font-weight: 600; }
.code { display: grid; grid-template-columns: minmax(0, 1fr); gap: 14px; }
.code > div { min-width: 0; }
.code h3 { margin: 0 0 6px; font-size: 13px; display: flex; justify-content: space-between; align-items: center; }
.code button { font-size: 12px; padding: 2px 10px; border: 1px solid var(--line); border-radius: 6px; background: #fff; cursor: pointer; }
pre { margin: 0; padding: 10px 12px; background: #1c2230; color: #e6e9f0; border-radius: 8px; font: 12px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: pre; overflow-x: auto; }
@media (max-width: 900px) { main, .view, .code { grid-template-columns: 1fr; } form.panel { position: static; } }
`;
