/**
 * The GPU tier through the API: the app (in-process, Node) against the reference OIP v2 server on loopback for
 * parity between the tiers, against fault servers for every failure (auto answers from the edge with `fallback`,
 * tier=gpu answers the mapped error, nothing is a 500), and the real worker in workerd (wrangler dev) with GPU_URL
 * pointing at the reference server.
 */
import type { ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClassifyResponse, DetectResponse, ErrorBody, Health, ModelList, SegmentResponse } from '@cvkit/sdk/contract';
import { decodeMask } from '../packages/sdk/src/helpers/class-map';
import { generateRepository } from '../packages/oip-server/src/generate-repo';
import { type OipServer, startOipServer } from '../packages/oip-server/src/server';
import { iou } from '../packages/worker/src/detect/boxes';
import { findModel } from '../packages/worker/src/models/manifest';
import { oipArtifactOf, remoteArtifact } from '../packages/worker/src/models/placement';
import { createNodeApp } from '../packages/worker/src/node';
import { encodeInferResponse } from '../packages/worker/src/runtimes/oip-v2/codec';
import { fixture, modelDir } from './support/fixtures';
import { type LoopbackRequest, type LoopbackServer, sendJson, startLoopbackServer } from './support/loopback-server';
import { startWorker, type WorkerServer } from './support/worker-server';

const GPU_PREFERRING = 'mobilenet_v2_1.0_224'; // placement.json: both, prefers the GPU
const ARGMAX_ADDED = 'deeplab_v3_1_default_1'; // logits at the edge; the generated repository appends an ArgMax
const defaults = { classify: findModel('classify', undefined), detect: findModel('detect', undefined), segment: findModel('segment', undefined) };

let repo: string;
let reference: OipServer;
beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), 'cvkit-gpu-repo-'));
  await generateRepository({ modelDir, outDir: repo, only: [...Object.values(defaults).map((m) => m.id), GPU_PREFERRING, ARGMAX_ADDED], kind: 'KIND_CPU' });
  reference = await startOipServer({ repository: repo, port: 0 });
});
afterAll(async () => {
  await reference?.close();
  await rm(repo, { recursive: true, force: true });
});

const post = (app: ReturnType<typeof createNodeApp>, path: string, photo: string, init: RequestInit = {}) =>
  app.request(path, { method: 'POST', headers: { 'content-type': photo.endsWith('.png') ? 'image/png' : 'image/jpeg' }, body: fixture(photo), ...init });

