/**
 * Benchmark section: inference per model on every runtime that has an artifact for it, side by side, with the
 * product's own runtimes (no engine code here): LiteRT.js and onnxruntime-web inside workerd (timed in the isolate
 * by bench/worker.ts) and in Node, plus native onnxruntime-node on the ONNX file (the ceiling), with the ratios.
 * Then what each runtime adds to the deployable worker (gzip), and the worker against Cloudflare's size limits.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as ortNative from 'onnxruntime-node';
import { manifest, RUNTIME_KINDS, type ArtifactSpec, type ModelSpec } from '../packages/worker/src/models/manifest';
import { createNodeProvider } from '../packages/worker/src/node';
import type { Tensors } from '../packages/worker/src/runtimes/types';
import type { WorkerServer } from '../test/support/worker-server';
import { repoRoot } from '../test/support/worker-server';
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
      const res = (await (await fetch(`${bench.url}/infer?model=${model.id}&runtime=${artifact.runtime}&runs=${runs}`)).json()) as { load_ms: number | null; runs_ms: number[] };
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
  const require = createRequire(import.meta.url);
  const size = (specifier: string) => {
    const bytes = readFileSync(require.resolve(specifier));
    return { raw: bytes.length, gzip: gzipSync(bytes).length };
  };
  const parts = [
    ['LiteRT.js wasm (compat build)', '@litertjs/core/wasm/litert_wasm_compat_internal.wasm'],
    ['LiteRT.js glue', '@litertjs/core/wasm/litert_wasm_compat_internal.js'],
    ['LiteRT.js library', '@litertjs/core'],
    ['onnxruntime-web wasm', 'onnxruntime-web/ort-wasm-simd-threaded.wasm'],
    ['onnxruntime-web library + glue (wasm bundle)', 'onnxruntime-web/wasm'],
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
