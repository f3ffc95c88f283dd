/**
 * The API reference page (GET /docs), rendered on the server from the OpenAPI document into one self-contained
 * HTML page: inline CSS, no script, no fonts or assets from anywhere, so it works offline and in tests. A small
 * renderer for the parts of OpenAPI 3.1 this API uses (operations, parameters, bodies, responses, schemas).
 */
type Json = Record<string, unknown>;

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Inline markdown: `code`, **bold**, [text](url). */
function inline(text: string): string {
  return esc(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '<a href="$2">$1</a>');
}

/** Block markdown: paragraphs and pipe tables, what the document's descriptions use. */
export function markdown(text: string): string {
  const out: string[] = [];
  for (const block of text.split(/\n{2,}/)) {
    const lines = block.split('\n');
    if (lines.every((l) => l.trim().startsWith('|'))) {
      const cells = (l: string) => l.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
      const [head, , ...rows] = lines;
      out.push(`<table><thead><tr>${cells(head ?? '').map((c) => `<th>${inline(c)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${cells(r).map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`);
    } else out.push(`<p>${inline(block)}</p>`);
  }
  return out.join('\n');
}

const refName = (ref: string) => ref.split('/').pop() ?? ref;

/** A schema's type in a few words: `integer 1..100`, `"png" | "rle"`, `ModelInfo`, `string[]`. */
export function typeOf(schema: unknown): string {
  const s = obj(schema);
  if (typeof s.$ref === 'string') return refName(s.$ref);
  if ('const' in s) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  for (const k of ['anyOf', 'oneOf'] as const) if (Array.isArray(s[k])) return (s[k] as unknown[]).map(typeOf).filter((t) => t !== '').join(' | ');
  if (s.type === 'array') {
    const item = typeOf(s.items) || 'any';
    return item.includes(' | ') ? `(${item})[]` : `${item}[]`;
  }
  if (s.format === 'binary') return 'binary';
  const type = Array.isArray(s.type) ? s.type.join(' | ') : typeof s.type === 'string' ? s.type : s.additionalProperties && typeof s.additionalProperties === 'object' ? `map of ${typeOf(s.additionalProperties)}` : '';
  const lo = s.minimum ?? s.minItems;
  const hi = s.maximum ?? s.maxItems;
  const range = lo !== undefined && hi !== undefined && Math.abs(Number(hi)) < 1e15 ? ` ${lo}..${hi}` : '';
  return `${type}${range}`;
}

interface Row {
  name: string;
  type: string;
  required: boolean;
  description: string;
  default?: unknown;
}

/** An object schema's fields, nested objects flattened to dotted names (two levels), `$ref`s left as links. */
function rows(schema: unknown, prefix = '', depth = 0): Row[] {
  const s = obj(schema);
  const required = new Set(list(s.required).map(String));
  const out: Row[] = [];
  for (const [name, value] of Object.entries(obj(s.properties))) {
    const v = obj(value);
    out.push({ name: prefix + name, type: typeOf(v), required: required.has(name), description: typeof v.description === 'string' ? v.description : '', ...('default' in v ? { default: v.default } : {}) });
    if (depth < 2 && v.type === 'object' && v.properties) out.push(...rows(v, `${prefix}${name}.`, depth + 1));
    if (depth < 2 && v.type === 'array' && obj(v.items).properties) out.push(...rows(v.items, `${prefix}${name}[].`, depth + 1));
  }
  return out;
}

function typeCell(type: string): string {
  return esc(type).replace(/\b([A-Z][A-Za-z]+)\b/g, (m) => `<a href="#schema-${m}">${m}</a>`);
}

function table(r: Row[]): string {
  if (r.length === 0) return '';
  return `<table class="fields"><thead><tr><th>name</th><th>type</th><th>description</th></tr></thead><tbody>${r
    .map((x) => `<tr><td><code>${esc(x.name)}</code>${x.required ? ' <span class="req">required</span>' : ''}</td><td class="type">${typeCell(x.type)}${'default' in x ? `<div class="def">default <code>${esc(JSON.stringify(x.default))}</code></div>` : ''}</td><td>${inline(x.description)}</td></tr>`)
    .join('')}</tbody></table>`;
}

const example = (value: unknown, title = 'example') => `<details class="ex"><summary>${esc(title)}</summary><pre>${esc(JSON.stringify(value, null, 2))}</pre></details>`;

function content(media: Json): string {
  return Object.entries(media)
    .map(([type, m]) => {
      const mt = obj(m);
      const schema = obj(mt.schema);
      const fields = schema.properties ? table(rows(schema)) : `<p class="type">${typeCell(typeOf(schema)) || 'any'}</p>`;
      const exs = [...('example' in mt ? [example(mt.example)] : []), ...Object.entries(obj(mt.examples)).map(([k, e]) => example(obj(e).value, `example: ${obj(e).summary ?? k}`))];
      return `<div class="media"><div class="ctype">${esc(type)}</div>${fields}${exs.join('')}</div>`;
    })
    .join('');
}

function operation(path: string, method: string, op: Json): string {
  const id = `op-${esc(op.operationId ?? `${method}-${path}`)}`;
  const params = list(op.parameters).map(obj);
  const body = obj(op.requestBody);
  const responses = Object.entries(obj(op.responses));
  return `<section class="op" id="${id}">
<h2><span class="m m-${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h2>
<p class="summary">${inline(String(op.summary ?? ''))}</p>
${markdown(String(op.description ?? ''))}
${params.length ? `<h3>Parameters</h3>${table(params.map((p) => ({ name: `${p.name} (${p.in})`, type: typeOf(p.schema), required: p.required === true, description: String(p.description ?? ''), ...('default' in obj(p.schema) ? { default: obj(p.schema).default } : {}) })))}` : ''}
${op.requestBody ? `<h3>Request body</h3>${markdown(String(body.description ?? ''))}${content(obj(body.content))}` : ''}
<h3>Responses</h3>
${responses.map(([status, r]) => `<div class="resp"><div class="status s${esc(status[0])}">${esc(status)}</div><div>${markdown(String(obj(r).description ?? ''))}${content(obj(obj(r).content))}</div></div>`).join('\n')}
</section>`;
}

const CSS = `
:root{--fg:#1d2330;--mut:#5b6475;--bd:#e3e6ec;--bg:#fff;--side:#f6f7f9;--code:#f1f3f6;--acc:#2457d6}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
nav{position:fixed;top:0;bottom:0;left:0;width:260px;overflow:auto;background:var(--side);border-right:1px solid var(--bd);padding:20px 16px}
nav h1{font-size:20px;margin:0 0 4px}nav .ver{color:var(--mut);font-size:13px;margin-bottom:16px}
nav h4{margin:16px 0 6px;font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:var(--mut)}
nav a{display:flex;gap:6px;align-items:center;padding:3px 4px;border-radius:4px;color:var(--fg);text-decoration:none;font-size:13px}nav a:hover{background:#e9ecf1}
main{margin-left:260px;padding:24px 40px;max-width:1100px}
code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--code);padding:1px 4px;border-radius:3px}
pre{background:#0f1522;color:#e6e9ef;padding:12px;border-radius:6px;overflow:auto;font:12.5px/1.45 ui-monospace,Menlo,Consolas,monospace}
table{border-collapse:collapse;width:100%;margin:8px 0 12px;font-size:14px}th,td{border-bottom:1px solid var(--bd);padding:6px 8px;text-align:left;vertical-align:top}th{font-size:12px;color:var(--mut);text-transform:uppercase}
td.type,p.type{font:13px ui-monospace,Menlo,Consolas,monospace;color:#6a3fb5;max-width:280px;word-break:break-word}.def{color:var(--mut);font-size:12px}
.req{font-size:11px;color:#b3261e}
.op{border-top:1px solid var(--bd);padding:18px 0 8px}.op h2{font-size:20px;margin:0 0 4px;display:flex;align-items:center;gap:10px}.op h2 code{font-size:18px;background:none}
.summary{font-weight:600;margin:4px 0}
.m{display:inline-block;min-width:46px;text-align:center;font:700 11px ui-monospace,Menlo,monospace;color:#fff;border-radius:4px;padding:3px 6px}.m-get{background:#1f8a4c}.m-post{background:#2457d6}
.media{border:1px solid var(--bd);border-radius:6px;padding:8px 12px;margin:8px 0}.ctype{font:600 12px ui-monospace,Menlo,monospace;color:var(--mut)}
.resp{display:grid;grid-template-columns:56px 1fr;gap:8px;margin:6px 0}.status{font:700 14px ui-monospace,Menlo,monospace;padding-top:2px}.s2{color:#1f8a4c}.s4{color:#b26a00}.s5{color:#b3261e}
.resp p{margin:2px 0}details.ex summary{cursor:pointer;color:var(--acc);font-size:13px}
.schema{border-top:1px solid var(--bd);padding:12px 0}.schema h3{margin:0;font:600 16px ui-monospace,Menlo,monospace}
a{color:var(--acc)}`;

/** The whole page for an OpenAPI document. */
export function renderDocs(doc: Json): string {
  const info = obj(doc.info);
  const ops: Array<{ path: string; method: string; op: Json }> = [];
  for (const [path, item] of Object.entries(obj(doc.paths))) for (const [method, op] of Object.entries(obj(item))) ops.push({ path, method, op: obj(op) });
  const tags = list(doc.tags).map(obj);
  const nav = tags
    .map((t) => `<h4>${esc(t.name)}</h4>${ops.filter((o) => list(o.op.tags).includes(t.name)).map((o) => `<a href="#op-${esc(o.op.operationId)}"><span class="m m-${esc(o.method)}">${esc(o.method.toUpperCase())}</span>${esc(o.path)}</a>`).join('')}`)
    .join('');
  const schemas = Object.entries(obj(obj(doc.components).schemas));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(info.title)} API reference</title><style>${CSS}</style></head>
<body>
<nav><h1>${esc(info.title)}</h1><div class="ver">v${esc(info.version)} · OpenAPI ${esc(doc.openapi)} · <a href="/openapi.json">openapi.json</a></div>${nav}<h4>schemas</h4>${schemas.map(([n]) => `<a href="#schema-${esc(n)}">${esc(n)}</a>`).join('')}</nav>
<main>
<h1>${esc(info.title)} API reference</h1>
${markdown(String(info.description ?? ''))}
${ops.map((o) => operation(o.path, o.method, o.op)).join('\n')}
<h2>Schemas</h2>
${schemas.map(([name, s]) => `<section class="schema" id="schema-${esc(name)}"><h3>${esc(name)}</h3>${obj(s).properties ? table(rows(s)) : `<p class="type">${typeCell(typeOf(s))}</p>`}</section>`).join('\n')}
</main></body></html>`;
}