describe('the same photo through the edge and through the reference server', () => {
  let app: ReturnType<typeof createNodeApp>;
  beforeAll(() => {
    app = createNodeApp({ modelDir, gpu: { url: reference.url, timeoutMs: 30_000 } });
  });

  it('classify: the same top-1, and every response says where it ran', async () => {
    for (const photo of ['grace_hopper.png', 'cat.png', 'hot_dog.jpg']) {
      const [edge, gpu] = await Promise.all(['edge', 'gpu'].map((tier) => post(app, `/v1/classify?tier=${tier}`, photo)));
      if (gpu?.status !== 200) throw new Error(`tier=gpu: ${gpu?.status} ${await gpu?.text()}`);
      expect(edge?.status).toBe(200);
      expect([edge?.headers.get('x-cvkit-tier'), gpu?.headers.get('x-cvkit-tier')]).toEqual(['edge', 'gpu']);
      const a = (await edge?.json()) as ClassifyResponse;
      const b = (await gpu?.json()) as ClassifyResponse;
      expect(a.model).toMatchObject({ id: defaults.classify.id, tier: 'edge', tiers: ['edge', 'gpu'] });
      expect(b.model).toMatchObject({ id: defaults.classify.id, tier: 'gpu' });
      expect(b.fallback).toBeUndefined();
      expect([photo, b.predictions[0]?.label]).toEqual([photo, a.predictions[0]?.label]);
    }
  });

  it('detect: the same boxes (IoU >= 0.99)', async () => {
    const [edge, gpu] = await Promise.all(['edge', 'gpu'].map(async (tier) => (await post(app, `/v1/detect?tier=${tier}`, 'pets.jpg')).json() as Promise<DetectResponse>));
    expect(gpu?.model.tier).toBe('gpu');
    expect(edge?.detections.length).toBeGreaterThan(0);
    expect(gpu?.detections.map((d) => d.label)).toEqual(edge?.detections.map((d) => d.label));
    edge?.detections.forEach((d, i) => expect(iou(d.box, gpu?.detections[i]?.box as typeof d.box)).toBeGreaterThanOrEqual(0.99));
  });

  it.each([defaults.segment.id, ARGMAX_ADDED])('segment (%s): the same class on at least 99% of pixels', async (id) => {
    const [edge, gpu] = await Promise.all(['edge', 'gpu'].map(async (tier) => (await post(app, `/v1/segment?tier=${tier}&model=${id}`, 'bird.png')).json() as Promise<SegmentResponse>));
    expect(gpu?.model).toMatchObject({ id, tier: 'gpu' });
    expect(gpu?.segments.map((s) => s.label)).toContain('bird');
    const a = await decodeMask(edge as SegmentResponse);
    const b = await decodeMask(gpu as SegmentResponse);
    expect([b.width, b.height]).toEqual([a.width, a.height]);
    let same = 0;
    for (let i = 0; i < a.data.length; i++) if (a.data[i] === b.data[i]) same++;
    expect(same / a.data.length).toBeGreaterThanOrEqual(0.99);
  });

  it('auto follows the preference: small defaults on the edge, GPU-preferring models on the GPU', async () => {
    const small = await post(app, '/v1/classify', 'cat.png');
    expect(small.headers.get('x-cvkit-tier')).toBe('edge');
    const heavy = await post(app, `/v1/classify?model=${GPU_PREFERRING}`, 'cat.png');
    expect(heavy.headers.get('x-cvkit-tier')).toBe('gpu');
    const models = (await (await app.request('/v1/models')).json()) as ModelList;
    expect(models.models.find((m) => m.id === GPU_PREFERRING)).toMatchObject({ tier: 'gpu', tiers: ['edge', 'gpu'] });
    expect(models.models.find((m) => m.id === 'yolox_nano')).toMatchObject({ tier: 'edge', tiers: ['edge'] });
    const health = (await (await app.request('/health')).json()) as Health;
    expect(health.gpu).toEqual({ configured: true, breaker: 'closed' });
  });

  it('tier=gpu for an edge-only model, and a bad tier value, are invalid options', async () => {
    const res = await post(app, '/v1/detect?model=yolox_nano&tier=gpu', 'pets.jpg');
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error).toMatchObject({ code: 'invalid_option' });
    const bad = await post(app, '/v1/classify?tier=cloud', 'cat.png');
    expect(((await bad.json()) as ErrorBody).error.issues?.[0]?.path).toBe('tier');
  });
});

describe('without a GPU tier', () => {
  const app = createNodeApp({ modelDir });
  it('auto is the edge; tier=gpu is a 503 saying no GPU tier is configured; /health says so', async () => {
    const auto = await post(app, `/v1/classify?model=${GPU_PREFERRING}`, 'cat.png');
    expect(auto.status).toBe(200);
    expect(((await auto.json()) as ClassifyResponse).fallback).toBeUndefined();
    const gpu = await post(app, '/v1/classify?tier=gpu', 'cat.png');
    expect(gpu.status).toBe(503);
    // A retry cannot configure a GPU tier: not retryable.
    expect(((await gpu.json()) as ErrorBody).error).toMatchObject({ code: 'upstream_unavailable', retryable: false, message: expect.stringMatching(/No GPU tier is configured/) });
    expect(((await (await app.request('/health')).json()) as Health).gpu).toEqual({ configured: false });
    expect(((await (await app.request('/v1/models')).json()) as ModelList).models.every((m) => m.tier === 'edge' && m.tiers.join() === 'edge')).toBe(true);
  });
});

