/**
 * The cvkit benchmark: `npm run bench` (full, a few minutes) or `npm run bench -- --quick` (seconds; what CI runs
 * to check it still works). Everything is measured side by side in one run on this machine, medians and spread
 * over repeated runs, and written to bench/RESULTS.md and bench/results.json.
 *
 *  1. inference per model on every runtime with an artifact for it (bench/runtimes.ts): LiteRT.js and ORT-web in
 *     workerd (timed inside the isolate) and in Node, native onnxruntime-node (the ceiling); the ratios
 *  2. request path breakdown per endpoint (default model) for a 1024x768 JPEG and a small PNG
 *  3. HTTP latency p50/p95/p99 and requests/s at concurrency 1 and 8 (autocannon, loopback, bounded in time)
 *  4. cold start: worker process start to first successful response, per endpoint
 *  5. memory: ORT and photon wasm memory and JS heap with each default model resident, and all together
 *  6. size: the deployable bundle raw and gzip, and each model file
 *  7. a peer: the same classifier and photo through Transformers.js in Node, end to end
 *  8. before/after the optimisations: scaled JPEG decoding, the int8 default classifier, the engine's memory budget
 *  9. the GPU tier: edge vs the OIP v2 runtime to the reference server, bytes on the wire, codec time (gpu-tier.ts)
 * 10. the request around inference: fused preprocess, PNG decode, big PNGs, result-cache hits (request-path.ts)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import autocannon from 'autocannon';
import { PhotonImage, resize, SamplingFilter } from '@cf-wasm/photon';
import { DEFAULT_BUDGET_MB } from '../packages/worker/src/runtimes/budget';
import { decodeImage, resizeRGBA } from '../packages/worker/src/image/decode';
import { manifest } from '../packages/worker/src/models/manifest';
import { startWorker, type WorkerServer, repoRoot } from '../test/support/worker-server';
import { runPeer } from './peer';
import { gpuTierSection } from './gpu-tier';
import { requestPathSection } from './request-path';
import { endToEnd, runtimeSizes, runtimesSection } from './runtimes';
import { soak } from './soak';

const quick = process.argv.includes('--quick');
/** `npm run bench -- --peer`: section 7 alone (printed, nothing written), to re-measure cvkit against the peer. */
const peerOnly = process.argv.includes('--peer');
/** `npm run bench -- --request-path`: section 10 alone (printed, nothing written). */
const requestPathOnly = process.argv.includes('--request-path');
const modelDir = resolve(repoRoot, 'models');
const fixtures = process.env.CVKIT_FIXTURES ?? resolve(repoRoot, '../shared/fixtures/images');
const ROUNDS = quick ? 1 : 5;
const RUNS_PER_ROUND = quick ? 2 : 10;

const md: string[] = [];
const json: Record<string, unknown> = {};
const say = (line = '') => {
  console.log(line);
  md.push(line);
};

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
  return { median: q(50), p10: q(10), p90: q(90), p95: q(95), p99: q(99), n: s.length };
}
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const mib = (bytes: number) => (bytes / 1048576).toFixed(1);

function table(headers: string[], rows: (string | number)[][]) {
  say(`| ${headers.join(' | ')} |`);
  say(`|${headers.map(() => '---').join('|')}|`);
  for (const r of rows) say(`| ${r.join(' | ')} |`);
  say();
}

type RequestImage = { name: string; type: string; bytes: Uint8Array<ArrayBuffer> };
let requestImagesMade: RequestImage[] | undefined;

/** A 1024x768 JPEG made from the kite fixture, and a small PNG fixture (made once per run). */
function requestImages(): RequestImage[] {
  if (requestImagesMade) return requestImagesMade;
  const source = PhotonImage.new_from_byteslice(readFileSync(join(fixtures, 'kite_and_cold.jpg')));
  const resized = resize(source, 1024, 768, SamplingFilter.Triangle);
  const jpeg = new Uint8Array(resized.get_bytes_jpeg(90));
  source.free();
  resized.free();
  requestImagesMade = [
    { name: 'JPEG 1024x768', type: 'image/jpeg', bytes: jpeg },
    { name: 'PNG 512x341', type: 'image/png', bytes: new Uint8Array(readFileSync(join(fixtures, 'cat.png'))) },
  ];
  return requestImagesMade;
}

