/**
 * Batches, /v1/analyze, the models endpoints, repeated options, segment's negotiation, labels and legends, against
 * the real worker in workerd, on the shared fixture photos.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  AnalyzeResponse,
  ClassifyBatchResponse,
  ClassifyResponse,
  DetectBatchResponse,
  DetectResponse,
  ErrorBody,
  MAX_BATCH_IMAGES,
  ModelDetail,
  ModelList,
  SegmentBatchResponse,
  SegmentResponse,
} from '@cvkit/sdk/contract';
import { decodePngRGBA } from '../packages/worker/src/image/js-decoders';
import { fixture } from './support/fixtures';
import { postImage, postJson, serve, toBase64 } from './support/http';
import { repoRoot } from './support/worker-server';

const base = inject('workerUrl');
const dataUrl = (name: string, type = 'image/jpeg') => `data:${type};base64,${toBase64(fixture(name))}`;
const out = resolve(repoRoot, 'test-results/api');
mkdirSync(out, { recursive: true });

let files: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  files = await serve((req, res) => {
    if (req.url === '/parrot.jpg') return void res.writeHead(200, { 'content-type': 'image/jpeg' }).end(fixture('parrot.jpg'));
    res.writeHead(404).end('missing');
  });
});
afterAll(() => files.close());

async function json(res: Response, status = 200): Promise<unknown> {
  const text = await res.text();
  expect(res.status, text.slice(0, 500)).toBe(status);
  return JSON.parse(text);
}

const isError = (item: object): item is ErrorBody => 'error' in item;

describe('batches', () => {
  it('JSON images: each item any image form, answered in order; a bad one fails alone', async () => {
    const body = ClassifyBatchResponse.parse(
      await json(await postJson(`${base}/v1/classify`, { images: [dataUrl('hot_dog.jpg'), `${files.url}/parrot.jpg`, 'not base64!', toBase64(fixture('parrot.jpg')), `${files.url}/nope.jpg`], top_k: 1 })),
    );
    expect(body.results).toHaveLength(5);
    const [hotdog, parrot, bad, parrot2, missing] = body.results as [object, object, object, object, object];
    expect(ClassifyResponse.parse(hotdog).predictions[0]?.label).toBe('hotdog');
    expect(ClassifyResponse.parse(parrot).predictions[0]?.label).toBe('macaw');
    expect(ClassifyResponse.parse(parrot2).predictions).toHaveLength(1);
    expect(isError(bad) && bad.error.code).toBe('invalid_request');
    expect(isError(missing) && missing.error).toMatchObject({ code: 'fetch_failed', retryable: false });
  });

  it('multipart with several image parts; a corrupt image is that item\'s 422', async () => {
    const form = new FormData();
    form.append('image', new Blob([fixture('pets.jpg')], { type: 'image/jpeg' }), 'pets.jpg');
    form.append('image', new Blob([fixture('pets.jpg').slice(0, 2000)], { type: 'image/jpeg' }), 'cut.jpg');
    form.append('image', new Blob([fixture('kite_and_cold.jpg')], { type: 'image/jpeg' }), 'kite.jpg');
    form.append('classes', 'dog');
    form.append('classes', 'person');
    const body = DetectBatchResponse.parse(await json(await fetch(`${base}/v1/detect`, { method: 'POST', body: form })));
    const [pets, cut, kite] = body.results as [object, object, object];
    expect(DetectResponse.parse(pets).detections.filter((d) => d.label === 'dog')).toHaveLength(2);
    expect(isError(cut) && cut.error.code).toBe('invalid_image');
    // repeated `classes` fields are one list: people are kept too
    expect(DetectResponse.parse(kite).detections.every((d) => d.label === 'dog' || d.label === 'person')).toBe(true);
    expect(DetectResponse.parse(kite).detections.some((d) => d.label === 'person')).toBe(true);
  });

  it('a multipart `images` field is a batch even with one image; segment batches too', async () => {
    const form = new FormData();
    form.append('images', new Blob([fixture('cat.png')], { type: 'image/png' }), 'cat.png');
    form.append('mask', 'none');
    const body = SegmentBatchResponse.parse(await json(await fetch(`${base}/v1/segment`, { method: 'POST', body: form })));
    expect(body.results).toHaveLength(1);
    expect(SegmentResponse.parse(body.results[0]).segments.map((s) => s.label)).toContain('cat');
  });

  it('detect batches carry per-label counts beside each item\'s detections', async () => {
    const body = DetectBatchResponse.parse(await json(await postJson(`${base}/v1/detect`, { images: [dataUrl('pets.jpg'), dataUrl('kite_and_cold.jpg')] })));
    const [pets, kites] = body.results.map((r) => DetectResponse.parse(r));
    expect(pets?.counts.dog).toBe(2);
    expect(kites?.counts.person).toBeGreaterThanOrEqual(2);
    expect(kites?.counts.kite).toBeGreaterThanOrEqual(1);
    for (const r of [pets, kites]) expect(Object.values(r?.counts ?? {}).reduce((a, b) => a + b, 0)).toBe(r?.detections.length);
  });

  it(`at most ${MAX_BATCH_IMAGES} images; pictures are for single images; the body limit holds`, async () => {
    const tooMany = Array.from({ length: MAX_BATCH_IMAGES + 1 }, () => dataUrl('bird.png', 'image/png'));
    const many = ErrorBody.parse(await json(await postJson(`${base}/v1/classify`, { images: tooMany }), 400));
    expect(many.error.message).toMatch(/at most 16/);
    const picture = ErrorBody.parse(await json(await postJson(`${base}/v1/detect`, { images: [dataUrl('pets.jpg')], format: 'image' }), 400));
    expect(picture.error).toMatchObject({ code: 'invalid_option', issues: [{ path: 'format' }] });
    // Streamed without a Content-Length, so the worker reads up to its 14 MiB limit (a declared length over it is
    // refused before the body is read, which hardening.test.ts covers).
    const big = JSON.stringify({ images: Array.from({ length: 3 }, () => `data:image/jpeg;base64,${'A'.repeat(5 * 1024 * 1024)}`) });
    const streamed = await fetch(`${base}/v1/classify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: new Response(big).body, duplex: 'half' } as RequestInit);
    expect(ErrorBody.parse(await json(streamed, 413)).error.code).toBe('payload_too_large');
    for (const images of [[], 'x']) expect(ErrorBody.parse(await json(await postJson(`${base}/v1/classify`, { images }), 400)).error.code).toBe('invalid_request');
    const both = await postJson(`${base}/v1/classify`, { image: dataUrl('pets.jpg'), images: [dataUrl('pets.jpg')] });
    expect(ErrorBody.parse(await json(both, 400)).error.message).toMatch(/not both/);
  });

  it('a batch of 16 images is served in order', async () => {
    const names = ['hot_dog.jpg', 'parrot.jpg'];
    const images = Array.from({ length: 16 }, (_, i) => dataUrl(names[i % 2] as string));
    const body = ClassifyBatchResponse.parse(await json(await postJson(`${base}/v1/classify?top_k=1`, { images })));
    expect(body.results.map((r) => ClassifyResponse.parse(r).predictions[0]?.label)).toEqual(Array.from({ length: 16 }, (_, i) => (i % 2 ? 'macaw' : 'hotdog')));
  });
});

describe('POST /v1/analyze', () => {
  it('several tasks on one image, each with its own options', async () => {
    const body = AnalyzeResponse.parse(
      await json(await postJson(`${base}/v1/analyze`, { image: dataUrl('pets.jpg'), tasks: { classify: { top_k: 3 }, detect: { threshold: 0.4 }, segment: { mask: 'rle', classes: ['dog'] } } })),
    );
    expect(body.image).toEqual({ width: 512, height: 430 });
    const classify = ClassifyResponse.parse(body.results.classify);
    const detect = DetectResponse.parse(body.results.detect);
    const segment = SegmentResponse.parse(body.results.segment);
    expect(classify.predictions).toHaveLength(3);
    expect(detect.detections.filter((d) => d.label === 'dog')).toHaveLength(2);
    expect(detect.counts.dog).toBe(2);
    expect(segment.segments.map((s) => s.label)).toEqual(['dog']);
    expect(segment.mask.encoding).toBe('rle');
    // decoded once: the tasks found the image already decoded
    expect(body.timings.decode_ms).toBeGreaterThan(0);
    for (const r of [classify, detect, segment]) expect(r.timings.decode_ms).toBeLessThan(body.timings.decode_ms);
    expect(body.timings.total_ms).toBeGreaterThanOrEqual(body.timings.decode_ms);
  });

  it('raw bytes with a query string: a task list and dotted options', async () => {
    const res = await postImage(`${base}/v1/analyze?tasks=classify&tasks=detect&classify.top_k=1&detect.classes=dog`, fixture('pets.jpg'), 'image/jpeg');
    const body = AnalyzeResponse.parse(await json(res));
    expect(Object.keys(body.results)).toEqual(['classify', 'detect']);
    expect(ClassifyResponse.parse(body.results.classify).predictions).toHaveLength(1);
    expect(DetectResponse.parse(body.results.detect).detections.every((d) => d.label === 'dog')).toBe(true);
  });

  it('multipart, tasks as a JSON string; a bad option fails its task only', async () => {
    const form = new FormData();
    form.append('image', new Blob([fixture('cat.png')], { type: 'image/png' }), 'cat.png');
    form.append('tasks', JSON.stringify({ classify: { top_k: 2 }, detect: { threshold: 7 }, segment: { model: 'nope' } }));
    const body = AnalyzeResponse.parse(await json(await fetch(`${base}/v1/analyze`, { method: 'POST', body: form })));
    expect(ClassifyResponse.parse(body.results.classify).predictions[0]?.label).toMatch(/cat/);
    expect(ErrorBody.parse(body.results.detect).error).toMatchObject({ code: 'invalid_option', issues: [{ path: 'threshold' }] });
    expect(ErrorBody.parse(body.results.segment).error.code).toBe('model_not_found');
  });

  it('request-level problems fail the request', async () => {
    expect(ErrorBody.parse(await json(await postJson(`${base}/v1/analyze`, { image: dataUrl('pets.jpg') }), 400)).error.issues?.[0]?.path).toBe('tasks');
    expect(ErrorBody.parse(await json(await postJson(`${base}/v1/analyze`, { image: dataUrl('pets.jpg'), tasks: ['ocr'] }), 400)).error.code).toBe('invalid_option');
    expect(ErrorBody.parse(await json(await postJson(`${base}/v1/analyze`, { images: [dataUrl('pets.jpg')], tasks: ['classify'] }), 400)).error.code).toBe('invalid_request');
    const cut = await postImage(`${base}/v1/analyze?tasks=classify,detect`, fixture('pets.jpg').slice(0, 3000), 'image/jpeg');
    expect(ErrorBody.parse(await json(cut, 422)).error.code).toBe('invalid_image');
    const picture = AnalyzeResponse.parse(await json(await postJson(`${base}/v1/analyze`, { image: dataUrl('pets.jpg'), tasks: { segment: { format: 'image' } } })));
    expect(ErrorBody.parse(picture.results.segment).error.issues?.[0]?.path).toBe('format');
  });
});

describe('models', () => {
  it('GET /v1/models?task= filters; an unknown task or filter is a 400', async () => {
    const detect = ModelList.parse(await json(await fetch(`${base}/v1/models?task=detect`)));
    expect(detect.models.length).toBeGreaterThan(1);
    expect(detect.models.every((m) => m.task === 'detect')).toBe(true);
    expect(ErrorBody.parse(await json(await fetch(`${base}/v1/models?task=ocr`), 400)).error.code).toBe('invalid_option');
    expect(ErrorBody.parse(await json(await fetch(`${base}/v1/models?size=small`), 400)).error.message).toMatch(/unknown option/);
  });

  it('GET /v1/models/{id}: one model with its labels; an unknown id is a 404', async () => {
    const model = ModelDetail.parse(await json(await fetch(`${base}/v1/models/deeplabv3_mnv2_dm05_pascal_quant`)));
    expect(model.label_names).toHaveLength(model.labels);
    expect(model.label_names).toEqual(expect.arrayContaining(['motorcycle', 'dining table', 'potted plant', 'tv', 'airplane', 'couch']));
    expect(model.label_aliases.motorbike).toBe('motorcycle');
    const classifier = ModelDetail.parse(await json(await fetch(`${base}/v1/models/mobilenet_v2_1.0_224_quant`)));
    expect(classifier.label_names[935]).toBe('hotdog');
    expect(ErrorBody.parse(await json(await fetch(`${base}/v1/models/yolo9000`), 404)).error.code).toBe('model_not_found');
  });
});

describe('repeated options', () => {
  it('a list option repeated in the query string is a list', async () => {
    const detect = async (query: string) =>
      DetectResponse.parse(await json(await postImage(`${base}/v1/detect${query}`, fixture('kite_and_cold.jpg'), 'image/jpeg'))).detections;
    const repeated = await detect('?classes=kite&classes=person&threshold=0.3');
    expect(repeated.length).toBeGreaterThan(0);
    expect(repeated.every((d) => d.label === 'kite' || d.label === 'person')).toBe(true);
    expect(repeated).toEqual(await detect('?classes=kite,person&threshold=0.3'));
    expect(repeated.length).toBeGreaterThan((await detect('?classes=person&threshold=0.3')).length);
  });
  it('a scalar option repeated is a 400 naming it, never the last one silently', async () => {
    const res = await postImage(`${base}/v1/classify?top_k=1&top_k=3`, fixture('hot_dog.jpg'), 'image/jpeg');
    const body = ErrorBody.parse(await json(res, 400));
    expect(body.error).toMatchObject({ code: 'invalid_option', issues: [{ path: 'top_k', message: expect.stringMatching(/given 2 times/) }] });
    const form = new FormData();
    form.append('image', new Blob([fixture('hot_dog.jpg')], { type: 'image/jpeg' }));
    form.append('top_k', '1');
    form.append('top_k', '2');
    expect(ErrorBody.parse(await json(await fetch(`${base}/v1/classify`, { method: 'POST', body: form }), 400)).error.issues?.[0]?.path).toBe('top_k');
  });
});

describe('segment: pictures, labels, legends', () => {
  const post = (query: string, accept?: string) =>
    postImage(`${base}/v1/segment${query}`, fixture('pets.jpg'), 'image/jpeg', accept ? { headers: { 'content-type': 'image/jpeg', accept } } : {});

  it('negotiates like detect: Accept picks the overlay\'s type, format=image + Accept: image/jpeg is a JPEG', async () => {
    const cases: Array<[string, string | undefined, string]> = [
      ['', 'image/png', 'image/png'],
      ['', 'image/jpeg', 'image/jpeg'],
      ['?format=image', 'image/jpeg', 'image/jpeg'],
      ['?format=image', undefined, 'image/png'],
      ['?format=mask', 'image/jpeg', 'image/png'],
      ['?format=json', 'image/png', 'application/json'],
      ['', 'application/json', 'application/json'],
    ];
    for (const [query, accept, type] of cases) {
      const res = await post(query, accept);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type'), `${query} ${accept}`).toMatch(type);
      expect(res.headers.get('vary')).toMatch(/accept/i);
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (type === 'image/jpeg') expect([bytes[0], bytes[1]]).toEqual([0xff, 0xd8]);
      if (type === 'image/png') expect(bytes[1]).toBe(0x50);
    }
  });

  it('legend=true adds a legend of the classes present in a corner; the rest of the overlay is unchanged', async () => {
    const withLegend = new Uint8Array(await (await post('?format=image&legend=true')).arrayBuffer());
    const without = new Uint8Array(await (await post('?format=image')).arrayBuffer());
    writeFileSync(resolve(out, 'segment-overlay-legend.png'), withLegend);
    const a = decodePngRGBA(withLegend);
    const b = decodePngRGBA(without);
    expect([a.width, a.height]).toEqual([b.width, b.height]);
    let differ = 0;
    for (let i = 0; i < a.rgba.length; i += 4) if (a.rgba[i] !== b.rgba[i]) differ++;
    // the legend covers a corner: some pixels, far from all
    expect(differ).toBeGreaterThan(500);
    expect(differ).toBeLessThan((a.width * a.height) / 4);
  });

  it('labels use detect\'s spelling; VOC spellings are accepted in classes', async () => {
    const res = await post('?classes=motorbike,dog,diningtable&mask=none');
    const body = SegmentResponse.parse(await json(res));
    expect(body.segments.map((s) => s.label)).toEqual(['dog']);
    const unknown = ErrorBody.parse(await json(await post('?classes=unicorn'), 400));
    expect(unknown.error.message).toMatch(/motorcycle/);
  });
});

describe('detect: tags and legend', () => {
  it('tags never overlap, and legend=true adds a legend', async () => {
    const res = await postImage(`${base}/v1/detect?format=image&threshold=0.15&legend=true`, fixture('kite_and_cold.jpg'), 'image/jpeg', {
      headers: { 'content-type': 'image/jpeg', accept: 'image/png' },
    });
    expect(res.headers.get('content-type')).toBe('image/png');
    const png = new Uint8Array(await res.arrayBuffer());
    writeFileSync(resolve(out, 'detect-tags-legend.png'), png);
    expect(Number(res.headers.get('x-detections'))).toBeGreaterThan(3);
    const plain = new Uint8Array(await (await postImage(`${base}/v1/detect?format=image&threshold=0.15&legend=false`, fixture('kite_and_cold.jpg'), 'image/jpeg', { headers: { 'content-type': 'image/jpeg', accept: 'image/png' } })).arrayBuffer());
    expect(Buffer.compare(Buffer.from(png), Buffer.from(plain))).not.toBe(0);
  });
});
