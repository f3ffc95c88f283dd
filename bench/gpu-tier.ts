/**
 * Benchmark section: the GPU tier. Per default model, the whole request in-process with tier=edge and with tier=gpu
 * (the OIP v2 runtime to the reference server on loopback: onnxruntime-node on the CPU, one thread; no GPU machine
 * was available), binary tensors and JSON tensors; bytes on the wire per request;
 * and the codec's own encode/decode time at 224x224 and 640x640 (goals: <= 1 ms and <= 5 ms).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../packages/worker/src/app';
import { manifest } from '../packages/worker/src/models/manifest';
import { createNodeProvider, folderFiles } from '../packages/worker/src/node';
import { createGpuTier } from '../packages/worker/src/providers/gpu-tier';
import { decodeInferRequest, decodeInferResponse, encodeInferRequest, encodeInferResponse } from '../packages/worker/src/runtimes/oip-v2/codec';
import { tensor } from '../packages/worker/src/runtimes/types';
import { generateRepository } from '../packages/oip-server/src/generate-repo';
import { startOipServer } from '../packages/oip-server/src/server';
import { benchTensor } from './tensor';

export interface Report {
  say(line?: string): void;
  table(headers: string[], rows: (string | number)[][]): void;
  json: Record<string, unknown>;
  quick: boolean;
  modelDir: string;
  /** The fixture photos (CVKIT_FIXTURES). */
  fixtures: string;
}

function pct(xs: number[], p: number) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '-');
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

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

export async function gpuTierSection({ say, table, json, quick, modelDir, fixtures }: Report) {
  say('## 9. The GPU tier (Open Inference Protocol v2)');
  say();
  say('No GPU machine was available: the "GPU tier" here is the reference OIP v2 server (`packages/oip-server`,');
  say('onnxruntime-node on the CPU, one intra-op thread) on loopback, sharing the cores with the worker. The numbers show');
  say("the protocol's cost (encode, HTTP, decode) around native inference, not GPU speed. Each request runs the whole API");
  say('in-process (Node): decode, preprocess, inference on the tier asked for (`tier=edge` / `tier=gpu`), postprocess.');
  say();
  const runs = quick ? 1 : 20;
  // The defaults the GPU tier serves (pose and embed are edge-only).
  const models = manifest.models.filter((m) => m.default && m.where !== 'edge');
  const photos: Record<string, string> = { classify: 'grace_hopper.png', detect: 'pets.jpg', segment: 'bird.png' };
  const repo = mkdtempSync(join(tmpdir(), 'cvkit-bench-repo-'));
  await generateRepository({ modelDir, outDir: repo, only: models.map((m) => m.id), kind: 'KIND_CPU' });
  const servers = { binary: await startOipServer({ repository: repo, port: 0, threads: 1 }), json: await startOipServer({ repository: repo, port: 0, threads: 1, binary: false }) };
  const edge = createNodeProvider({ modelDir });
  const tiers = {
    binary: createGpuTier({ url: servers.binary.url, timeoutMs: 120_000 }, folderFiles(modelDir)),
    json: createGpuTier({ url: servers.json.url, timeoutMs: 120_000 }, folderFiles(modelDir)),
  };
  const apps = { binary: createApp({ provider: edge, gpu: tiers.binary }), json: createApp({ provider: edge, gpu: tiers.json }) };
  const rows: (string | number)[][] = [];
  const out: Record<string, unknown> = {};
  try {
    for (const model of models) {
      const photo = readFileSync(join(fixtures, photos[model.task] as string));
      const type = photos[model.task]?.endsWith('.png') ? 'image/png' : 'image/jpeg';
      const post = async (app: ReturnType<typeof createApp>, tier: string) => {
        const t0 = performance.now();
        const res = await app.request(`/v1/${model.task}?model=${model.id}&tier=${tier}`, { method: 'POST', headers: { 'content-type': type, 'cache-control': 'no-cache' }, body: photo });
        await res.arrayBuffer();
        if (res.status !== 200 || res.headers.get('x-cvkit-tier') !== (tier === 'gpu' ? 'gpu' : 'edge')) throw new Error(`${model.id} tier=${tier}: ${res.status}`);
        return performance.now() - t0;
      };
      const t = { edge: [] as number[], binary: [] as number[], json: [] as number[] };
      // Interleaved so that machine noise hits all three alike; the first round warms up.
      for (let i = 0; i < runs + 1; i++) {
        const e = await post(apps.binary, 'edge');
        const b = await post(apps.binary, 'gpu');
        // JSON tensors cost seconds per call for the big inputs: a third of the runs tell the story.
        // Quick mode (a smoke test): JSON for the classifier only.
        const jsonNow = i <= Math.ceil(runs / 3) && (!quick || model.task === 'classify');
        const j = jsonNow ? await post(apps.json, 'gpu') : undefined;
        if (i === 0) continue;
        t.edge.push(e);
        t.binary.push(b);
        if (j !== undefined) t.json.push(j);
      }
      const bin = tiers.binary.runtime.lastTransfer();
      const js = tiers.json.runtime.lastTransfer();
      const p = (xs: number[]) => `${f1(pct(xs, 50))} / ${f1(pct(xs, 95))}`;
      rows.push([`${model.id} (${model.task})`, p(t.edge), p(t.binary), p(t.json), `${kb(bin?.sent ?? NaN)} / ${kb(bin?.received ?? NaN)}`, `${kb(js?.sent ?? NaN)} / ${kb(js?.received ?? NaN)}`]);
      out[model.id] = {
        edge_ms: { p50: pct(t.edge, 50), p95: pct(t.edge, 95) },
        gpu_binary_ms: { p50: pct(t.binary, 50), p95: pct(t.binary, 95) },
        gpu_json_ms: { p50: pct(t.json, 50), p95: pct(t.json, 95) },
        binary_bytes: bin,
        json_bytes: js,
      };
    }
  } finally {
    await servers.binary.close();
    await servers.json.close();
    rmSync(repo, { recursive: true, force: true });
  }
  table(['model (whole request)', 'edge p50 / p95 ms', 'GPU tier, binary p50 / p95 ms', 'GPU tier, JSON p50 / p95 ms', 'binary sent / received', 'JSON sent / received'], rows);

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
