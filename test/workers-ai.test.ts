/**
 * Workers AI through the API. Workers AI cannot run offline, so the `[ai]` binding here is an object that records
 * what it is sent and answers in the documented output shapes of @cf/microsoft/resnet-50 and
 * @cf/facebook/detr-resnet-50; everything around it is the real app (createNodeApp: the same routes as workerd).
 */
import { describe, expect, it } from 'vitest';
import type { ClassifyResponse, DetectResponse, ErrorBody, ModelDetail, ModelList } from '@cvkit/sdk/contract';
import { createNodeApp, folderFiles } from '../packages/worker/src/node';
import { type AiBinding, createWorkersAiProvider, packLabels, workersAiService } from '../packages/worker/src/providers/workers-ai';
import { fixture, modelDir } from './support/fixtures';

const RESNET = '@cf/microsoft/resnet-50';
const DETR = '@cf/facebook/detr-resnet-50';

function workersAi(answer: (model: string) => unknown = (model) => (model === RESNET ? [{ label: 'TABBY', score: 0.6 }, { label: 'Egyptian cat', score: 0.3 }] : [{ label: 'cat', score: 0.95, box: { xmin: 40, ymin: 30, xmax: 300, ymax: 280 } }])) {
  const calls: { model: string; bytes: number }[] = [];
  const ai: AiBinding = {
    async run(model, inputs) {
      calls.push({ model, bytes: inputs.image.length });
      const a = answer(model);
      if (a instanceof Error) throw a;
      return a;
    },
  };
  const app = createNodeApp({ modelDir, services: [workersAiService(createWorkersAiProvider({ ai, labels: () => packLabels(folderFiles(modelDir)) }))] });
  return { app, calls };
}

const post = (app: ReturnType<typeof createNodeApp>, path: string, photo = 'cat.png', init: RequestInit = {}) =>
  app.request(path, { method: 'POST', headers: { 'content-type': photo.endsWith('.png') ? 'image/png' : 'image/jpeg' }, body: fixture(photo), ...init });

