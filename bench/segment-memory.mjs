#!/usr/bin/env node
/**
 * ORT-web wasm memory with segmentation models resident beside the default classifier and a detector, against the
 * 128 MB isolate budget. The same WASM build as workerd (`onnxruntime-web/wasm`, ort-wasm-simd-threaded.wasm, one
 * thread), loaded the way ort-workerd.ts loads it (a wasmBinary handed over), so the heap is the isolate's.
 *
 * WebAssembly.instantiate is wrapped before ORT loads to catch the wasm Memory ORT creates (a shared Memory passed
 * in the imports); its buffer.byteLength is ORT's whole heap: weights, arenas, activations. It only grows.
 * Every scenario runs in a fresh child process, because a process's heap remembers earlier scenarios.
 *
 *   npm run models && node bench/segment-memory.mjs            # all scenarios, a markdown table on stdout
 *   node bench/segment-memory.mjs --only seg-dm05-after-cls-det  # one scenario by name
 *   node bench/segment-memory.mjs --json                       # raw results
 *   node bench/segment-memory.mjs --need                       # also what each scenario really uses (slow)
 *
 * The heap grows in emscripten's ~20% steps, so byteLength (what the isolate holds) overstates what ORT uses.
 * --need finds the real figure by starting ORT's Memory larger and bisecting for the smallest size that never grows.
 *   node bench/segment-memory.mjs --requests                   # whole requests through the Node app at photo sizes
 *
 * --requests bundles packages/worker/src/node.ts (esbuild, npm dependencies external) and sends POST /v1/segment with
 * JPEGs of growing size made from a fixture, recording photon's wasm heap, ORT's wasm heap and Node's
 * ArrayBuffer total after each request: what an isolate holds once it has served such a photo.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(root, 'packages/worker/src/models/manifest.json'), 'utf8'));
const MiB = 1024 * 1024;

/** Model files: the installed folder first, then the shared pack (the detector may not be in this branch's manifest). */
function modelPath(file) {
  for (const dir of [join(root, 'models'), resolve(root, '../shared/models')]) if (existsSync(join(dir, file))) return join(dir, file);
  throw new Error(`${file}: not installed; run npm run models`);
}

const fromManifest = (id) => {
  const m = manifest.models.find((x) => x.id === id);
  if (!m) throw new Error(`${id} is not in the manifest`);
  // This study is about onnxruntime-web's memory: its ONNX artifact (the served runtime may be another).
  const a = m.artifacts.find((x) => x.runtime === 'ort-web');
  const { width, height } = m.input;
  return { id, file: a.file, input: a.input.name, dims: a.input.layout === 'NCHW' ? [1, 3, height, width] : [1, height, width, 3], opt: a.session.graphOptimizationLevel };
};
const MODELS = {
  cls: fromManifest('mobilenet_v2_1.0_224'),
  // yolox_nano as models/README.md describes it: images f32 [1,3,416,416], fp32 -> optimisation 'all'.
  det: manifest.models.some((m) => m.id === 'yolox_nano') ? fromManifest('yolox_nano') : { id: 'yolox_nano', file: 'yolox_nano.onnx', input: 'images', dims: [1, 3, 416, 416], opt: 'all' },
  dm05: fromManifest('deeplabv3_mnv2_dm05_pascal_quant'),
  mnv2: fromManifest('deeplabv3_mnv2_pascal_quant'),
  d257: fromManifest('deeplab_v3_1_default_1'),
};

/**
 * Scenarios: models loaded in order (each created, then run twice), with session options.
 * `release`: models released right after their runs (the residency policy "load, run, release").
 */
const SCENARIOS = [
  { name: 'cls', models: ['cls'] },
  { name: 'cls+det', models: ['cls', 'det'] },
  ...['dm05', 'mnv2', 'd257'].flatMap((s) => [
    { name: `${s}-alone`, models: [s] },
    { name: `${s}-after-cls-det`, models: ['cls', 'det', s] },
    { name: `${s}-after-cls-det-no-arena`, models: ['cls', 'det', s], options: { enableCpuMemArena: false } },
  ]),
  { name: 'all-five', models: ['cls', 'det', 'dm05', 'mnv2', 'd257'] },
  { name: 'all-five-no-arena', models: ['cls', 'det', 'dm05', 'mnv2', 'd257'], options: { enableCpuMemArena: false } },
  { name: 'cls+det, segs released after use', models: ['cls', 'det', 'dm05', 'mnv2', 'd257'], release: ['dm05', 'mnv2', 'd257'] },
  { name: 'cls+det, segs released, no arena', models: ['cls', 'det', 'dm05', 'mnv2', 'd257'], release: ['dm05', 'mnv2', 'd257'], options: { enableCpuMemArena: false } },
  // Then the classifier again after the segmentation peak: does freed memory get reused?
  { name: 'dm05 released, then cls+det', models: ['dm05', 'cls', 'det'], release: ['dm05'] },
];