describe('a saturated isolate spills to the GPU tier', () => {
  // One request in flight at most and none waiting: a request whose image URL has not answered yet holds the only
  // slot (a body still arriving holds none: bodies arrive before admission).
  let images: LoopbackServer;
  let arrived = Promise.resolve();
  beforeAll(async () => {
    images = await startLoopbackServer(async (_req, res) => {
      await arrived;
      res.writeHead(200, { 'content-type': 'image/png' }).end(fixture('cat.png'));
    });
  });
  afterAll(() => images?.close());
  const saturated = (gpu: boolean) =>
    createNodeApp({ modelDir, imageUrls: { allow: ['127.0.0.1'] }, admission: { maxInFlight: 1, maxQueued: 0 }, ...(gpu ? { gpu: { url: reference.url, timeoutMs: 30_000 } } : {}) });
  function hold(app: ReturnType<typeof createNodeApp>) {
    let arrive = () => {};
    arrived = new Promise<void>((ok) => (arrive = ok));
    const answer = app.request('/v1/classify?tier=edge', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ image: `${images.url}/cat.png` }) });
    return { answer, arrive: () => arrive() };
  }
  /** Until a tier=edge request is refused: the held request has the slot (no sleeping on a guess). */
  async function untilFull(app: ReturnType<typeof createNodeApp>) {
    for (;;) {
      const res = await post(app, '/v1/classify?tier=edge', 'cat.png');
      if (res.status === 503) return (await res.json()) as ErrorBody;
      expect(res.status).toBe(200);
    }
  }

  it('auto answers from the GPU with fallback {from: edge, reason: overloaded}; tier=edge and edge-only models get 503', async () => {
    const app = saturated(true);
    const held = hold(app);
    expect((await untilFull(app)).error.code).toBe('overloaded');
    const spilled = await post(app, '/v1/classify', 'cat.png');
    expect(spilled.status).toBe(200);
    expect(spilled.headers.get('x-cvkit-tier')).toBe('gpu');
    const body = (await spilled.json()) as ClassifyResponse;
    expect(body.model.tier).toBe('gpu');
    expect(body.fallback).toMatchObject({ from: 'edge', reason: 'overloaded' });
    expect(body.predictions[0]?.label).toMatch(/^(Egyptian cat|tabby|tiger cat)$/);
    // the same for every task and for /v1/analyze, while a model the GPU tier does not serve is refused
    expect(((await (await post(app, '/v1/segment?mask=none', 'cat.png')).json()) as SegmentResponse).model.tier).toBe('gpu');
    const analyzed = (await (await post(app, '/v1/analyze?tasks=classify', 'cat.png')).json()) as { results: { classify: ClassifyResponse } };
    expect(analyzed.results.classify.model.tier).toBe('gpu');
    const edgeOnly = await post(app, '/v1/detect?model=yolox_nano', 'cat.png');
    expect(edgeOnly.status).toBe(503);
    expect(((await edgeOnly.json()) as ErrorBody).error.code).toBe('overloaded');
    expect(edgeOnly.headers.get('retry-after')).toBe('1');
    held.arrive();
    const first = await held.answer;
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cvkit-tier')).toBe('edge');
  });

  it('without a GPU tier the same request is refused: 503 overloaded with Retry-After', async () => {
    const app = saturated(false);
    const held = hold(app);
    await untilFull(app);
    const refused = await post(app, '/v1/classify', 'cat.png');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    held.arrive();
    expect((await held.answer).status).toBe(200);
  });
});

