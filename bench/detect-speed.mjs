#!/usr/bin/env node
/**
 * Detection speed in the real worker (workerd via wrangler dev): per detector, the first request (session
 * creation included), then interleaved rounds on a ~1024 px JPEG reporting the worker's own stage timings
 * (in-isolate inference) and the end-to-end request time seen by the client on loopback.
 *
 *   npm run models && node bench/detect-speed.mjs [--url http://127.0.0.1:8787] [--rounds 9] [--image path]
 * Without --url it starts `wrangler dev` on a free port and stops it afterwards.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const rounds = Number(arg('rounds', 9));
const imagePath = arg('image', resolve(root, '../shared/fixtures/images/kite_and_cold.jpg'));
const image = readFileSync(imagePath);
const manifest = JSON.parse(readFileSync(join(root, 'packages/worker/src/models/manifest.json'), 'utf8'));
const detectors = manifest.models.filter((m) => m.task === 'detect').map((m) => m.id);

const freePort = () =>
  new Promise((ok) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });

async function startWorker() {
  const port = await freePort();
  const child = spawn('npx', ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(await freePort()), '--show-interactive-dev-session=false'], {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true', NO_COLOR: '1' },
    stdio: 'ignore',
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 360; i++) {
    try {
      if ((await fetch(`${url}/health`)).ok) return { url, stop: () => process.kill(-child.pid, 'SIGTERM') };
    } catch {}
    await new Promise((ok) => setTimeout(ok, 250));
  }
  process.kill(-child.pid, 'SIGTERM');
  throw new Error('wrangler dev did not start');
}

async function detect(url, model, query = '', accept = 'application/json') {
  const t = performance.now();
  const res = await fetch(`${url}/v1/detect?model=${model}${query}`, { method: 'POST', headers: { 'content-type': 'image/jpeg', accept }, body: image });
  const body = accept === 'application/json' ? await res.json() : await res.arrayBuffer();
  const e2e = performance.now() - t;
  if (!res.ok) throw new Error(`${model}: HTTP ${res.status} ${JSON.stringify(body)}`);
  const timings = accept === 'application/json'
    ? body.timings
    : Object.fromEntries(res.headers.get('server-timing').split(', ').map((p) => [`${p.split(';')[0]}_ms`, Number(p.split('dur=')[1])]));
  return { e2e, timings, count: accept === 'application/json' ? body.detections.length : Number(res.headers.get('x-detections')) };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const r1 = (x) => Math.round(x * 10) / 10;

const given = arg('url');
const worker = given ? { url: given, stop: () => {} } : await startWorker();
try {
  const first = {};
  for (const id of detectors) first[id] = await detect(worker.url, id);
  const samples = Object.fromEntries(detectors.map((id) => [id, []]));
  const annotated = Object.fromEntries(detectors.map((id) => [id, []]));
  for (let r = 0; r < rounds; r++) {
    for (const id of detectors) samples[id].push(await detect(worker.url, id));
    for (const id of detectors) annotated[id].push(await detect(worker.url, id, '&format=image', 'image/jpeg'));
  }
  console.log(`${imagePath.split('/').pop()}, ${image.byteLength} bytes, ${rounds} interleaved rounds, medians in ms`);
  console.log('| model | first request (session creation) | decode | preprocess | inference (in isolate) | postprocess | total in worker | end to end (JSON) | encode (annotated JPEG) | end to end (annotated JPEG) | detections |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const id of detectors) {
    const s = samples[id];
    const m = (k) => r1(median(s.map((x) => x.timings[k])));
    const a = annotated[id];
    console.log(`| ${id} | ${r1(first[id].e2e)} | ${m('decode_ms')} | ${m('preprocess_ms')} | ${m('inference_ms')} | ${m('postprocess_ms')} | ${m('total_ms')} | ${r1(median(s.map((x) => x.e2e)))} | ${r1(median(a.map((x) => x.timings.encode_ms)))} | ${r1(median(a.map((x) => x.e2e)))} | ${s[0].count} |`);
  }
} finally {
  worker.stop();
}