async function child(scenario, initialMiB) {
  const memories = [];
  if (initialMiB) {
    // --need: start ORT's heap at initialMiB instead of its 16 MiB, to find the smallest heap that never grows.
    const Memory = WebAssembly.Memory;
    WebAssembly.Memory = new Proxy(Memory, {
      construct(target, [descriptor]) {
        const bigger = descriptor.shared && descriptor.initial === 256 ? { ...descriptor, initial: Math.ceil((initialMiB * MiB) / 65536) } : descriptor;
        return Reflect.construct(target, [bigger]);
      },
    });
  }
  const instantiate = WebAssembly.instantiate.bind(WebAssembly);
  WebAssembly.instantiate = async (source, imports) => {
    for (const ns of Object.values(imports ?? {})) for (const v of Object.values(ns)) if (v instanceof WebAssembly.Memory) memories.push(v);
    const result = await instantiate(source, imports);
    const instance = result.instance ?? result;
    for (const v of Object.values(instance.exports)) if (v instanceof WebAssembly.Memory) memories.push(v);
    return result;
  };
  const require = createRequire(import.meta.url);
  const ort = await import('onnxruntime-web/wasm');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmBinary = readFileSync(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
  const heap = () => Math.max(0, ...memories.map((m) => m.buffer.byteLength)) / MiB;
  const steps = [];
  let peak = 0;
  const mark = (what) => {
    const mib = heap();
    peak = Math.max(peak, mib);
    steps.push({ what, mib: Math.round(mib * 10) / 10 });
  };
  const timings = {};
  for (const key of scenario.models) {
    const spec = MODELS[key];
    const t0 = performance.now();
    const session = await ort.InferenceSession.create(readFileSync(modelPath(spec.file)), {
      executionProviders: ['wasm'],
      graphOptimizationLevel: spec.opt,
      ...scenario.options,
    });
    const created = performance.now() - t0;
    mark(`${key} created`);
    const size = spec.dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = Math.sin(i) * 0.9; // values do not change the memory; shapes do
    const runs = [];
    for (let r = 0; r < 3; r++) {
      const t = performance.now();
      await session.run({ [spec.input]: new ort.Tensor('float32', data, spec.dims) });
      runs.push(performance.now() - t);
    }
    mark(`${key} ran`);
    timings[key] = { create_ms: Math.round(created), run_ms: Math.round(runs.slice(1).sort((a, b) => a - b)[0]) };
    if (scenario.release?.includes(key)) {
      await session.release();
      mark(`${key} released`);
    }
  }
  // The Memory starts at whole 64 KiB pages: compare with that, not with the MiB asked for.
  const initialPages = initialMiB ? Math.ceil((initialMiB * MiB) / 65536) : 0;
  const grew = initialMiB ? Math.max(...memories.map((m) => m.buffer.byteLength)) > initialPages * 65536 : undefined;
  return { name: scenario.name, peak_mib: Math.round(peak * 10) / 10, grew, steps, timings, memories: memories.length };
}

/** A JPEG of width x height made from a fixture photo (photon, in the parent so the child's heap stays clean). */
async function makePhoto(width, height) {
  const out = join(root, 'bench/out', `photo-${width}x${height}.jpg`);
  if (existsSync(out)) return out;
  const { PhotonImage, resize, SamplingFilter } = await import('@cf-wasm/photon');
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const source = PhotonImage.new_from_byteslice(readFileSync(resolve(root, '../shared/fixtures/images/grace_hopper.png')));
  const big = resize(source, width, height, SamplingFilter.Nearest);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, big.get_bytes_jpeg(85));
  big.free();
  source.free();
  return out;
}

async function requestChild({ model, photos }) {
  const memories = { ort: [], photon: [] };
  const instantiate = WebAssembly.instantiate.bind(WebAssembly);
  WebAssembly.instantiate = async (source, imports) => {
    const result = await instantiate(source, imports);
    const instance = result.instance ?? result;
    for (const ns of Object.values(imports ?? {})) for (const v of Object.values(ns)) if (v instanceof WebAssembly.Memory) memories.ort.push(v);
    for (const v of Object.values(instance.exports)) if (v instanceof WebAssembly.Memory) memories.ort.push(v);
    return result;
  };
  // photon instantiates synchronously (new WebAssembly.Instance) at import time.
  const Instance = WebAssembly.Instance;
  WebAssembly.Instance = new Proxy(Instance, {
    construct(target, args) {
      const instance = Reflect.construct(target, args);
      for (const v of Object.values(instance.exports)) if (v instanceof WebAssembly.Memory) memories.photon.push(v);
      return instance;
    },
  });
  const { createNodeApp } = await import(join(root, 'bench/out/node-app.mjs'));
  const app = createNodeApp({ modelDir: join(root, 'models') });
  const size = (list) => Math.round((Math.max(0, ...list.map((m) => m.buffer.byteLength)) / MiB) * 10) / 10;
  const rows = [];
  for (const photo of photos) {
    for (const query of ['mask=png', 'mask=rle', 'format=image']) {
      const t = performance.now();
      const res = await app.request(`/v1/segment?model=${model}&${query}`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: readFileSync(photo) });
      const body = new Uint8Array(await res.arrayBuffer());
      const ms = performance.now() - t;
      if (res.status !== 200) throw new Error(`${photo} ${query}: HTTP ${res.status} ${new TextDecoder().decode(body)}`);
      globalThis.gc?.();
      const mem = process.memoryUsage();
      rows.push({
        photo: photo.replace(/.*photo-|\.jpg$/g, ''),
        query,
        ms: Math.round(ms),
        response_kib: Math.round(body.byteLength / 1024),
        ort_mib: size(memories.ort),
        photon_mib: size(memories.photon),
        js_heap_mib: Math.round((mem.heapUsed / MiB) * 10) / 10,
        array_buffers_mib: Math.round((mem.arrayBuffers / MiB) * 10) / 10,
      });
    }
  }
  return rows;
}

