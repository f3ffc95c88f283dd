/**
 * The playground's browser script (inlined into the page). Plain ES2020 for any current browser; it talks only to
 * the worker that served it (relative URLs), so the page works offline and behind any host name.
 * Written without template literals so that it can live in this TS string.
 */
import { MIN_LEGEND_SHARE } from '../draw/legend';

export const script = String.raw`
'use strict';
const $ = (id) => document.getElementById(id);
const state = { file: null, file2: null, models: [], skeletons: {}, seq: 0, photoUrl: null, photoUrl2: null };
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
  for (const m of state.models.filter((m) => m.task === spec().models)) {
    select.append(el('option', { value: m.id, title: m.accuracy, text: m.id + (m.default ? ' (default)' : '') }));
    if (m.default && !current) select.value = m.id;
  }
  if ([...select.options].some((o) => o.value === current)) select.value = current;
  else { const d = state.models.find((m) => m.task === spec().models && m.default); if (d) select.value = d.id; }
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

function setSecond(file) {
  if (!file) return;
  state.file2 = file;
  $('drop2-name').textContent = file.name + ' · ' + Math.round(file.size / 1024) + ' KB';
  syncControls();
  run();
}

/** Every option row of the form; a task shows the ones its entry in TASKS names. */
const OPTION_ROWS = ['threshold-row', 'topk-row', 'keypoint-row', 'people-row', 'second-row'];
const ready = () => (!!state.file || !!imageUrl()) && (!spec().pair || !!state.file2);

function syncControls() {
  const rows = spec().rows;
  for (const id of OPTION_ROWS) $(id).classList.toggle('hidden', !rows.includes(id));
  $('threshold-value').textContent = Number($('threshold').value).toFixed(2);
  $('keypoint-value').textContent = Number($('keypoint').value).toFixed(2);
  $('run').disabled = !ready();
}

/** The options the page sends for the current task (the API's names). */
function options() {
  const o = {};
  const m = state.models.find((x) => x.id === $('model').value);
  if (m && !m.default) o.model = m.id;
  spec().options(o);
  return o;
}

// ---- running --------------------------------------------------------------------------------------------------
async function run() {
  syncControls();
  if (!ready()) return;
  const t = task();
  const s = spec();
  const o = options();
  const seq = ++state.seq;
  const byUrl = !state.file;
  let init;
  if (byUrl && !s.pair) {
    init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(Object.assign({ image: imageUrl() }, o)) };
  } else {
    // A form: the photo (or its URL, which the API fetches), and for a pair the second photo as another image field.
    const body = new FormData();
    body.append('image', byUrl ? imageUrl() : state.file);
    if (s.pair) body.append('image', state.file2);
    for (const [k, v] of Object.entries(o)) body.set(k, String(v));
    init = { method: 'POST', body };
  }
  $('run').disabled = true;
  $('run').textContent = 'Running…';
  $('results').dataset.state = 'busy';
  const started = performance.now();
  try {
    const result = await api('/v1/' + s.endpoint, init);
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
  const s = spec();
  // similarity answers one size per image; the first is the photo on the stage
  const size = result.image || result.images[0];
  const W = size.width;
  const H = size.height;
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
  if (s.noun) {
    const count = s.count(result);
    side.append(el('h2', { text: count + ' ' + s.noun[count === 1 ? 0 : 1] }));
  }
  side.append(el('div', { class: 'meta' }, [result.model.id, el('br'), W + ' × ' + H + ' px']));
  $('overlay-toggle').classList.toggle('hidden', !s.overlay);
  await s.show(result, ctx, W, H, side);
  const t = result.timings;
  $('timings').replaceChildren(...[['decode', t.decode_ms], ['preprocess', t.preprocess_ms], ['inference', t.inference_ms], ['postprocess', t.postprocess_ms], ['encode', t.encode_ms], ['server total', t.total_ms], ['round trip', roundTrip]]
    .map(([name, v]) => el('span', {}, [name + ' ', el('b', { text: ms(v) })])));
  $('view').classList.remove('hidden');
  $('empty').classList.add('hidden');
}

// ---- the tasks: what each tab sends, and how it shows the answer ------------------------------------------------
function showClassify(result, ctx, W, H, side) {
  side.append(el('ul', { class: 'bars', 'data-testid': 'bars' }, result.predictions.map((p) =>
    el('li', { title: p.synset }, [el('span', { text: p.label }), el('span', { text: pct(p.score) }), el('div', { class: 'track' }, [el('div', { class: 'fill', style: 'width:' + Math.max(0.5, p.score * 100) + '%' })])]))));
}

function showDetect(result, ctx, W, H, side) {
  drawBoxes(ctx, result.detections, W, H);
  side.append(el('ul', { class: 'legend', 'data-testid': 'legend' }, result.detections.map((d) =>
    el('li', {}, [el('span', { class: 'swatch', style: 'background:' + hue(d.index) }), el('span', { text: d.label }), el('span', { class: 'num', text: pct(d.score) })]))));
  if (!result.detections.length) side.append(el('p', { class: 'meta', text: 'Nothing above the threshold: try a lower one.' }));
}

async function showSegment(result, ctx, W, H, side) {
  await drawMask(ctx, result, W, H);
  side.append(el('ul', { class: 'legend', 'data-testid': 'legend' }, result.segments.filter((s) => s.fraction >= ${MIN_LEGEND_SHARE}).map((s) =>
    el('li', {}, [el('span', { class: 'swatch', style: 'background:' + (s.index === 0 ? 'transparent' : s.color) }), el('span', { text: s.label }), el('span', { class: 'num', text: share(s.fraction) })]))));
}

async function showPose(result, ctx, W, H, side) {
  drawSkeletons(ctx, result.people, await skeleton(result.model.id), Number($('keypoint').value), W, H);
  side.append(el('ul', { class: 'legend', 'data-testid': 'people' }, result.people.map((p, i) => {
    const seen = p.keypoints.filter((k) => k.score >= Number($('keypoint').value)).length;
    return el('li', {}, [el('span', { class: 'swatch', style: 'background:' + hue(i) }), el('span', { text: 'person ' + (i + 1) + ' · ' + seen + '/17 joints' }), el('span', { class: 'num', text: pct(p.score) })]);
  })));
  if (!result.people.length) side.append(el('p', { class: 'meta', text: 'Nobody found in this photo.' }));
}

/** Plain words for a cosine similarity of this model's embeddings (0..1). */
const reading = (x) => x >= 0.9 ? 'the same picture' : x >= 0.75 ? 'very alike' : 'different';

async function showSimilar(result, ctx, W, H, side) {
  const x = result.matrix[0][1];
  if (state.photoUrl2) URL.revokeObjectURL(state.photoUrl2);
  state.photoUrl2 = URL.createObjectURL(state.file2);
  side.append(el('div', { class: 'similarity' }, [
    el('strong', { 'data-testid': 'similarity', text: x.toFixed(3) }),
    el('span', { 'data-testid': 'similarity-reading', text: reading(x) }),
  ]));
  side.append(el('div', { class: 'thumbs', 'data-testid': 'thumbs' }, [
    el('img', { src: $('photo').src, alt: 'the first photo' }),
    el('img', { src: state.photoUrl2, alt: 'the second photo' }),
  ]));
  side.append(el('p', { class: 'meta', text: 'cosine similarity of the two photos’ embeddings: 1 for the same picture, lower the less alike' }));
}

/**
 * Per tab: the models it lists (their task), the API path, the option rows it shows, the options it sends, how it
 * counts and shows the answer, and its SDK method and CLI command (the tab's name unless given). pair: two photos;
 * cliSkip: options the CLI has no flag for (left out of its command); cliOut: the CLI's picture, where it draws one.
 */
const TASKS = {
  classify: { models: 'classify', endpoint: 'classify', rows: ['topk-row'], noun: ['prediction', 'predictions'],
    options: (o) => { o.top_k = Number($('topk').value); }, count: (r) => r.predictions.length, show: showClassify },
  detect: { models: 'detect', endpoint: 'detect', rows: ['threshold-row'], noun: ['detection', 'detections'], overlay: true,
    options: (o) => { o.threshold = Number($('threshold').value); }, count: (r) => r.detections.length, show: showDetect },
  segment: { models: 'segment', endpoint: 'segment', rows: [], noun: ['class', 'classes'], overlay: true,
    options: () => {}, count: (r) => r.segments.length, show: showSegment },
  pose: { models: 'pose', endpoint: 'pose', rows: ['keypoint-row', 'people-row'], noun: ['person', 'people'], overlay: true,
    cliSkip: ['min_keypoint_score'], cliOut: ' --out skel.jpg',
    options: (o) => { o.min_keypoint_score = Number($('keypoint').value); o.max_people = Number($('people').value); }, count: (r) => r.people.length, show: showPose },
  similar: { models: 'embed', endpoint: 'similarity', sdk: 'similarity', rows: ['second-row'], pair: true,
    options: () => {}, show: showSimilar },
};
const spec = () => TASKS[task()];

/** A pose model's skeleton (pairs of keypoint indices), from GET /v1/models/{id}, asked once per model. */
async function skeleton(id) {
  if (!state.skeletons[id]) state.skeletons[id] = (await api('/v1/models/' + encodeURIComponent(id))).skeleton || [];
  return state.skeletons[id];
}

/** Limbs as lines in each person's colour, joints as dots; keypoints below the minimum score are left out. */
function drawSkeletons(ctx, people, edges, minScore, W, H) {
  const line = Math.max(2, Math.round(Math.max(W, H) / 220));
  ctx.lineCap = 'round';
  people.forEach((p, i) => {
    const k = p.keypoints;
    const seen = (j) => k[j] && k[j].score >= minScore;
    ctx.strokeStyle = hue(i);
    ctx.lineWidth = line;
    for (const [a, b] of edges) {
      if (!seen(a) || !seen(b)) continue;
      ctx.beginPath();
      ctx.moveTo(k[a].x, k[a].y);
      ctx.lineTo(k[b].x, k[b].y);
      ctx.stroke();
    }
    ctx.fillStyle = '#fff';
    for (let j = 0; j < k.length; j++) {
      if (!seen(j)) continue;
      ctx.beginPath();
      ctx.arc(k[j].x, k[j].y, line * 1.3, 0, Math.PI * 2);
      ctx.fill();
      ctx.stroke();
    }
  });
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
/** The SDK's argument for a photo: its URL as a string, or a file read from disk. */
const photoArg = (name, byUrl) => byUrl ? JSON.stringify(name).replace(/^"|"$/g, "'") : "await fromFile('" + name.replace(/'/g, "\\'") + "')";
const shq = (s) => /^[\w@%+=:,./-]+$/.test(s) ? s : "'" + s.replace(/'/g, "'\\''") + "'";

function snippets(t, o, byUrl) {
  const s = TASKS[t];
  const base = location.origin;
  const name = byUrl ? imageUrl() : state.file.name;
  const second = s.pair ? state.file2.name : null;
  const auth = apiKey() ? ' \\\n  -H "authorization: Bearer $CVKIT_API_KEY"' : '';
  let curl;
  if (byUrl && !s.pair) {
    curl = 'curl -s ' + base + '/v1/' + s.endpoint + auth + " \\\n  -H 'content-type: application/json' \\\n  -d " + shq(JSON.stringify(Object.assign({ image: name }, o)));
  } else {
    const fields = [byUrl ? 'image=' + name : 'image=@' + name].concat(second ? ['image=@' + second] : []);
    curl = 'curl -s ' + base + '/v1/' + s.endpoint + auth + ' \\\n  ' + fields.map((f) => '-F ' + shq(f)).join(' ') + Object.entries(o).map(([k, v]) => ' -F ' + shq(k + '=' + v)).join('');
  }
  const js = (v) => typeof v === 'string' ? "'" + v.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'" : String(v);
  const opts = Object.keys(o).length ? ', { ' + Object.entries(o).map(([k, v]) => k + ': ' + js(v)).join(', ') + ' }' : '';
  const sdk = "import { CVKit } from '@cvkit/sdk';\n" + (byUrl ? '' : "import { fromFile } from '@cvkit/sdk/node';\n") +
    "\nconst cv = new CVKit({ baseURL: '" + base + "'" + (apiKey() ? ', apiKey: process.env.CVKIT_API_KEY' : '') + ' });\n' +
    'const result = await cv.' + (s.sdk || t) + '(' + (s.pair ? '[' + [photoArg(name, byUrl), photoArg(second, false)].join(', ') + ']' : photoArg(name, byUrl)) + opts + ');';
  const flags = Object.entries(o).filter(([k]) => !(s.cliSkip || []).includes(k)).map(([k, v]) => ' --' + k.replace(/_/g, '-') + ' ' + shq(String(v))).join('');
  const cli = 'npx cvkit ' + t + ' ' + shq(name) + (second ? ' ' + shq(second) : '') + flags + (s.cliOut || '') + ' --base-url ' + base + (apiKey() ? ' --api-key "$CVKIT_API_KEY"' : '');
  $('curl').textContent = curl;
  $('sdk').textContent = sdk;
  $('cli').textContent = cli;
  $('code').classList.remove('hidden');
}

// ---- wiring ---------------------------------------------------------------------------------------------------
/** A drop zone: click or Enter picks a file, a dropped file is taken; each hands the file to "take". */
function dropZone(zone, input, take) {
  const drop = $(zone);
  drop.addEventListener('click', () => $(input).click());
  drop.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); $(input).click(); } });
  $(input).addEventListener('change', (e) => take(e.target.files[0]));
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); take(e.dataTransfer.files[0]); });
}
dropZone('drop', 'file', setFile);
dropZone('drop2', 'file2', setSecond);
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
$('keypoint').addEventListener('input', syncControls);
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