const endpoints = () => (['classify', 'detect', 'segment', 'pose', 'embed'] as const).filter((task) => manifest.models.some((m) => m.task === task && m.default));

async function breakdown(server: WorkerServer) {
  say('## 2. Request path breakdown (ms, default model, medians in the worker\'s own timings)');
  say();
  const rows: (string | number)[][] = [];
  const out: Record<string, unknown> = {};
  for (const task of endpoints()) {
    for (const img of requestImages()) {
      const stages: Record<string, number[]> = {};
      const client: number[] = [];
      const n = quick ? 3 : 30;
      for (let i = 0; i < n + 2; i++) {
        const s = performance.now();
        const res = await fetch(`${server.url}/v1/${task}`, { method: 'POST', headers: { 'content-type': img.type, 'cache-control': 'no-cache' }, body: img.bytes });
        const body = (await res.json()) as { timings: Record<string, number> };
        const e = performance.now() - s;
        if (i < 2) continue; // warm-up
        client.push(e);
        for (const [k, v] of Object.entries(body.timings)) (stages[k] ??= []).push(v);
      }
      const m = (k: string) => f1(stats(stages[k] ?? []).median);
      rows.push([task, img.name, m('decode_ms'), m('preprocess_ms'), m('inference_ms'), m('postprocess_ms'), m('encode_ms'), m('total_ms'), f1(stats(client).median)]);
      out[`${task} ${img.name}`] = { stages, client };
    }
  }
  table(['endpoint', 'image', 'decode', 'preprocess', 'inference', 'postprocess', 'encode', 'total (worker)', 'HTTP round trip'], rows);
  json.breakdown = out;
}

async function load(server: WorkerServer) {
  say('## 3. HTTP latency and throughput (loopback, autocannon, 1024x768 JPEG, default models)');
  say();
  const img = requestImages()[0]!;
  const rows: (string | number)[][] = [];
  const out: Record<string, unknown> = {};
  for (const task of endpoints()) {
    for (const connections of [1, 8]) {
      const latencies: number[] = [];
      let errors = 0;
      const duration = quick ? 2 : 15;
      let result: autocannon.Result | undefined;
      const instance = autocannon({
        url: `${server.url}/v1/${task}`,
        method: 'POST',
        headers: { 'content-type': img.type, 'cache-control': 'no-cache' },
        body: Buffer.from(img.bytes),
        connections,
        duration,
        timeout: 30,
      }, (err, res) => {
        if (!err) result = res;
      });
      instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
        if (status === 200) latencies.push(ms);
        else errors++;
      });
      await new Promise((ok) => instance.on('done', ok));
      const s = stats(latencies);
      rows.push([task, connections, f1(s.median), f1(s.p95), f1(s.p99), (latencies.length / duration).toFixed(1), errors + (result?.errors ?? 0) + (result?.timeouts ?? 0)]);
      out[`${task} c${connections}`] = { ...s, rps: latencies.length / duration, errors };
    }
  }
  table(['endpoint', 'concurrency', 'p50 ms', 'p95 ms', 'p99 ms', 'req/s', 'errors'], rows);
  json.load = out;
}

async function coldStart() {
  say('## 4. Cold start (ms): worker process start to first successful response');
  say();
  const img = requestImages()[1]!;
  const rows: (string | number)[][] = [];
  for (const task of quick ? (['classify'] as const) : endpoints()) {
    const start = performance.now();
    const server = await startWorker();
    const ready = performance.now() - start;
    const s = performance.now();
    const res = await fetch(`${server.url}/v1/${task}`, { method: 'POST', headers: { 'content-type': img.type, 'cache-control': 'no-cache' }, body: img.bytes });
    await res.arrayBuffer();
    const first = performance.now() - s;
    const s2 = performance.now();
    await (await fetch(`${server.url}/v1/${task}`, { method: 'POST', headers: { 'content-type': img.type, 'cache-control': 'no-cache' }, body: img.bytes })).arrayBuffer();
    const second = performance.now() - s2;
    await server.stop();
    rows.push([task, res.status, f1(ready), f1(first), f1(second)]);
  }
  table(['endpoint', 'status', 'wrangler dev start to /health ok', 'first request (ORT init + session)', 'second request'], rows);
}

