/**
 * Benchmark section: inference per model on every runtime that has an artifact for it, side by side, with the
 * product's own runtimes (no engine code here): LiteRT.js and onnxruntime-web inside workerd (timed in the isolate
 * by bench/worker.ts) and in Node, plus native onnxruntime-node on the ONNX file (the ceiling), with the ratios.
 * Then what each runtime adds to the deployable worker (gzip), and the worker against Cloudflare's size limits.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as ortNative from 'onnxruntime-node';
import { manifest, RUNTIME_KINDS, type ArtifactSpec, type ModelSpec } from '../packages/worker/src/models/manifest';
import { createNodeProvider } from '../packages/worker/src/node';
import type { Tensors } from '../packages/worker/src/runtimes/types';
import { repoRoot, startWorker, type WorkerServer } from '../test/support/worker-server';
import { benchInputs } from './tensor';

export interface Reporter {
  say(line?: string): void;
  table(headers: string[], rows: (string | number)[][]): void;
  stats(xs: number[]): { median: number; p10: number; p90: number };
  json: Record<string, unknown>;
}

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const mib = (bytes: number) => (bytes / 1048576).toFixed(2);

function nativeFeeds(inputs: Tensors) {
  const feeds: Record<string, ortNative.Tensor> = {};
  for (const [name, t] of Object.entries(inputs)) feeds[name] = new ortNative.Tensor(t.dtype, t.data, t.dims);
  return feeds;
}

/**
 * GET with one retry on a dropped connection: between two calls this process runs inference for seconds, and the
 * server may close the kept-alive connection meanwhile (a GET is safe to send again).
 */
async function getJson<T>(url: string): Promise<T> {
  try {
    return (await (await fetch(url)).json()) as T;
  } catch (err) {
    if ((err as { cause?: { code?: string } }).cause?.code !== 'UND_ERR_SOCKET') throw err;
    return (await (await fetch(url)).json()) as T;
  }
}

export type RuntimeTimes = Record<string, { workerd: number[]; node: number[]; native: number[]; load: number | null }>;

