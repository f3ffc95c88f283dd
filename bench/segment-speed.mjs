#!/usr/bin/env node
/**
 * Segmentation speed and quality inside workerd: starts the worker with wrangler dev (as `npm start` does), sends
 * the fixture photos to POST /v1/segment with every segmentation model, interleaved, and reports medians of the
 * worker's own timings (inference_ms, total_ms) and of the client's round trip, plus each model's agreement with
 * the reference mask (bird_segmentation_mask.png) and with the strongest model (deeplabv3_mnv2_pascal_quant).
 *
 *   npm run models && node bench/segment-speed.mjs [--rounds 5]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PhotonImage } from '@cf-wasm/photon';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = process.env.CVKIT_FIXTURES ?? resolve(root, '../shared/fixtures/images');
const args = process.argv.slice(2);
const rounds = Number(args.includes('--rounds') ? args[args.indexOf('--rounds') + 1] : 5);
const MODELS = ['deeplabv3_mnv2_dm05_pascal_quant', 'deeplabv3_mnv2_pascal_quant', 'deeplab_v3_1_default_1'];
const STRONGEST = 'deeplabv3_mnv2_pascal_quant';
const PHOTOS = ['bird_segmentation.png', 'dog_segmentation.png', 'cat.png', 'grace_hopper.png', 'pets.jpg', 'kite_and_cold.jpg', 'parrot.jpg'];

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
  process.kill(-child.pid, 'SIGKILL');
  throw new Error('wrangler dev did not start');
}

function classMap(dataUrl) {
  const image = PhotonImage.new_from_byteslice(new Uint8Array(Buffer.from(dataUrl.split(',')[1], 'base64')));
  const rgba = image.get_raw_pixels();
  const n = image.get_width() * image.get_height();
  image.free();
  return Uint8Array.from({ length: n }, (_, i) => rgba[i * 4]);
}

/** Mean IoU over the classes present in either map (background included). */
function meanIoU(a, b) {
  const inter = new Float64Array(256);
  const union = new Float64Array(256);
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) {
      inter[a[i]]++;
      union[a[i]]++;
    } else {
      union[a[i]]++;
      union[b[i]]++;
    }
  }
  const ious = [];
  for (let c = 0; c < 256; c++) if (union[c] > 0) ious.push(inter[c] / union[c]);
  return ious.reduce((x, y) => x + y, 0) / ious.length;
}

function iou(a, b, c) {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === c && b[i] === c) inter++;
    if (a[i] === c || b[i] === c) union++;
  }
  return inter / union;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x) => Math.round(x * 10) / 10;

const worker = await startWorker();
try {
  const post = async (photo, query) => {
    const t = performance.now();
    const res = await fetch(`${worker.url}/v1/segment?${query}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: readFileSync(join(fixtures, photo)) });
    const body = query.includes('format=image') ? await res.arrayBuffer() : await res.json();
    if (!res.ok) throw new Error(`${photo} ${query}: ${JSON.stringify(body)}`);
    return { body, ms: performance.now() - t, res };
  };
  // Warm up: the first request per model creates its session (and the first one compiles ORT's wasm).
  const firstRequest = {};
  for (const model of MODELS) firstRequest[model] = round((await post('cat.png', `model=${model}&mask=none`)).ms);

  const samples = {};
  const maps = {};
  for (let r = 0; r < rounds; r++) {
    for (const photo of PHOTOS) {
      for (const model of MODELS) {
        const { body, ms } = await post(photo, `model=${model}`);
        const key = `${model}|${photo}`;
        (samples[key] ??= []).push({ inference: body.timings.inference_ms, total: body.timings.total_ms, encode: body.timings.encode_ms, client: ms });
        if (r === 0) maps[key] = { map: classMap(body.mask.data_url), main: body.segments.find((s) => s.index !== 0)?.index ?? 0, top: body.segments.filter((s) => s.index !== 0).slice(0, 2).map((s) => `${s.label} ${Math.round(s.fraction * 100)}%`).join(', ') };
      }
    }
  }
  const imageTimes = {};
  for (const model of MODELS) {
    const xs = [];
    for (let r = 0; r < rounds; r++) xs.push((await post('kite_and_cold.jpg', `model=${model}&format=image`)).ms);
    imageTimes[model] = round(median(xs));
  }

  const reference = (() => {
    const image = PhotonImage.new_from_byteslice(readFileSync(join(fixtures, 'bird_segmentation_mask.png')));
    const rgba = image.get_raw_pixels();
    image.free();
    return Uint8Array.from({ length: rgba.length / 4 }, (_, i) => rgba[i * 4]);
  })();

  console.log(`workerd (wrangler dev), ${rounds} rounds, medians, ms. First request per model (session creation): ${JSON.stringify(firstRequest)}\n`);
  console.log('| model | photo | inference | server total | client round trip | encode (PNG mask) | top classes | main-object IoU vs strongest | mIoU vs strongest |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const photo of PHOTOS) {
    for (const model of MODELS) {
      const key = `${model}|${photo}`;
      const s = samples[key];
      const strongest = maps[`${STRONGEST}|${photo}`];
      const agreement = model === STRONGEST ? '-' : meanIoU(maps[key].map, strongest.map).toFixed(3);
      const main = model === STRONGEST ? '-' : iou(maps[key].map, strongest.map, strongest.main).toFixed(3);
      console.log(`| ${model} | ${photo} | ${round(median(s.map((x) => x.inference)))} | ${round(median(s.map((x) => x.total)))} | ${round(median(s.map((x) => x.client)))} | ${round(median(s.map((x) => x.encode)))} | ${maps[key].top} | ${main} | ${agreement} |`);
    }
  }
  console.log('\n| model | bird IoU vs bird_segmentation_mask.png | mIoU vs reference mask | mean main-object IoU vs strongest | mean mIoU vs strongest | median inference over all photos | format=image kite_and_cold.jpg (1352x900) round trip |');
  console.log('|---|---|---|---|---|---|---|');
  for (const model of MODELS) {
    const bird = maps[`${model}|bird_segmentation.png`].map;
    const agreements = PHOTOS.map((p) => meanIoU(maps[`${model}|${p}`].map, maps[`${STRONGEST}|${p}`].map));
    const mains = PHOTOS.map((p) => iou(maps[`${model}|${p}`].map, maps[`${STRONGEST}|${p}`].map, maps[`${STRONGEST}|${p}`].main));
    const mean = (xs) => (model === STRONGEST ? '-' : (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3));
    const inference = median(PHOTOS.flatMap((p) => samples[`${model}|${p}`].map((x) => x.inference)));
    console.log(`| ${model} | ${iou(bird, reference, 3).toFixed(3)} | ${meanIoU(bird, reference).toFixed(3)} | ${mean(mains)} | ${mean(agreements)} | ${round(inference)} | ${imageTimes[model]} |`);
  }
} finally {
  worker.stop();
}