function memoryProbe(jpegPath: string, models: string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'memory.ts'), ...models], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, CVKIT_BENCH_JPEG: jpegPath, ...env },
  });
  if (run.status !== 0) throw new Error(`memory probe failed for ${models.join(', ')}:\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as { litert: number; ort: number; photon: number; heap: number; external: number };
}

function memory(jpegPath: string) {
  say('## 5. Memory with models resident (MiB; one fresh Node process each, the same LiteRT.js and ORT-web wasm as workerd)');
  say();
  say(`Each model serves one 1024x768 JPEG request on its served runtime. Resident models stay within a ${DEFAULT_BUDGET_MB} MiB budget across both runtimes (\`memory_mb\` per artifact in the manifest).`);
  say();
  const defaults = manifest.models.filter((m) => m.default);
  // Each default alone, the defaults together, and (full mode) every served model in turn: the engine's memory
  // budget then releases idle sessions, which is what bounds the isolate.
  const sets = [...defaults.map((m) => [m.id]), defaults.map((m) => m.id), ...(quick ? [] : [manifest.models.map((m) => m.id)])];
  const rows: (string | number)[][] = [];
  const out: Record<string, unknown> = {};
  for (const set of sets) {
    const m = memoryProbe(jpegPath, set);
    const total = m.litert + m.ort + m.photon + m.heap;
    const label = set.length === manifest.models.length ? `all ${set.length} models, one after another` : set.join(' + ');
    rows.push([label, mib(m.litert), mib(m.ort), mib(m.photon), mib(m.heap), mib(total), total < 128 * 1048576 ? 'yes' : '**no**']);
    out[set.join('+')] = m;
  }
  table(['models requested', 'LiteRT.js wasm memory', 'ORT wasm memory', 'decoders wasm memory', 'JS heap used (Node)', 'total', 'under 128 MB'], rows);
  json.memory = out;
}

