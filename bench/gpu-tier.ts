/**
 * Benchmark section: the GPU tier. Per default model, the same input tensor through the edge runtime (ORT-web wasm
 * in Node, one thread) and through the OIP v2 runtime to the reference server on loopback (onnxruntime-node on the
 * CPU, one thread: no GPU machine was available), binary tensors and JSON tensors; bytes on the wire per request;
 * and the codec's own encode/decode time at 224x224 and 640x640 (goals: <= 1 ms and <= 5 ms).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeEngine } from '../packages/worker/src/node';
import { manifest, type ModelSpec } from '../packages/worker/src/models/manifest';
import { oipArtifact } from '../packages/worker/src/models/placement';
import { decodeInferResponse, encodeInferRequest, encodeInferResponse, decodeInferRequest } from '../packages/worker/src/runtimes/oip-v2/codec';
import { createOipRuntime } from '../packages/worker/src/runtimes/oip-v2/runtime';
import { tensor, type Tensors } from '../packages/worker/src/runtimes/types';
import { generateRepository } from '../packages/oip-server/src/generate-repo';
import { startOipServer } from '../packages/oip-server/src/server';
import { benchTensor } from './tensor';

export interface Report {
  say(line?: string): void;
  table(headers: string[], rows: (string | number)[][]): void;
  json: Record<string, unknown>;
  quick: boolean;
  modelDir: string;
}

function pct(xs: number[], p: number) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '-');
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

function feedsFor(model: ModelSpec, input: Float32Array, shape: number[]): Tensors {
  const feeds: Tensors = { [model.input.name]: tensor('float32', input, shape) };
  for (const f of model.feeds) feeds[f.name] = tensor('int64', BigInt64Array.from([BigInt(model.input.width), BigInt(model.input.height)]), [1, 2]);
  return feeds;
}

function codecTimes(size: number, runs: number) {
  const data = benchTensor({ width: size, height: size });
  const input = tensor('float32', data, [1, 3, size, size]);
  const t = { encode: [] as number[], decode: [] as number[], jsonEncode: [] as number[] };
  for (let i = 0; i < runs + 1; i++) {
    let t0 = performance.now();
    const req = encodeInferRequest({ images: input }, { binary: true, outputs: ['out'] });
    const encodeMs = performance.now() - t0;
    const res = encodeInferResponse({ out: input }, { model_name: 'm', binary: () => true });
    t0 = performance.now();
    decodeInferResponse(res.body, res.headers['inference-header-content-length']);
    const decodeMs = performance.now() - t0;
    t0 = performance.now();
    const json = encodeInferRequest({ images: input }, { binary: false });
    const jsonMs = performance.now() - t0;
    if (i === 0) {
      // warm-up; also check the round trip once
      const back = decodeInferRequest(req.body, req.headers['inference-header-content-length']);
      if (back.inputs.images?.data.length !== data.length || json.body.length === 0) throw new Error('codec round trip failed');
      continue;
    }
    t.encode.push(encodeMs);
    t.decode.push(decodeMs);
    t.jsonEncode.push(jsonMs);
  }
  return t;
}

export async function gpuTierSection({ say, table, json, quick, modelDir }: Report) {
  say('## 9. The GPU tier (Open Inference Protocol v2)');
  say();
  say('No GPU machine was available: the "GPU tier" here is the reference OIP v2 server (`packages/oip-server`,');
  say('onnxruntime-node on the CPU, one intra-op thread) on loopback, sharing the cores with the client. The numbers show');
  say("the protocol's cost (encode, HTTP, decode) over native inference, not GPU speed. Edge: ORT-web wasm in Node, one thread.");
  say();
  const runs = quick ? 3 : 30;
  const models = manifest.models.filter((m) => m.default);
  const repo = mkdtempSync(join(tmpdir(), 'cvkit-bench-repo-'));
  await generateRepository({ modelDir, outDir: repo, only: models.map((m) => m.id), kind: 'KIND_CPU' });
  const server = await startOipServer({ repository: repo, port: 0, threads: 1 });
  const engine = createNodeEngine(modelDir);
  const rows: (string | number)[][] = [];
  const out: Record<string, unknown> = {};
  try {
    for (const model of models) {
      const artifact = oipArtifact(model);
      if (!artifact) continue;
      const input = benchTensor(model.input);
      const feeds = feedsFor(model, input, artifact.inputs[0]?.shape as number[]);
      const edge: number[] = [];
      const modes = { binary: createOipRuntime({ baseUrl: server.url, mode: 'binary' }), json: createOipRuntime({ baseUrl: server.url, mode: 'json' }) };
      const loaded = { binary: await modes.binary.load({ artifact }), json: await modes.json.load({ artifact }) };
      const gpu = { binary: [] as number[], json: [] as number[] };
      // Interleaved so that machine noise hits all three alike; the first round warms up.
      for (let i = 0; i < runs + 1; i++) {
        let t0 = performance.now();
        await engine.run(model, input, { imageSize: model.input });
        if (i > 0) edge.push(performance.now() - t0);
        for (const mode of ['binary', 'json'] as const) {
          // JSON tensors cost seconds per call for the big inputs: a third of the runs tell the story.
          if (mode === 'json' && i > Math.ceil(runs / 3)) continue;
          t0 = performance.now();
          await loaded[mode].run(feeds);
          if (i > 0) gpu[mode].push(performance.now() - t0);
        }
      }
      const bin = modes.binary.lastTransfer();
      const js = modes.json.lastTransfer();
      rows.push([
        `${model.id} (${model.task})`,
        `${f1(pct(edge, 50))} / ${f1(pct(edge, 95))}`,
        `${f1(pct(gpu.binary, 50))} / ${f1(pct(gpu.binary, 95))}`,
        `${f1(pct(gpu.json, 50))} / ${f1(pct(gpu.json, 95))}`,
        `${kb(bin?.sent ?? NaN)} / ${kb(bin?.received ?? NaN)}`,
        `${kb(js?.sent ?? NaN)} / ${kb(js?.received ?? NaN)}`,
      ]);
      out[model.id] = { edge_ms: { p50: pct(edge, 50), p95: pct(edge, 95) }, gpu_binary_ms: { p50: pct(gpu.binary, 50), p95: pct(gpu.binary, 95) }, gpu_json_ms: { p50: pct(gpu.json, 50), p95: pct(gpu.json, 95) }, binary_bytes: bin, json_bytes: js };
    }
  } finally {
    await server.close();
    rmSync(repo, { recursive: true, force: true });
  }
  table(['model', 'edge wasm p50 / p95 ms', 'GPU tier binary p50 / p95 ms', 'GPU tier JSON p50 / p95 ms', 'binary sent / received', 'JSON sent / received'], rows);

  const codecRows: (string | number)[][] = [];
  const codec: Record<string, unknown> = {};
  for (const [size, goal] of [
    [224, 1],
    [640, 5],
  ] as const) {
    const t = codecTimes(size, quick ? 3 : 20);
    codecRows.push([`${size}x${size} FP32 (${kb(3 * size * size * 4)})`, f2(pct(t.encode, 50)), f2(pct(t.decode, 50)), `<= ${goal}`, f2(pct(t.jsonEncode, 50))]);
    codec[size] = { encode_ms: pct(t.encode, 50), decode_ms: pct(t.decode, 50), json_encode_ms: pct(t.jsonEncode, 50) };
  }
  table(['tensor', 'binary encode ms (p50)', 'binary decode ms (p50)', 'goal ms', 'JSON encode ms (p50)'], codecRows);
  json.gpu_tier = { models: out, codec };
}