describe('Workers AI models through the API (with an [ai] binding)', () => {
  it('GET /v1/models lists them on the workers-ai tier; /v1/models/{id} takes their ids, slashes and all', async () => {
    const { app } = workersAi();
    const { models } = (await (await app.request('/v1/models?task=detect')).json()) as ModelList;
    expect(models.find((m) => m.id === DETR)).toMatchObject({ task: 'detect', tier: 'workers-ai', tiers: ['workers-ai'], runtime: 'workers-ai', default: false, labels: 80 });
    expect(models.some((m) => m.id === RESNET)).toBe(false);
    const detail = (await (await app.request(`/v1/models/${RESNET}`)).json()) as ModelDetail;
    expect(detail).toMatchObject({ id: RESNET, task: 'classify', tier: 'workers-ai' });
    expect(detail.label_names).toContain('tabby');
  });

  it('classify: the image goes to resnet-50 as bytes; the answer has ImageNet indices, model.tier and x-cvkit-tier', async () => {
    const { app, calls } = workersAi();
    const res = await post(app, `/v1/classify?model=${RESNET}&top_k=2`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-cvkit-tier')).toBe('workers-ai');
    const body = (await res.json()) as ClassifyResponse;
    expect(calls).toEqual([{ model: RESNET, bytes: fixture('cat.png').length }]);
    expect(body.model).toMatchObject({ id: RESNET, tier: 'workers-ai', runtime: 'workers-ai' });
    expect(body.predictions.map((p) => [p.label, p.score])).toEqual([['tabby', 0.6], ['Egyptian cat', 0.3]]);
    expect(body.predictions[0]?.index).toBeGreaterThan(0);
    expect(body.image).toEqual({ width: 512, height: 341 });
    expect(body.timings.inference_ms).toBeGreaterThanOrEqual(0);
  });

  it('detect: boxes from detr-resnet-50, classes filtering, and the annotated picture drawn by cvkit', async () => {
    const { app } = workersAi();
    const body = (await (await post(app, `/v1/detect?model=${encodeURIComponent(DETR)}&classes=cat`)).json()) as DetectResponse;
    expect(body.detections).toEqual([expect.objectContaining({ label: 'cat', score: 0.95, box: { x1: 40, y1: 30, x2: 300, y2: 280 } })]);
    expect((await (await post(app, `/v1/detect?model=${DETR}&classes=dog`)).json()) as DetectResponse).toMatchObject({ detections: [] });
    const picture = await post(app, `/v1/detect?model=${DETR}&format=image`);
    expect(picture.headers.get('content-type')).toBe('image/png');
    expect(picture.headers.get('x-cvkit-tier')).toBe('workers-ai');
  });

  it('batches and /v1/analyze take them too', async () => {
    const { app, calls } = workersAi();
    const batch = await app.request(`/v1/classify?model=${RESNET}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ images: [Buffer.from(fixture('cat.png')).toString('base64'), 'bm90IGFuIGltYWdl'] }),
    });
    const { results } = (await batch.json()) as { results: Array<ClassifyResponse | ErrorBody> };
    expect(results.map((r) => ('error' in r ? r.error.code : r.model.tier)), JSON.stringify(results).slice(0, 300)).toEqual(['workers-ai', 'unsupported_media_type']);
    const analyzed = (await (await post(app, `/v1/analyze?tasks=classify,detect&classify.model=${RESNET}`)).json()) as { results: { classify: ClassifyResponse; detect: DetectResponse } };
    expect(analyzed.results.classify.model.tier).toBe('workers-ai');
    expect(analyzed.results.detect.model.tier).toBe('edge'); // the default detector still runs in the isolate
    expect(calls.map((c) => c.model)).toEqual([RESNET, RESNET]);
  });

  it('errors: tier=edge/gpu is invalid, a model on the wrong task is not found; a failing binding falls back to the edge, then opens the breaker', async () => {
    const { app, calls } = workersAi((model) => (model === RESNET ? new Error('3040: Capacity temporarily exceeded') : []));
    const edge = await post(app, `/v1/classify?model=${RESNET}&tier=edge`);
    expect(edge.status).toBe(400);
    expect(((await edge.json()) as ErrorBody).error).toMatchObject({ code: 'invalid_option', message: expect.stringContaining('runs on Workers AI only') });
    const wrongTask = await post(app, `/v1/classify?model=${DETR}`);
    expect(wrongTask.status).toBe(404);
    expect(((await wrongTask.json()) as ErrorBody).error.message).toContain('/v1/detect');
    // The same routing, breaker and fallback as the GPU tier: the task's default edge model answers instead.
    const failing = await post(app, `/v1/classify?model=${RESNET}`);
    expect(failing.status).toBe(200);
    const answer = (await failing.json()) as ClassifyResponse;
    expect(answer.model).toMatchObject({ id: 'mobilenet_v2_1.0_224_quant', tier: 'edge' });
    expect(answer.fallback).toMatchObject({ from: 'workers-ai', reason: 'upstream_error', substitute_for: RESNET, message: expect.stringContaining('Capacity temporarily exceeded') });
    expect(answer.predictions[0]?.label).toMatch(/cat/);
    for (let i = 0; i < 4; i++) expect((await post(app, `/v1/classify?model=${RESNET}`)).status).toBe(200);
    const tried = calls.length;
    expect(tried).toBe(5);
    const open = (await (await post(app, `/v1/classify?model=${RESNET}`)).json()) as ClassifyResponse;
    expect(calls.length).toBe(tried);
    expect(open.fallback).toMatchObject({ from: 'workers-ai', reason: 'upstream_unavailable', message: expect.stringContaining("Workers AI's circuit breaker is open") });
  });
});

describe('without an [ai] binding', () => {
  it('the models are not listed, and asking for one says what is missing', async () => {
    const app = createNodeApp({ modelDir });
    const { models } = (await (await app.request('/v1/models')).json()) as ModelList;
    expect(models.some((m) => m.tier === 'workers-ai')).toBe(false);
    const res = await post(app, `/v1/classify?model=${RESNET}`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorBody).error).toMatchObject({ code: 'model_not_found', message: expect.stringContaining('[ai] binding') });
  });
});
