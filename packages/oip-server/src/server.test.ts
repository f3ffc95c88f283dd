/**
 * The reference OIP v2 server on loopback, serving a repository generated from the manifest (so the generated
 * configs are what it reads): the protocol's endpoints and errors, and the worker's OIP runtime against it giving
 * the same answers as the edge engine on the same input tensors, for every default model.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, modelDir } from '../../../test/support/fixtures';
import { topK } from '../../worker/src/classify/postprocess';
import { iou } from '../../worker/src/detect/boxes';
import { decodeImage } from '../../worker/src/image/decode';
import { type ArtifactSpec, findModel, type ModelSpec } from '../../worker/src/models/manifest';
import { oipArtifactOf, remoteArtifact } from '../../worker/src/models/placement';
import { createNodeProvider } from '../../worker/src/node';
import { imageToTensor } from '../../worker/src/pipeline/preprocess';
import { createOipRuntime } from '../../worker/src/runtimes/oip-v2/runtime';
import { tensor, type Tensors } from '../../worker/src/runtimes/types';
import { generateRepository } from './generate-repo';
import { loadRepository, type OipServer, startOipServer } from './server';

const defaults = { classify: findModel('classify', undefined), detect: findModel('detect', undefined), segment: findModel('segment', undefined) };

let repo: string;
let server: OipServer;
beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), 'cvkit-repo-'));
  await generateRepository({ modelDir, outDir: repo, only: Object.values(defaults).map((m) => m.id), kind: 'KIND_CPU' });
  server = await startOipServer({ repository: repo, port: 0 });
});
afterAll(async () => {
  await server?.close();
  await rm(repo, { recursive: true, force: true });
});

const get = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);

describe('the protocol endpoints', () => {
  it('health, server metadata with the binary extension, model metadata from the generated config', async () => {
    expect((await get('/v2/health/live')).status).toBe(200);
    const ready = await get('/v2/health/ready');
    expect([ready.status, await ready.text()]).toEqual([200, '']);
    expect(await (await get('/v2')).json()).toMatchObject({ name: 'cvkit-oip-server', extensions: expect.arrayContaining(['binary_tensor_data']) });
    const id = defaults.detect.id;
    expect(await (await get(`/v2/models/${id}`)).json()).toEqual({
      name: id,
      versions: ['1'],
      platform: 'onnxruntime_onnx',
      inputs: [
        { name: 'images', datatype: 'FP32', shape: [-1, 3, 416, 416] },
        { name: 'orig_target_sizes', datatype: 'INT64', shape: [-1, 2] },
      ],
      outputs: [
        { name: 'labels', datatype: 'INT64', shape: [-1, -1] },
        { name: 'boxes', datatype: 'FP32', shape: [-1, -1, 4] },
        { name: 'scores', datatype: 'FP32', shape: [-1, -1] },
      ],
    });
    expect((await get(`/v2/models/${id}/ready`)).status).toBe(200);
    expect((await get(`/v2/models/${id}/versions/1`)).status).toBe(200);
    const config = await readFile(join(repo, id, 'config.pbtxt'), 'utf8');
    expect(config).toContain('dims: [ -1, 3, 416, 416 ]');
  });

  it("answers errors in Triton's shape with Triton's status codes", async () => {
    const cases: [string, RequestInit | undefined, number, RegExp][] = [
      ['/v2/models/nope', undefined, 404, /unknown model: 'nope'/],
      ['/v2/models/nope/infer', { method: 'POST', body: '{}' }, 404, /unknown model/],
      [`/v2/models/${defaults.classify.id}/versions/7`, undefined, 404, /version 7/],
      [`/v2/models/${defaults.classify.id}/infer`, { method: 'GET' }, 405, /use POST/],
      [`/v2/models/${defaults.classify.id}/infer`, { method: 'POST', body: 'not json' }, 400, /not JSON/],
      [`/v2/models/${defaults.classify.id}/infer`, { method: 'POST', body: '{"inputs":[]}' }, 400, /expected 1 inputs but got 0/],
      [
        `/v2/models/${defaults.classify.id}/infer`,
        { method: 'POST', body: JSON.stringify({ inputs: [{ name: 'input', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] }) },
        400,
        /unexpected shape for input 'input'.*Expected \[1,3,224,224\], got \[1,3\]/,
      ],
      [
        `/v2/models/${defaults.classify.id}/infer`,
        { method: 'POST', body: JSON.stringify({ inputs: [{ name: 'input', shape: [1], datatype: 'INT32', data: [1] }] }) },
        400,
        /unexpected datatype INT32 for inference input 'input', expecting FP32/,
      ],
      [
        `/v2/models/${defaults.classify.id}/infer`,
        { method: 'POST', body: JSON.stringify({ inputs: [{ name: 'x', shape: [1], datatype: 'FP32', data: [1] }] }) },
        400,
        /unexpected inference input 'x'/,
      ],
      ['/elsewhere', undefined, 404, /Not Found/],
    ];
    for (const [path, init, status, message] of cases) {
      const res = await get(path, init);
      const body = (await res.json()) as { error: string };
      expect([path, res.status]).toEqual([path, status]);
      expect(Object.keys(body)).toEqual(['error']);
      expect(body.error).toMatch(message);
    }
    expect((await get('/v2/health/ready')).status).toBe(200);
  });

  it('implements every extension it advertises: model configuration, repository index/load/unload, statistics, classification', async () => {
    const { extensions } = (await (await get('/v2')).json()) as { extensions: string[] };
    expect(extensions).toEqual(['binary_tensor_data', 'classification', 'model_configuration', 'model_repository', 'statistics']);
    const id = defaults.classify.id;
    const post = (path: string, body: unknown) => get(path, { method: 'POST', body: JSON.stringify(body) });

    // model_configuration: config.pbtxt as Triton's JSON (64-bit dims as strings), agreeing with the metadata
    const config = (await (await get(`/v2/models/${id}/config`)).json()) as { name: string; max_batch_size: number; input: { name: string; data_type: string; dims: string[] }[] };
    const metadata = (await (await get(`/v2/models/${id}`)).json()) as { inputs: { name: string; shape: number[] }[] };
    expect(config).toMatchObject({ name: id, platform: 'onnxruntime_onnx', backend: 'onnxruntime' });
    expect(config.input.map((t) => [t.name, t.data_type])).toEqual([['input', 'TYPE_FP32']]);
    expect((config.max_batch_size > 0 ? [-1] : []).concat(config.input[0]?.dims.map(Number) ?? [])).toEqual(metadata.inputs[0]?.shape);

    // model_repository: every served model READY; load of a served model is a no-op, the rest refused as Triton does
    const index = (await (await post('/v2/repository/index', {})).json()) as { name: string; state: string }[];
    expect(index.map((m) => m.name).sort()).toEqual(server.models.slice().sort());
    expect(index.every((m) => m.state === 'READY')).toBe(true);
    expect((await post(`/v2/repository/models/${id}/load`, {})).status).toBe(200);
    for (const path of [`/v2/repository/models/${id}/unload`, '/v2/repository/models/nope/load']) {
      const res = await post(path, {});
      expect([path, res.status]).toEqual([path, 400]);
      expect(((await res.json()) as { error: string }).error).toMatch(/not allowed/);
    }

    // classification: the top 3 of output_0 as "value:index" strings, the same as the top 3 of the raw output
    const input = { name: 'input', shape: [1, 3, 224, 224], datatype: 'FP32', data: Array.from({ length: 3 * 224 * 224 }, (_, i) => ((i * 7919) % 255) / 255 - 0.5) };
    const raw = (await (await post(`/v2/models/${id}/infer`, { inputs: [input] })).json()) as { outputs: { data: number[] }[] };
    const classified = (await (await post(`/v2/models/${id}/infer`, { inputs: [input], outputs: [{ name: 'output_0', parameters: { classification: 3 } }] })).json()) as {
      outputs: { name: string; datatype: string; shape: number[]; data: string[] }[];
    };
    const out = classified.outputs[0];
    expect(out).toMatchObject({ name: 'output_0', datatype: 'BYTES', shape: [1, 3] });
    expect(out?.data.map((d) => Number(d.split(':')[1]))).toEqual(topK(raw.outputs[0]?.data ?? [], 3));
    expect(out?.data.every((d) => /^-?\d+\.\d{6}:\d+$/.test(d))).toBe(true);
    const boxes = await post(`/v2/models/${defaults.detect.id}/infer`, {
      inputs: [
        { name: 'images', shape: [1, 3, 416, 416], datatype: 'FP32', data: new Array(3 * 416 * 416).fill(0) },
        { name: 'orig_target_sizes', shape: [1, 2], datatype: 'INT64', data: [416, 416] },
      ],
      outputs: [{ name: 'boxes', parameters: { classification: 2 } }],
    });
    expect([boxes.status, ((await boxes.json()) as { error: string }).error]).toEqual([400, expect.stringMatching(/classification needs a \[batch, classes\] output/)]);

    // statistics: the requests above, counted per model
    const { model_stats: one } = (await (await get(`/v2/models/${id}/stats`)).json()) as { model_stats: { name: string; inference_count: number; last_inference: number; inference_stats: { success: { count: number; ns: number } } }[] };
    expect(one).toHaveLength(1);
    expect(one[0]?.name).toBe(id);
    expect(one[0]?.inference_count).toBeGreaterThanOrEqual(2);
    expect(one[0]?.inference_stats.success.count).toBe(one[0]?.inference_count);
    expect(one[0]?.inference_stats.success.ns).toBeGreaterThan(0);
    expect(one[0]?.last_inference).toBeGreaterThan(0);
    const all = (await (await get('/v2/models/stats')).json()) as { model_stats: { name: string }[] };
    expect(all.model_stats.map((m) => m.name).sort()).toEqual(server.models.slice().sort());
  });

  it('a request over the body limit is a 413, and the server keeps serving', async () => {
    const small = await startOipServer({ repository: repo, port: 0, maxBodyBytes: 1024 });
    try {
      const res = await fetch(`${small.url}/v2/models/${defaults.classify.id}/infer`, { method: 'POST', body: new Uint8Array(4096) });
      expect(res.status).toBe(413);
      expect((await fetch(`${small.url}/v2/health/ready`)).status).toBe(200);
    } finally {
      await small.close();
    }
  });

  it('--cuda without the CUDA provider libraries is a clear error, not a crash', async () => {
    await expect(loadRepository({ repository: repo, executionProvider: 'cuda' })).rejects.toThrow(
      /CUDA execution provider is not available: .*libonnxruntime_providers_cuda\.so.*ONNXRUNTIME_NODE_INSTALL=cuda12/,
    );
  });

  it('a config that does not describe its model file is refused at load, naming the difference', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'cvkit-bad-repo-'));
    try {
      await generateRepository({ modelDir, outDir: bad, only: [defaults.classify.id], kind: 'KIND_CPU' });
      const path = join(bad, defaults.classify.id, 'config.pbtxt');
      await writeFile(path, (await readFile(path, 'utf8')).replace('dims: [ 1, 3, 224, 224 ]', 'dims: [ 1, 3, 256, 256 ]'));
      await expect(loadRepository({ repository: bad })).rejects.toThrow(/input 'input' dims \[1,3,256,256\] do not fit model.onnx \[1,3,224,224\]/);
    } finally {
      await rm(bad, { recursive: true, force: true });
    }
  });
});

describe('the OIP runtime against the reference server: the edge ONNX file, served remotely, answers alike', () => {
  // Native onnxruntime on the server and onnxruntime-web at the edge run the same file on the same tensor (the
  // API-level parity of both tiers, pipelines included, is in test/gpu-tier.test.ts).
  const edge = createNodeProvider({ modelDir, runtimes: ['ort-web'] });

  async function both(model: ModelSpec, photo: string, mode: 'binary' | 'json' = 'binary') {
    const onnx = model.artifacts.find((a) => a.runtime === 'ort-web') as ArtifactSpec;
    const remote = remoteArtifact(model) as ArtifactSpec;
    const decoded = await decodeImage(fixture(photo), { minWidth: model.input.width, minHeight: model.input.height });
    const { tensor: input } = imageToTensor(decoded, model.input, onnx.input);
    const feeds: Tensors = { [onnx.input.name]: input };
    for (const f of onnx.feeds) feeds[f.name] = tensor('int64', BigInt64Array.from([BigInt(decoded.original.width), BigInt(decoded.original.height)]), [1, 2]);
    const local = await edge.resident.run(onnx, feeds);
    const gpu = createOipRuntime({ baseUrl: server.url, mode });
    const served = await (await gpu.load({ artifact: oipArtifactOf(remote) })).run(feeds);
    return { local, served, transfer: gpu.lastTransfer() };
  }

  for (const mode of ['binary', 'json'] as const) {
    it(`classify (${mode}): the same top-1 with its probability within 0.03`, async () => {
      const model = defaults.classify;
      for (const photo of mode === 'binary' ? ['grace_hopper.png', 'cat.png', 'hot_dog.jpg'] : ['grace_hopper.png']) {
        const { local, served, transfer } = await both(model, photo, mode);
        const a = local.output_0?.data as Float32Array;
        const b = served.output_0?.data as Float32Array;
        const [top] = topK(a, 1) as [number];
        expect([photo, topK(b, 1)[0]]).toEqual([photo, top]);
        expect(Math.abs((a[top] as number) - (b[top] as number))).toBeLessThan(0.03);
        // 3x224x224 FP32 is 602 112 bytes binary; as JSON numbers it is several times that.
        if (mode === 'binary') expect(transfer?.sent).toBeLessThan(602_112 + 400);
        else expect(transfer?.sent).toBeGreaterThan(2 * 602_112);
      }
    });
  }

  it('detect: the same boxes (IoU >= 0.99) for every detection scoring 0.5 or more', async () => {
    const { local, served } = await both(defaults.detect, 'pets.jpg');
    const pick = (outs: Tensors) => {
      const scores = outs.scores?.data as Float32Array;
      const boxes = outs.boxes?.data as Float32Array;
      const labels = outs.labels?.data as BigInt64Array;
      return [...scores.keys()]
        .filter((i) => (scores[i] as number) >= 0.5)
        .sort((i, j) => (scores[j] as number) - (scores[i] as number))
        .map((i) => ({ label: Number(labels[i]), box: { x1: boxes[4 * i] as number, y1: boxes[4 * i + 1] as number, x2: boxes[4 * i + 2] as number, y2: boxes[4 * i + 3] as number } }));
    };
    const a = pick(local);
    const b = pick(served);
    expect(a.length).toBeGreaterThan(0);
    expect(b.map((d) => d.label)).toEqual(a.map((d) => d.label));
    a.forEach((d, i) => expect(iou(d.box, (b[i] as typeof d).box)).toBeGreaterThanOrEqual(0.99));
  });

  it('segment (argmax in the graph): the same class on at least 99% of pixels', async () => {
    const { local, served } = await both(defaults.segment, 'bird.png');
    const a = local.output_0?.data as BigInt64Array;
    const b = served.output_0?.data as BigInt64Array;
    expect(b.length).toBe(a.length);
    let same = 0;
    for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
    expect(same / a.length).toBeGreaterThanOrEqual(0.99);
    expect(new Set(a).size).toBeGreaterThan(1);
  });
});