async function requests(args) {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [join(root, 'packages/worker/src/node.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    // Dependencies stay external (loaded as in the app); the workspace SDK is TypeScript and is bundled.
    external: ['onnxruntime-web', 'onnxruntime-web/*', '@cf-wasm/photon', 'hono', 'hono/*', 'zod'],
    outfile: join(root, 'bench/out/node-app.mjs'),
    logLevel: 'warning',
  });
  const photos = [];
  for (const [w, h] of [[1024, 768], [2048, 1536], [4032, 3024], [4096, 4096]]) photos.push(await makePhoto(w, h));
  const models = ['deeplabv3_mnv2_dm05_pascal_quant', 'deeplabv3_mnv2_pascal_quant', 'deeplab_v3_1_default_1'];
  const results = [];
  for (const model of models) {
    const run = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--request-child', JSON.stringify({ model, photos })], { encoding: 'utf8', maxBuffer: 16 * MiB });
    if (run.status !== 0) throw new Error(`${model} failed:\n${run.stderr}`);
    for (const row of JSON.parse(run.stdout)) results.push({ model, ...row });
  }
  if (args.includes('--json')) return console.log(JSON.stringify(results, null, 2));
  console.log('| model | photo | request | ms (Node) | response KiB | ORT heap MiB | photon heap MiB | JS heap MiB | ArrayBuffers MiB |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of results) console.log(`| ${r.model} | ${r.photo} | ${r.query} | ${r.ms} | ${r.response_kib} | ${r.ort_mib} | ${r.photon_mib} | ${r.js_heap_mib} | ${r.array_buffers_mib} |`);
}

const args = process.argv.slice(2);
const runChild = (scenario, initialMiB) => {
  const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', JSON.stringify(scenario), String(initialMiB ?? '')], { encoding: 'utf8', maxBuffer: 16 * MiB });
  if (run.status !== 0) throw new Error(`${scenario.name} failed:\n${run.stderr}`);
  return JSON.parse(run.stdout);
};

/** The smallest ORT heap (to 0.5 MiB) with which the scenario runs without growing: what it really uses. */
function need(scenario) {
  let lo = 16;
  let hi = runChild(scenario).peak_mib;
  while (hi - lo > 0.5) {
    const mid = (lo + hi) / 2;
    if (runChild(scenario, mid).grew) lo = mid;
    else hi = mid;
  }
  return Math.round(hi * 10) / 10;
}

if (args[0] === '--request-child') {
  process.stdout.write(JSON.stringify(await requestChild(JSON.parse(args[1]))));
} else if (args[0] === '--requests') {
  await requests(args);
} else if (args[0] === '--child') {
  const result = await child(JSON.parse(args[1]), Number(args[2]) || undefined);
  process.stdout.write(JSON.stringify(result));
} else {
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  const results = [];
  for (const scenario of SCENARIOS.filter((s) => !only || s.name === only)) {
    const result = runChild(scenario);
    if (args.includes('--need')) result.need_mib = need(scenario);
    results.push(result);
    if (!args.includes('--json')) process.stderr.write(`${result.name}: peak ${result.peak_mib} MiB${result.need_mib ? `, needs ${result.need_mib}` : ''}\n`);
  }
  if (args.includes('--json')) {
    console.log(JSON.stringify(results, null, 2));
  } else {
    console.log('| scenario | ORT wasm heap, MiB, after each step | heap held (peak byteLength) MiB | heap needed MiB (--need) |');
    console.log('|---|---|---|---|');
    for (const r of results) console.log(`| ${r.name} | ${r.steps.map((s) => `${s.what} ${s.mib}`).join('; ')} | ${r.peak_mib} | ${r.need_mib ?? ''} |`);
    console.log('\nNode ORT-web wasm, one thread, ms (create; fastest of the 2nd/3rd run):');
    const seen = new Map();
    for (const r of results) for (const [k, t] of Object.entries(r.timings)) if (!seen.has(k)) seen.set(k, t);
    for (const [k, t] of seen) console.log(`- ${MODELS[k].id}: create ${t.create_ms}, run ${t.run_ms}`);
  }
}