describe('faults from a GPU server on loopback', () => {
  let fault: LoopbackServer;
  const model = findModel('classify', GPU_PREFERRING);
  const artifact = oipArtifactOf(remoteArtifact(model) as NonNullable<ReturnType<typeof remoteArtifact>>);
  /** A correct server for everything but what `infer` (and optionally `metadata`) does. */
  const serve = (infer: (req: LoopbackRequest, res: ServerResponse) => void, metadata?: unknown) => (req: LoopbackRequest, res: ServerResponse) => {
    if (req.path === '/v2') return sendJson(res, 200, { name: 'fault', extensions: ['binary_tensor_data'] });
    if (req.path === `/v2/models/${model.id}`) {
      return sendJson(res, 200, metadata ?? { name: model.id, inputs: artifact.inputs, outputs: [{ name: 'output_0', datatype: 'FP32', shape: [1, 1001] }] });
    }
    if (req.path === `/v2/models/${model.id}/infer`) return infer(req, res);
    return sendJson(res, 404, { error: 'unknown' });
  };
  const probabilities = () => encodeInferResponse({ output_0: { dtype: 'float32', dims: [1, 1001], data: new Float32Array(1001).fill(1 / 1001) } }, { model_name: model.id, binary: () => true });

  beforeAll(async () => {
    fault = await startLoopbackServer(serve((_req, res) => sendJson(res, 500, { error: 'unset' })));
  });
  afterAll(() => fault.close());

  const cases: { name: string; handler: ReturnType<typeof serve>; status: number; code: string; retryAfter?: string }[] = [
    { name: '503 with Retry-After', handler: serve((_q, r) => sendJson(r, 503, { error: 'overloaded' }, { 'retry-after': '17' })), status: 503, code: 'upstream_unavailable', retryAfter: '17' },
    { name: '500', handler: serve((_q, r) => sendJson(r, 500, { error: 'CUDA error: an illegal memory access was encountered' })), status: 502, code: 'upstream_error' },
    { name: 'connection reset', handler: serve((_q, r) => r.socket?.destroy()), status: 503, code: 'upstream_unavailable', retryAfter: '5' },
    {
      name: 'truncated binary body',
      handler: serve((_q, r) => {
        const { body, headers } = probabilities();
        r.writeHead(200, headers).end(body.subarray(0, body.length - 100));
      }),
      status: 502,
      code: 'upstream_error',
    },
    {
      name: 'wrong Inference-Header-Content-Length',
      handler: serve((_q, r) => {
        const { body, headers } = probabilities();
        r.writeHead(200, { ...headers, 'inference-header-content-length': '3' }).end(body);
      }),
      status: 502,
      code: 'upstream_error',
    },
    {
      name: 'metadata mismatch',
      handler: serve((_q, r) => sendJson(r, 500, { error: 'not reached' }), { name: model.id, inputs: [{ name: 'input', datatype: 'UINT8', shape: [1, 224, 224, 3] }], outputs: [] }),
      status: 502,
      code: 'upstream_error',
    },
    { name: 'a slow answer past the timeout', handler: serve(() => {}), status: 504, code: 'timeout' },
  ];

  for (const c of cases) {
    it(`${c.name}: auto answers 200 from the edge with fallback; tier=gpu answers ${c.status} ${c.code}`, async () => {
      fault.setHandler(c.handler);
      // A fresh app per case: its own breaker and metadata cache. The GPU attempt's deadline covers decoding and
      // preprocessing too: generous, except where the deadline is what is tested (then it is what fires).
      const slow = c.code === 'timeout';
      const app = createNodeApp({ modelDir, gpu: { url: fault.url, timeoutMs: slow ? 1500 : 20_000 } });
      const auto = await post(app, `/v1/classify?model=${GPU_PREFERRING}`, 'cat.png');
      expect(auto.status).toBe(200);
      expect(auto.headers.get('x-cvkit-tier')).toBe('edge');
      const body = (await auto.json()) as ClassifyResponse;
      expect(body.model).toMatchObject({ id: GPU_PREFERRING, tier: 'edge' });
      expect(body.fallback).toMatchObject({ from: 'gpu', reason: c.code });
      expect(body.predictions[0]?.label).toBe('Egyptian cat');
      const gpu = await post(app, `/v1/classify?model=${GPU_PREFERRING}&tier=gpu`, 'cat.png');
      expect(gpu.status).toBe(c.status);
      const error = ((await gpu.json()) as ErrorBody).error;
      expect(error.code).toBe(c.code);
      expect(error.retryable).toBe(true);
      expect(error.message).not.toMatch(/\n/);
      if (c.retryAfter) expect(gpu.headers.get('retry-after')).toBe(c.retryAfter);
      if (c.name === 'metadata mismatch') expect(error.message).toContain("input 'input' is UINT8 on the server, cvkit sends FP32");
      if (c.name === '500') expect(error.message).toContain('illegal memory access');
      // The app keeps serving.
      expect((await post(app, '/v1/classify?tier=edge', 'cat.png')).status).toBe(200);
    });
  }

  it('five failures open the breaker: the GPU is not called, /health shows it, tier=gpu gets Retry-After', async () => {
    fault.setHandler(serve((_q, r) => sendJson(r, 500, { error: 'down' })));
    const app = createNodeApp({ modelDir, gpu: { url: fault.url, timeoutMs: 2000 } });
    for (let i = 0; i < 5; i++) expect((await post(app, `/v1/classify?model=${GPU_PREFERRING}`, 'cat.png')).status).toBe(200);
    const before = fault.requests.length;
    const res = await post(app, `/v1/classify?model=${GPU_PREFERRING}`, 'cat.png');
    expect(((await res.json()) as ClassifyResponse).fallback?.message).toMatch(/circuit breaker is open/);
    expect(fault.requests.length).toBe(before);
    const health = (await (await app.request('/health')).json()) as Health;
    // The breaker's 30 s count down on the real clock: a loaded machine can take a second or more to get here.
    const soon = (n: unknown) => typeof n === 'number' && n > 20 && n <= 30;
    expect(health.gpu).toMatchObject({ configured: true, breaker: 'open', last_error: { code: 'upstream_error' } });
    expect(soon(health.gpu?.retry_after), String(health.gpu?.retry_after)).toBe(true);
    const gpu = await post(app, `/v1/classify?model=${GPU_PREFERRING}&tier=gpu`, 'cat.png');
    expect(gpu.status).toBe(503);
    expect(soon(Number(gpu.headers.get('retry-after'))), String(gpu.headers.get('retry-after'))).toBe(true);
  });

  it("the caller's disconnect aborts the upstream request", async () => {
    let closed!: () => void;
    const cancelled = new Promise<void>((ok) => (closed = ok));
    let arrived!: () => void;
    const reached = new Promise<void>((ok) => (arrived = ok));
    fault.setHandler(
      serve((_q, r) => {
        r.on('close', closed);
        arrived();
      }),
    );
    const app = createNodeApp({ modelDir, gpu: { url: fault.url, timeoutMs: 60_000 } });
    const controller = new AbortController();
    const pending = Promise.resolve(post(app, `/v1/classify?model=${GPU_PREFERRING}&tier=gpu`, 'cat.png', { signal: controller.signal })).catch((e: unknown) => e);
    await reached;
    controller.abort();
    await cancelled;
    await pending;
  });
});

