#!/usr/bin/env node
/**
 * ORT-web WASM memory with detectors resident next to the default classifier, measured in plain Node (the same
 * ort-wasm-simd-threaded.wasm build and allocation pattern as in workerd). Each scenario runs in a fresh process:
 * it wraps WebAssembly.instantiate to capture ORT's wasm memory, creates the sessions the worker would (same
 * session options as the manifest), runs each once on a full-size input, and reads memory.buffer.byteLength.
 *
 *   npm run models && node bench/detect-memory.mjs            # table of all scenarios
 *   node bench/detect-memory.mjs --only yolox_nano            # one scenario, JSON line
 *   node bench/detect-memory.mjs --only photon [image]        # photon's memory for one annotated request
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(root, 'packages/worker/src/models/manifest.json'), 'utf8'));
const MiB = (n) => Math.round((n / 1048576) * 10) / 10;

/**
 * photon's share of a detect request with an annotated PNG on `file`: decode, resize to the detector input,
 * draw captions, encode; returns photon's wasm memory afterwards (wasm memory never shrinks).
 */
async function photonRequest(file, annotate = true) {
  let memory;
  const Instance = WebAssembly.Instance;
  WebAssembly.Instance = new Proxy(Instance, {
    construct(target, args) {
      const instance = Reflect.construct(target, args);
      if (instance.exports.memory instanceof WebAssembly.Memory) memory = instance.exports.memory;
      return instance;
    },
  });
  const photon = await import('@cf-wasm/photon');
  const decoded = photon.PhotonImage.new_from_byteslice(readFileSync(file));
  const [width, height] = [decoded.get_width(), decoded.get_height()];
  const rgba = decoded.get_raw_pixels();
  decoded.free();
  const source = new photon.PhotonImage(rgba, width, height);
  const resized = photon.resize(source, 416, Math.round((416 * height) / width), photon.SamplingFilter.Triangle);
  resized.get_raw_pixels();
  resized.free();
  source.free();
  if (!annotate) return { photon_mib: MiB(memory?.buffer.byteLength ?? 0), png_bytes: 0 };
  const canvas = new photon.PhotonImage(rgba, width, height);
  for (let i = 0; i < 10; i++) photon.draw_text_with_color(canvas, 'person 0.81', 20 + i * 100, 20 + i * 60, 31, new photon.Rgba(255, 255, 255, 255));
  const png = canvas.get_bytes();
  canvas.free();
  return { photon_mib: MiB(memory?.buffer.byteLength ?? 0), png_bytes: png.byteLength };
}

async function scenario(ids) {
  if (ids[0] === 'photon' || ids[0] === 'photon-decode') return photonRequest(ids[1] ?? resolve(root, '../shared/fixtures/images/kite_and_cold.jpg'), ids[0] === 'photon');
  const memories = new Set();
  const collect = (value) => {
    if (value instanceof WebAssembly.Memory) memories.add(value);
    else if (value && typeof value === 'object') for (const v of Object.values(value)) if (v instanceof WebAssembly.Memory) memories.add(v);
  };
  const instantiate = WebAssembly.instantiate.bind(WebAssembly);
  WebAssembly.instantiate = async (source, imports) => {
    for (const ns of Object.values(imports ?? {})) collect(ns);
    const result = await instantiate(source, imports);
    collect((result.instance ?? result).exports);
    return result;
  };
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  const bytes = () => Math.max(0, ...[...memories].map((m) => m.buffer.byteLength));
  const steps = [];
  for (const id of ids) {
    const model = manifest.models.find((m) => m.id === id);
    if (!model) throw new Error(`no model ${id}`);
    const t0 = performance.now();
    const session = await ort.InferenceSession.create(join(root, 'models', model.file), {
      executionProviders: ['wasm'],
      graphOptimizationLevel: model.session.graphOptimizationLevel,
    });
    const created = performance.now() - t0;
    const { width, height, layout, name } = model.input;
    const dims = layout === 'NCHW' ? [1, 3, height, width] : [1, height, width, 3];
    const feeds = { [name]: new ort.Tensor('float32', new Float32Array(3 * width * height).fill(0.5), dims) };
    for (const f of model.feeds ?? []) feeds[f.name] = new ort.Tensor('int64', new BigInt64Array([1352n, 900n]), [1, 2]);
    const runs = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const out = await session.run(feeds);
      runs.push(performance.now() - t);
      for (const v of Object.values(out)) v.dispose?.();
    }
    runs.sort((a, b) => a - b);
    steps.push({ id, created_ms: Math.round(created), run_median_ms: Math.round(runs[2]), wasm_mib: MiB(bytes()) });
  }
  return { models: ids, steps, wasm_mib: MiB(bytes()), rss_mib: MiB(process.memoryUsage().rss) };
}

const only = process.argv.indexOf('--only');
if (only > 0) {
  console.log(JSON.stringify(await scenario(process.argv.slice(only + 1))));
} else {
  const classifier = manifest.models.find((m) => m.task === 'classify' && m.default).id;
  const detectors = manifest.models.filter((m) => m.task === 'detect').map((m) => m.id);
  const scenarios = [[classifier], ...detectors.map((d) => [d]), ...detectors.map((d) => [classifier, d]), [classifier, ...detectors]];
  console.log('| resident models (created in this order, each run once) | ORT wasm memory | process RSS |');
  console.log('|---|---|---|');
  for (const ids of scenarios) {
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--only', ...ids], { cwd: root, encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').pop());
    console.log(`| ${ids.join(' + ')} | ${r.wasm_mib} MiB | ${r.rss_mib} MiB |`);
    console.error(JSON.stringify(r.steps));
  }
  const kite = resolve(root, '../shared/fixtures/images/kite_and_cold.jpg');
  const p = JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--only', 'photon', kite], { cwd: root, encoding: 'utf8' }).trim());
  console.log(`\nphoton (decode + resize + annotate as PNG, kite_and_cold.jpg 1352x900): ${p.photon_mib} MiB wasm memory (PNG ${p.png_bytes} bytes)`);
}