function size() {
  say('## 6. Size');
  say();
  const outdir = mkdtempSync(join(tmpdir(), 'cvkit-bundle-'));
  try {
    execFileSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', outdir], { cwd: repoRoot, stdio: 'pipe', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } });
    const files = readdirSync(outdir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile() && !d.name.endsWith('.map'));
    const rows = files.map((d) => {
      const bytes = readFileSync(join(d.parentPath, d.name));
      return [d.name, mib(bytes.length), mib(gzipSync(bytes).length)];
    });
    const raw = files.reduce((a, d) => a + statSync(join(d.parentPath, d.name)).size, 0);
    const gz = files.reduce((a, d) => a + gzipSync(readFileSync(join(d.parentPath, d.name))).length, 0);
    rows.push(['**worker bundle total**', mib(raw), mib(gz)]);
    table(['bundle file', 'raw MiB', 'gzip MiB'], rows);
    json.bundle = { raw, gzip: gz };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
  table(['model file (static asset, loaded lazily)', 'runtime', 'MiB'], manifest.models.flatMap((m) => m.artifacts.filter((a) => a.file).map((a) => [a.file ?? m.id, a.runtime, mib(a.bytes ?? 0)])));
}

async function peer() {
  say('## 7. A peer: Transformers.js in Node, same MobileNetV2 and photo, end to end (ms)');
  say();
  const img = requestImages()[0]!;
  const engineApp = (await import('../packages/worker/src/node')).createNodeApp({ modelDir });
  // cvkit twice, interleaved with the peer: the peer's own network (fp32 MobileNetV2) and cvkit's default
  // (MobileNetV2 int8 on LiteRT.js), each a whole request through the API in this process.
  const classify = async (model: string, into: number[]) => {
    const s = performance.now();
    const res = await engineApp.request(`/v1/classify?model=${model}`, { method: 'POST', headers: { 'content-type': img.type, 'cache-control': 'no-cache' }, body: img.bytes });
    const body = (await res.json()) as { predictions?: Array<{ label: string }> };
    into.push(performance.now() - s);
    return body.predictions?.[0]?.label ?? '';
  };
  const fp32: number[] = [];
  const served: number[] = [];
  const top1 = { fp32: '', served: '' };
  const n = quick ? 2 : 20;
  const theirs = await runPeer(img.bytes, n, modelDir, async () => {
    top1.fp32 = await classify('mobilenet_v2_1.0_224', fp32);
    top1.served = await classify('mobilenet_v2_1.0_224_quant', served);
  });
  const [b, c, d] = [stats(theirs.native), stats(fp32), stats(served)];
  const ratio = (x: number) => (x / b.median).toFixed(2);
  table(
    ['pipeline (1024x768 JPEG, classify)', 'p50', 'p10-p90', 'cvkit / peer (p50)', 'top-1'],
    [
      ['Transformers.js 4.3, native backend (sharp + onnxruntime-node), fp32 MobileNetV2', f1(b.median), `${f1(b.p10)}-${f1(b.p90)}`, '', theirs.top1],
      ['cvkit Node pipeline, same fp32 MobileNetV2 on onnxruntime-web (wasm)', f1(c.median), `${f1(c.p10)}-${f1(c.p90)}`, ratio(c.median), top1.fp32],
      ['cvkit Node pipeline, its default: MobileNetV2 int8 on LiteRT.js (wasm)', f1(d.median), `${f1(d.p10)}-${f1(d.p90)}`, ratio(d.median), top1.served],
    ],
  );
  json.peer = { transformers: theirs, cvkit_fp32: fp32, cvkit_default: served };
}

async function beforeAfter(jpegPath: string) {
  say('## 8. Before and after the optimisations (measured side by side in this run)');
  say();
  // a) decode + resize to the classifier's 224x224: photon decodes every pixel, libjpeg-turbo decodes at a DCT scale.
  const kite = PhotonImage.new_from_byteslice(readFileSync(join(fixtures, 'kite_and_cold.jpg')));
  const big = resize(kite, 4000, 3000, SamplingFilter.Triangle);
  const photos = [requestImages()[0]!, { name: 'JPEG 4000x3000', type: 'image/jpeg', bytes: new Uint8Array(big.get_bytes_jpeg(90)) }];
  kite.free();
  big.free();
  const rows: (string | number)[][] = [];
  for (const photo of photos) {
    const before: number[] = [];
    const after: number[] = [];
    for (let i = 0; i < (quick ? 2 : 15); i++) {
      let t = performance.now();
      const image = PhotonImage.new_from_byteslice(photo.bytes);
      const rgba = image.get_raw_pixels();
      const [w, h] = [image.get_width(), image.get_height()];
      image.free();
      resizeRGBA(rgba, w, h, 224, 224);
      before.push(performance.now() - t);
      t = performance.now();
      const d = await decodeImage(photo.bytes, { minWidth: 224, minHeight: 224 });
      resizeRGBA(d.rgba, d.width, d.height, 224, 224);
      after.push(performance.now() - t);
    }
    const [b, a] = [stats(before).median, stats(after).median];
    rows.push([`decode + resize to 224, ${photo.name} (Node)`, `photon full decode: ${f1(b)} ms`, `libjpeg-turbo at DCT scale: ${f1(a)} ms`, `${(b / a).toFixed(1)}x faster`]);
  }
  // b) the default classifier: fp32 at 'all' before, int8 at 'basic' after.
  const fp32 = manifest.models.find((m) => m.id === 'mobilenet_v2_1.0_224')!;
  const int8 = manifest.models.find((m) => m.id === 'mobilenet_v2_1.0_224_quant')!;
  const inf = json.runtimes as Record<string, { workerd: number[] }> | undefined;
  const onnx = (m: typeof fp32) => m.artifacts.find((a) => a.runtime === 'ort-web')!;
  const [tf, ti] = [stats(inf?.[onnx(fp32).key]?.workerd ?? []).median, stats(inf?.[onnx(int8).key]?.workerd ?? []).median];
  rows.push([
    'classifier on onnxruntime-web: MobileNetV2 fp32 -> int8',
    `${f1(tf)} ms in workerd, ${mib(onnx(fp32).bytes ?? 0)} MiB file`,
    `${f1(ti)} ms in workerd, ${mib(onnx(int8).bytes ?? 0)} MiB file`,
    `${Number.isFinite(tf) ? `${(tf / ti).toFixed(1)}x the speed, ` : ''}${((onnx(int8).bytes ?? 0) / (onnx(fp32).bytes ?? 1)).toFixed(2)} of the download`,
  ]);
  // c) every model requested in turn, with no memory budget and with the engine's.
  if (!quick) {
    const all = manifest.models.map((m) => m.id);
    const [off, on] = [memoryProbe(jpegPath, all, { CVKIT_BUDGET_MB: '100000' }), memoryProbe(jpegPath, all)];
    rows.push([`all ${all.length} models requested in turn: runtimes' wasm memory`, `no budget: ${mib(off.ort + off.litert)} MiB`, `${DEFAULT_BUDGET_MB} MiB budget: ${mib(on.ort + on.litert)} MiB`, 'bounded']);
  }
  table(['what', 'before', 'after', ''], rows);
}

async function requestPath(server?: WorkerServer) {
  const own = server ?? (await startWorker());
  try {
    const [jpeg, png] = requestImages();
    await requestPathSection(own, { say, table, stats, json }, { quick, jpeg: jpeg!, catPng: png!.bytes });
  } finally {
    if (!server) await own.stop();
  }
}

async function main() {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  say(`# cvkit benchmark ${quick ? '(quick mode: too few runs to trust)' : ''}`);
  say();
  say(`${new Date().toISOString().slice(0, 10)} · ${cpu} · ${cpus().length} cores · Node ${process.version} · ${quick ? 'quick' : `${ROUNDS} rounds x ${RUNS_PER_ROUND} runs`}`);
  say();
  if (peerOnly) return peer();
  if (requestPathOnly) return requestPath();
  const bench = await startWorker({ config: 'bench/wrangler.toml' });
  try {
    await runtimesSection(bench, { say, table, stats, json }, { quick, rounds: ROUNDS, runs: RUNS_PER_ROUND, modelDir });
    await endToEnd({ say, table, stats, json }, requestImages()[0]!, { quick });
  } finally {
    await bench.stop();
  }
  const server = await startWorker();
  try {
    await breakdown(server);
    await load(server);
    await requestPath(server);
  } finally {
    await server.stop();
  }
  await coldStart();
  const scratch = mkdtempSync(join(tmpdir(), 'cvkit-bench-img-'));
  writeFileSync(join(scratch, 'request.jpg'), requestImages()[0]!.bytes);
  memory(join(scratch, 'request.jpg'));
  size();
  runtimeSizes({ say, table, stats, json });
  await peer();
  await beforeAfter(join(scratch, 'request.jpg'));
  await gpuTierSection({ say, table, json, quick, modelDir, fixtures });
  rmSync(scratch, { recursive: true, force: true });
  if (!quick) await soak(say); // minutes of load: the full bench only
  const outDir = quick ? mkdtempSync(join(tmpdir(), 'cvkit-bench-')) : resolve(import.meta.dirname);
  writeFileSync(join(outDir, 'RESULTS.md'), `${md.join('\n')}\n`);
  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify({ date: new Date().toISOString(), cpu, node: process.version, quick, ...json }, null, 1)}\n`);
  console.log(`\nwritten to ${join(outDir, 'RESULTS.md')}`);
}

await main();