describe('end to end in workerd', () => {
  let worker: WorkerServer;
  beforeAll(async () => {
    worker = await startWorker({ vars: { GPU_URL: reference.url, GPU_TIMEOUT_MS: '30000' } });
  }, 120_000);
  afterAll(() => worker?.stop());

  it('wrangler dev with GPU_URL on the reference server: tier=gpu and auto run there, /health reports it', async () => {
    const health = (await (await fetch(`${worker.url}/health`)).json()) as Health;
    expect(health.gpu).toEqual({ configured: true, breaker: 'closed' });
    const photo = fixture('cat.png');
    const send = (query: string) => fetch(`${worker.url}/v1/classify${query}`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: photo });
    const gpu = await send('?tier=gpu');
    expect(gpu.status).toBe(200);
    expect(gpu.headers.get('x-cvkit-tier')).toBe('gpu');
    const edge = await send('?tier=edge');
    expect(((await gpu.json()) as ClassifyResponse).predictions[0]?.label).toBe(((await edge.json()) as ClassifyResponse).predictions[0]?.label);
    const auto = await send(`?model=${GPU_PREFERRING}`);
    expect([auto.status, auto.headers.get('x-cvkit-tier')]).toEqual([200, 'gpu']);
    const seg = await fetch(`${worker.url}/v1/segment?tier=gpu`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: fixture('bird.png') });
    expect([seg.status, ((await seg.json()) as SegmentResponse).model.tier]).toEqual([200, 'gpu']);
  }, 120_000);
});
