/**
 * The playground's browser script (inlined into the page). Plain ES2020 for any current browser; it talks only to
 * the worker that served it (relative URLs), so the page works offline and behind any host name.
 * Written without template literals so that it can live in this TS string.
 */
import { MIN_LEGEND_SHARE } from '../draw/legend';

export const script = String.raw`
'use strict';
const $ = (id) => document.getElementById(id);
const state = { file: null, models: [], seq: 0, photoUrl: null };
const form = $('form');

function el(tag, attrs, children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'text') node.textContent = v;
    else if (k === 'style') node.style.cssText = v;
    else node.setAttribute(k, v);
  }
  for (const child of children || []) node.append(child);
  return node;
}

const task = () => form.elements.task.value;
const apiKey = () => $('key').value.trim();
const imageUrl = () => $('url').value.trim();
const pct = (x) => (x * 100).toFixed(1) + '%';
// Shares of the image: the pictures' rule (draw/legend.ts), specks left out.
const share = (x) => Math.round(x * 100) + '%';
const ms = (x) => (Math.round(x * 10) / 10) + ' ms';

function headers(extra) {
  const h = Object.assign({}, extra || {});
  if (apiKey()) h.authorization = 'Bearer ' + apiKey();
  return h;
}

/** A fetch whose failures are one shape: { code, message, status, request_id }. */
async function api(path, init) {
  let res;
  try {
    res = await fetch(path, Object.assign({}, init, { headers: headers(init && init.headers) }));
  } catch (err) {
    throw { code: 'connection_error', message: 'Could not reach the API: ' + err.message };
  }
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch (_) { body = undefined; }
  if (!res.ok) {
    const e = (body && body.error) || { code: 'http_' + res.status, message: text.slice(0, 200) || res.statusText };
    throw Object.assign({ status: res.status, request_id: res.headers.get('x-request-id') }, e);
  }
  return body;
}

// ---- models ---------------------------------------------------------------------------------------------------
async function loadModels() {
  try {
    state.models = (await api('/v1/models')).models;
    fillModels();
    hideError();
  } catch (err) {
    state.models = [];
    fillModels();
    showError(err);
  }
}

function fillModels() {
  const select = $('model');
  const current = select.value;
  select.replaceChildren();
  for (const m of state.models.filter((m) => m.task === task())) {
    select.append(el('option', { value: m.id, title: m.accuracy, text: m.id + (m.default ? ' (default)' : '') }));
    if (m.default && !current) select.value = m.id;
  }
  if ([...select.options].some((o) => o.value === current)) select.value = current;
  else { const d = state.models.find((m) => m.task === task() && m.default); if (d) select.value = d.id; }
}

// ---- inputs ---------------------------------------------------------------------------------------------------
function setFile(file) {
  if (!file) return;
  state.file = file;
  $('url').value = '';
  $('drop-name').textContent = file.name + ' · ' + Math.round(file.size / 1024) + ' KB';
  syncControls();
  run();
}

function syncControls() {
  const t = task();
  $('threshold-row').classList.toggle('hidden', t !== 'detect');
  $('topk-row').classList.toggle('hidden', t !== 'classify');
  $('threshold-value').textContent = Number($('threshold').value).toFixed(2);
  $('run').disabled = !state.file && !imageUrl();
}

/** The options the page sends for the current task (the API's names). */
function options() {
  const t = task();
  const o = {};
  const m = state.models.find((x) => x.id === $('model').value);
  if (m && !m.default) o.model = m.id;
  if (t === 'detect') o.threshold = Number($('threshold').value);
  if (t === 'classify') o.top_k = Number($('topk').value);
  return o;
}

// ---- running --------------------------------------------------------------------------------------------------
async function run() {
  syncControls();
  if (!state.file && !imageUrl()) return;
  const t = task();
  const o = options();
  const seq = ++state.seq;
  const byUrl = !state.file;
  let init;
  if (byUrl) {
    init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(Object.assign({ image: imageUrl() }, o)) };
  } else {
    const body = new FormData();
    body.set('image', state.file);
    for (const [k, v] of Object.entries(o)) body.set(k, String(v));
    init = { method: 'POST', body };
  }
  $('run').disabled = true;
  $('run').textContent = 'Running…';
  $('results').dataset.state = 'busy';
  const started = performance.now();
  try {
    const result = await api('/v1/' + t, init);
    if (seq !== state.seq) return;
    hideError();
    await render(result, performance.now() - started, byUrl ? imageUrl() : null);
    snippets(t, o, byUrl);
    $('results').dataset.state = 'done';
    $('results').dataset.task = t;
  } catch (err) {
    if (seq !== state.seq) return;
    showError(err);
    $('results').dataset.state = 'error';
  } finally {
    if (seq === state.seq) { $('run').textContent = 'Run'; syncControls(); }
  }
}

function showError(err) {
  const box = $('error');
  const where = [err.status ? 'HTTP ' + err.status : null, err.code, err.request_id ? 'request id ' + err.request_id : null].filter(Boolean).join(' · ');
  let hint = '';
  if (err.code === 'unauthorized') hint = ' Enter an API key under “API key” on the left.';
  box.replaceChildren(el('h2', { text: err.code === 'connection_error' ? 'The API did not answer' : 'The API refused this request' }), el('p', { text: (err.message || String(err)) + hint }), el('code', { text: where }));
  box.classList.remove('hidden');
  $('view').classList.add('hidden');
  $('empty').classList.add('hidden');
}

function hideError() { $('error').classList.add('hidden'); }

// ---- drawing --------------------------------------------------------------------------------------------------
const hue = (i) => 'hsl(' + ((i * 47) % 360) + ' 80% 42%)';

function loadImage(src) {
  return new Promise((ok) => {
    const img = new Image();
    img.onload = () => ok(img);
    img.onerror = () => ok(null);
    img.src = src;
  });
}

async function render(result, roundTrip, url) {
  const W = result.image.width;
  const H = result.image.height;
  if (state.photoUrl) URL.revokeObjectURL(state.photoUrl);
  state.photoUrl = url ? null : URL.createObjectURL(state.file);
  const photo = $('photo');
  const img = await loadImage(url || state.photoUrl);
  // A photo the browser cannot show (a URL it cannot reach): a grey area of the image's shape instead.
  if (img) { photo.src = img.src; photo.classList.remove('hidden'); $('stage').style.cssText = ''; }
  else { photo.classList.add('hidden'); $('stage').style.cssText = 'width:100%;aspect-ratio:' + W + ' / ' + H; }
  const canvas = $('overlay');
  canvas.width = W;
  canvas.height = H;
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, W, H);
  const side = $('side');
  side.replaceChildren();
  const count = result.predictions ? result.predictions.length : result.detections ? result.detections.length : result.segments.length;
  const noun = result.task === 'classify' ? 'prediction' : result.task === 'detect' ? 'detection' : 'class';
  side.append(el('h2', { text: count + ' ' + noun + (count === 1 ? '' : noun === 'class' ? 'es' : 's') }));
  side.append(el('div', { class: 'meta' }, [result.model.id, el('br'), W + ' × ' + H + ' px']));
  $('overlay-toggle').classList.toggle('hidden', result.task === 'classify');

  if (result.task === 'classify') {
    side.append(el('ul', { class: 'bars', 'data-testid': 'bars' }, result.predictions.map((p) =>
      el('li', { title: p.synset }, [el('span', { text: p.label }), el('span', { text: pct(p.score) }), el('div', { class: 'track' }, [el('div', { class: 'fill', style: 'width:' + Math.max(0.5, p.score * 100) + '%' })])]))));
  } else if (result.task === 'detect') {
    drawBoxes(ctx, result.detections, W, H);
    side.append(el('ul', { class: 'legend', 'data-testid': 'legend' }, result.detections.map((d) =>
      el('li', {}, [el('span', { class: 'swatch', style: 'background:' + hue(d.index) }), el('span', { text: d.label }), el('span', { class: 'num', text: pct(d.score) })]))));
    if (!result.detections.length) side.append(el('p', { class: 'meta', text: 'Nothing above the threshold: try a lower one.' }));
  } else {
    await drawMask(ctx, result, W, H);
    side.append(el('ul', { class: 'legend', 'data-testid': 'legend' }, result.segments.filter((s) => s.fraction >= ${MIN_LEGEND_SHARE}).map((s) =>
      el('li', {}, [el('span', { class: 'swatch', style: 'background:' + (s.index === 0 ? 'transparent' : s.color) }), el('span', { text: s.label }), el('span', { class: 'num', text: share(s.fraction) })]))));
  }
  const t = result.timings;
  $('timings').replaceChildren(...[['decode', t.decode_ms], ['preprocess', t.preprocess_ms], ['inference', t.inference_ms], ['postprocess', t.postprocess_ms], ['encode', t.encode_ms], ['server total', t.total_ms], ['round trip', roundTrip]]
    .map(([name, v]) => el('span', {}, [name + ' ', el('b', { text: ms(v) })])));
  $('view').classList.remove('hidden');
  $('empty').classList.add('hidden');
}

/** Boxes with their labels; a label that would cover another is moved down (or up) until it is free. */
function drawBoxes(ctx, detections, W, H) {
  const line = Math.max(2, Math.round(Math.max(W, H) / 320));
  const size = Math.max(12, Math.round(Math.max(W, H) / 42));
  ctx.font = '600 ' + size + 'px system-ui, sans-serif';
  ctx.textBaseline = 'top';
  const placed = [];
  const overlaps = (r) => placed.some((p) => r.x < p.x + p.w && p.x < r.x + r.w && r.y < p.y + p.h && p.y < r.y + r.h);
  for (const d of detections) {
    const b = d.box;
    ctx.strokeStyle = hue(d.index);
    ctx.lineWidth = line;
    ctx.strokeRect(b.x1 + line / 2, b.y1 + line / 2, Math.max(1, b.x2 - b.x1 - line), Math.max(1, b.y2 - b.y1 - line));
  }
  for (const d of detections) {
    const b = d.box;
    const text = d.label + ' ' + d.score.toFixed(2);
    const w = ctx.measureText(text).width + size * 0.6;
    const h = size * 1.35;
    const start = b.y1 - h >= 0 ? b.y1 - h : b.y1;
    const r = { x: Math.min(Math.max(0, b.x1), Math.max(0, W - w)), y: start, w, h };
    // Candidate rows: the natural one, then downwards, then upwards, one tag height apart.
    const below = Math.max(0, Math.floor((H - h - start) / (h + 1)));
    for (let k = 1; overlaps(r) && k < 100; k++) {
      const y = k <= below ? start + k * (h + 1) : start - (k - below) * (h + 1);
      if (y < 0) { r.y = start; break; }
      r.y = y;
    }
    placed.push(r);
    ctx.fillStyle = hue(d.index);
    ctx.fillRect(r.x, r.y, r.w, r.h);
    ctx.fillStyle = '#fff';
    ctx.fillText(text, r.x + size * 0.3, r.y + size * 0.18);
  }
}

/** The PNG class map (pixel value = class index) coloured with each segment's colour, blended over the photo. */
async function drawMask(ctx, result, W, H) {
  if (result.mask.encoding !== 'png') return;
  const img = await loadImage(result.mask.data_url);
  if (!img) return;
  const off = document.createElement('canvas');
  off.width = result.mask.width;
  off.height = result.mask.height;
  const octx = off.getContext('2d', { willReadFrequently: true });
  octx.drawImage(img, 0, 0);
  const data = octx.getImageData(0, 0, off.width, off.height);
  const colours = new Map(result.segments.filter((s) => s.index !== 0).map((s) => [s.index, [1, 3, 5].map((i) => parseInt(s.color.slice(i, i + 2), 16))]));
  const px = data.data;
  for (let i = 0; i < px.length; i += 4) {
    const c = colours.get(px[i]);
    if (c) { px[i] = c[0]; px[i + 1] = c[1]; px[i + 2] = c[2]; px[i + 3] = 150; } else px[i + 3] = 0;
  }
  octx.putImageData(data, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off, 0, 0, W, H);
}

// ---- the same call elsewhere ----------------------------------------------------------------------------------
const shq = (s) => /^[\w@%+=:,./-]+$/.test(s) ? s : "'" + s.replace(/'/g, "'\\''") + "'";

function snippets(t, o, byUrl) {
  const base = location.origin;
  const name = byUrl ? imageUrl() : state.file.name;
  const auth = apiKey() ? ' \\\n  -H "authorization: Bearer $CVKIT_API_KEY"' : '';
  let curl;
  if (byUrl) {
    curl = 'curl -s ' + base + '/v1/' + t + auth + " \\\n  -H 'content-type: application/json' \\\n  -d " + shq(JSON.stringify(Object.assign({ image: name }, o)));
  } else {
    curl = 'curl -s ' + base + '/v1/' + t + auth + ' \\\n  -F ' + shq('image=@' + name) + Object.entries(o).map(([k, v]) => ' -F ' + shq(k + '=' + v)).join('');
  }
  const js = (v) => typeof v === 'string' ? "'" + v.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'" : String(v);
  const opts = Object.keys(o).length ? ', { ' + Object.entries(o).map(([k, v]) => k + ': ' + js(v)).join(', ') + ' }' : '';
  const sdk = "import { CVKit } from '@cvkit/sdk';\n" + (byUrl ? '' : "import { fromFile } from '@cvkit/sdk/node';\n") +
    "\nconst cv = new CVKit({ baseURL: '" + base + "'" + (apiKey() ? ', apiKey: process.env.CVKIT_API_KEY' : '') + ' });\n' +
    'const result = await cv.' + t + '(' + (byUrl ? JSON.stringify(name).replace(/^"|"$/g, "'") : "await fromFile('" + name.replace(/'/g, "\\'") + "')") + opts + ');';
  const flags = Object.entries(o).map(([k, v]) => ' --' + k.replace(/_/g, '-') + ' ' + shq(String(v))).join('');
  const cli = 'npx cvkit ' + t + ' ' + shq(name) + flags + ' --base-url ' + base + (apiKey() ? ' --api-key "$CVKIT_API_KEY"' : '');
  $('curl').textContent = curl;
  $('sdk').textContent = sdk;
  $('cli').textContent = cli;
  $('code').classList.remove('hidden');
}

// ---- wiring ---------------------------------------------------------------------------------------------------
const drop = $('drop');
drop.addEventListener('click', () => $('file').click());
drop.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); $('file').click(); } });
$('file').addEventListener('change', (e) => setFile(e.target.files[0]));
drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); setFile(e.dataTransfer.files[0]); });
document.addEventListener('paste', (e) => {
  const file = [...(e.clipboardData ? e.clipboardData.files : [])][0];
  if (file) { e.preventDefault(); setFile(file); }
});
$('url').addEventListener('input', () => {
  if (imageUrl()) { state.file = null; $('file').value = ''; $('drop-name').textContent = 'Drop a photo here, paste one, or click to pick'; }
  syncControls();
});
for (const input of form.elements.task) input.addEventListener('change', () => { fillModels(); syncControls(); run(); });
$('threshold').addEventListener('input', syncControls);
$('key').addEventListener('change', loadModels);
$('show-overlay').addEventListener('change', (e) => { $('overlay').style.visibility = e.target.checked ? 'visible' : 'hidden'; });
form.addEventListener('submit', (e) => { e.preventDefault(); run(); });
for (const btn of document.querySelectorAll('[data-copy]')) {
  btn.addEventListener('click', async () => {
    try { await navigator.clipboard.writeText($(btn.dataset.copy).textContent); btn.textContent = 'Copied'; } catch (_) { btn.textContent = 'Select and copy'; }
    setTimeout(() => { btn.textContent = 'Copy'; }, 1500);
  });
}
syncControls();
loadModels();
`;