/** Times every (model, runtime) pair; rounds interleave them so machine noise hits all alike. */
export async function runtimesSection(bench: WorkerServer, r: Reporter, { quick, rounds, runs, modelDir }: { quick: boolean; rounds: number; runs: number; modelDir: string }) {
  r.say('## 1. Inference per model and runtime (ms per run, one thread, same input; medians, p10-p90)');
  r.say();
  r.say('Every artifact of every model: LiteRT.js (`.tflite`) and onnxruntime-web (`.onnx`), each in workerd and in Node, and native onnxruntime-node on the ONNX file. Ratios are medians measured side by side in this run.');
  r.say();
  const models = quick ? manifest.models.filter((m) => m.default) : manifest.models;
  // Artifacts in the isolate only: the GPU tier's (oip-v2) is section 9's.
  const pairs: { model: ModelSpec; artifact: ArtifactSpec }[] = models.flatMap((model) =>
    model.artifacts.filter((artifact) => RUNTIME_KINDS[artifact.runtime] === 'local').map((artifact) => ({ model, artifact })),
  );
  const node = createNodeProvider({ modelDir, budgetMb: 1e6 }).resident;
  const native = new Map<string, ortNative.InferenceSession>();
  for (const m of models) {
    const onnx = m.artifacts.find((a) => a.runtime === 'ort-web');
    if (onnx?.file) native.set(m.id, await ortNative.InferenceSession.create(join(modelDir, onnx.file), { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' }));
  }
  const times: RuntimeTimes = {};
  for (let round = 0; round < rounds; round++) {
    for (const { model, artifact } of pairs) {
      const t = (times[artifact.key] ??= { workerd: [], node: [], native: [], load: null });
      const res = await getJson<{ load_ms: number | null; runs_ms: number[] }>(`${bench.url}/infer?model=${model.id}&runtime=${artifact.runtime}&runs=${runs}`);
      if (res.load_ms !== null) t.load = res.load_ms;
      t.workerd.push(...res.runs_ms);
      const inputs = benchInputs(model, artifact);
      if (round === 0) await node.run(artifact, inputs); // load + warm-up
      for (let i = 0; i < runs; i++) {
        const s = performance.now();
        await node.run(artifact, inputs);
        t.node.push(performance.now() - s);
      }
      const session = native.get(model.id);
      if (artifact.runtime === 'ort-web' && session) {
        const feeds = nativeFeeds(inputs);
        if (round === 0) await session.run(feeds);
        for (let i = 0; i < runs; i++) {
          const s = performance.now();
          await session.run(feeds);
          t.native.push(performance.now() - s);
        }
      }
    }
  }
  const med = (xs: number[]) => r.stats(xs).median;
  const cell = (xs: number[]) => (xs.length ? `${f1(med(xs))} (${f1(r.stats(xs).p10)}-${f1(r.stats(xs).p90)})` : '-');
  const rows = pairs.map(({ model, artifact }) => {
    const t = times[artifact.key]!;
    const nativeMs = med(times[`${model.id}@ort-web`]?.native ?? []);
    const ortWorkerd = med(times[`${model.id}@ort-web`]?.workerd ?? []);
    const served = model.artifacts[0] === artifact ? ' (served)' : '';
    return [
      model.id + (model.default ? ' **default**' : ''),
      artifact.runtime + served,
      cell(t.workerd),
      cell(t.node),
      artifact.runtime === 'ort-web' ? cell(t.native) : '',
      Number.isFinite(nativeMs) ? (med(t.workerd) / nativeMs).toFixed(1) : '-',
      artifact.runtime !== 'ort-web' && Number.isFinite(ortWorkerd) ? (ortWorkerd / med(t.workerd)).toFixed(2) : '',
      f1(t.load ?? NaN),
    ];
  });
  r.table(['model', 'runtime', 'workerd p50 (p10-p90)', 'Node', 'native onnxruntime-node', 'workerd / native', 'speed-up vs ort-web in workerd', 'first run in workerd (load + 1)'], rows);
  r.json.runtimes = times;
  for (const session of native.values()) await session.release();
  return times;
}

/** Gzip size of each runtime's wasm and glue, and the deployable worker against Cloudflare's script limits. */
export function runtimeSizes(r: Reporter) {
  r.say('### What each runtime adds to the worker, and the worker against the limits');
  r.say();
  // Files by path inside their package (export maps hide the bundled builds that wrangler picks).
  const size = (specifier: string) => {
    const [scope, name, ...rest] = specifier.split('/');
    const pkg = scope?.startsWith('@') ? `${scope}/${name}` : (scope as string);
    const path = scope?.startsWith('@') ? rest.join('/') : [name, ...rest].join('/');
    const bytes = readFileSync(join(repoRoot, 'node_modules', pkg, path));
    return { raw: bytes.length, gzip: gzipSync(bytes).length };
  };
  const parts = [
    ['LiteRT.js wasm (compat build)', '@litertjs/core/wasm/litert_wasm_compat_internal.wasm'],
    ['LiteRT.js glue', '@litertjs/core/wasm/litert_wasm_compat_internal.js'],
    ['LiteRT.js library', '@litertjs/core/dist/index.js'],
    ['onnxruntime-web wasm', 'onnxruntime-web/dist/ort-wasm-simd-threaded.wasm'],
    ['onnxruntime-web library + glue (onnxruntime-web/wasm bundle)', 'onnxruntime-web/dist/ort.wasm.bundle.min.mjs'],
  ] as const;
  const rows: (string | number)[][] = parts.map(([name, spec]) => {
    const s = size(spec);
    return [name, mib(s.raw), mib(s.gzip)];
  });
  const outdir = mkdtempSync(join(tmpdir(), 'cvkit-dry-run-'));
  try {
    const log = execFileSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', outdir], { cwd: repoRoot, encoding: 'utf8', stdio: 'pipe', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } });
    const files = readdirSync(outdir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile() && !d.name.endsWith('.map'));
    const raw = files.reduce((a, d) => a + statSync(join(d.parentPath, d.name)).size, 0);
    const gzip = files.reduce((a, d) => a + gzipSync(readFileSync(join(d.parentPath, d.name))).length, 0);
    const upload = /Total Upload: ([^\n]+)/.exec(log)?.[1]?.trim() ?? '(not printed)';
    rows.push([`**deployable worker** (\`wrangler deploy --dry-run\`, models excluded: assets; wrangler says ${upload})`, mib(raw), mib(gzip)]);
    r.table(['part', 'raw MiB', 'gzip MiB'], rows);
    r.say(`Against Cloudflare's compressed script limits: ${mib(gzip)} MiB of 10 MiB (paid plan: ${gzip < 10 * 1048576 ? 'fits' : '**does not fit**'}), 3 MiB (free plan: ${gzip < 3 * 1048576 ? 'fits' : '**does not fit**'}).`);
    r.say();
    r.json.sizes = { parts: rows, worker: { raw, gzip } };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * End to end over HTTP in workerd, the same requests to two workers side by side (interleaved): one with every
 * runtime (the served defaults: LiteRT.js for classify and segment) and one with onnxruntime-web only (RUNTIMES var).
 */
export async function endToEnd(r: Reporter, image: { name: string; type: string; bytes: Uint8Array<ArrayBuffer> }, { quick }: { quick: boolean }) {
  r.say(`### Default models end to end in workerd: LiteRT.js vs onnxruntime-web (${image.name}, HTTP on loopback, ms)`);
  r.say();
  const workers = { all: await startWorker(), ort: await startWorker({ vars: { RUNTIMES: 'ort-web' } }) };
  try {
    const rows: (string | number)[][] = [];
    const out: Record<string, unknown> = {};
    for (const task of ['classify', 'segment'] as const) {
      const times: Record<'all' | 'ort', { http: number[]; inference: number[]; runtime: string }> = { all: { http: [], inference: [], runtime: '' }, ort: { http: [], inference: [], runtime: '' } };
      const n = quick ? 3 : 30;
      for (let i = 0; i < n + 2; i++) {
        for (const which of ['all', 'ort'] as const) {
          const s = performance.now();
          const res = await fetch(`${workers[which].url}/v1/${task}${task === 'segment' ? '?mask=none' : ''}`, { method: 'POST', headers: { 'content-type': image.type, 'cache-control': 'no-cache' }, body: image.bytes });
          const body = (await res.json()) as { model: { runtime: string }; timings: { inference_ms: number } };
          const e = performance.now() - s;
          if (i < 2) continue; // warm-up (the first loads the runtime and the model)
          times[which].http.push(e);
          times[which].inference.push(body.timings.inference_ms);
          times[which].runtime = body.model.runtime;
        }
      }
      const [a, o] = [times.all, times.ort];
      const m = (xs: number[]) => r.stats(xs).median;
      rows.push([task, `${a.runtime}: ${f1(m(a.inference))}`, `${o.runtime}: ${f1(m(o.inference))}`, (m(o.inference) / m(a.inference)).toFixed(2), f1(m(a.http)), f1(m(o.http)), (m(o.http) / m(a.http)).toFixed(2)]);
      out[task] = times;
    }
    r.table(['default model', 'inference p50, served', 'inference p50, ORT only', 'inference speed-up', 'HTTP p50, served', 'HTTP p50, ORT only', 'end-to-end speed-up'], rows);
    r.json.endToEnd = out;
  } finally {
    await workers.all.stop();
    await workers.ort.stop();
  }
}
