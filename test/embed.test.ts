/**
 * Embeddings end to end in workerd (the real worker, wrangler dev): POST /v1/embed (single, base64, batches of 16),
 * POST /v1/similarity, /v1/models?task=embed, analyze, bad input, and the SDK and CLI against it, on real photos.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CVKit, cosineSimilarity, decodeEmbedding } from '@cvkit/sdk';
import { EmbedBatchResponse, EmbedResponse, ErrorBody, ModelList, SimilarityResponse } from '@cvkit/sdk/contract';
import { fixture } from './support/fixtures';
import { postImage, postJson, toBase64 } from './support/http';
import { recode } from './support/recode';
import { ensureSdkBuilt, runCli } from './support/sdk';

const base = inject('workerUrl');
const MODEL = 'mobilenet_v1_1.0_224_quant_embedding_extractor';
const PHOTOS = ['bird.png', 'cat.png', 'dragonfly.png', 'grace_hopper.png', 'hot_dog.jpg', 'kite_and_cold.jpg', 'parrot.jpg', 'pets.jpg', 'squat.png', 'two_people_snow.png'];

async function embed(bytes: Uint8Array<ArrayBuffer>, query = '', type = 'image/png') {
  const res = await postImage(`${base}/v1/embed${query}`, bytes, type);
  expect(res.status, await res.clone().text()).toBe(200);
  return EmbedResponse.parse(await res.json());
}

const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

async function error(res: Response, status: number) {
  expect(res.status, await res.clone().text()).toBe(status);
  return ErrorBody.parse(await res.json()).error;
}

describe('POST /v1/embed in workerd', () => {
  it('answers a unit vector of 1024 floats with the model that made it', async () => {
    const body = await embed(fixture('cat.png'));
    expect(body).toMatchObject({ task: 'embed', dimensions: 1024, encoding: 'float', image: { width: 512, height: 341 } });
    expect(body.model).toMatchObject({ id: MODEL, task: 'embed', tier: 'edge', runtime: 'litert', default: true, input: { width: 224, height: 224 } });
    const v = decodeEmbedding(body.embedding);
    expect(v.length).toBe(1024);
    expect(Math.abs(norm(v) - 1)).toBeLessThan(1e-3);
    expect(body.timings.inference_ms).toBeGreaterThan(0);
  });

  it('encoding=base64 decodes to the same vector as the float encoding', async () => {
    const float = await embed(fixture('parrot.jpg'), '', 'image/jpeg');
    const b64 = await embed(fixture('parrot.jpg'), '?encoding=base64', 'image/jpeg');
    expect(b64.encoding).toBe('base64');
    expect(typeof b64.embedding).toBe('string');
    expect(Array.from(decodeEmbedding(b64.embedding))).toEqual(Array.from(decodeEmbedding(float.embedding)));
  });

  it('the same photo shrunk and re-encoded as JPEG >= 0.9, mirrored >= 0.8, different photos clearly lower', async () => {
    const same: number[] = [];
    const originals: Float32Array[] = [];
    for (const name of PHOTOS) {
      const original = decodeEmbedding((await embed(fixture(name))).embedding);
      originals.push(original);
      const small = decodeEmbedding((await embed(recode(fixture(name), { scale: 0.5, quality: 50 }), '', 'image/jpeg')).embedding);
      const mirrored = decodeEmbedding((await embed(recode(fixture(name), { mirror: true }), '', 'image/jpeg')).embedding);
      expect(cosineSimilarity(original, small), name).toBeGreaterThanOrEqual(0.9);
      expect(cosineSimilarity(original, mirrored), name).toBeGreaterThanOrEqual(0.8);
      same.push(cosineSimilarity(original, small), cosineSimilarity(original, mirrored));
    }
    let different = -1;
    for (let i = 0; i < originals.length; i++) for (let j = i + 1; j < originals.length; j++) different = Math.max(different, cosineSimilarity(originals[i] as Float32Array, originals[j] as Float32Array));
    expect(different).toBeLessThan(Math.min(...same) - 0.1);
  });

  it('a batch of 16 in one request: one result per image, in order, a bad image its own error', async () => {
    const images = [...PHOTOS, ...PHOTOS.slice(0, 5)].map((name) => `data:image/${name.endsWith('.jpg') ? 'jpeg' : 'png'};base64,${toBase64(fixture(name))}`);
    images.splice(7, 0, 'not-base64!');
    expect(images).toHaveLength(16);
    const res = await postJson(`${base}/v1/embed`, { images, encoding: 'base64' });
    expect(res.status, await res.clone().text()).toBe(200);
    const { results } = EmbedBatchResponse.parse(await res.json());
    expect(results).toHaveLength(16);
    expect(results[7]).toMatchObject({ error: { code: 'invalid_request' } });
    const ok = results.filter((r): r is EmbedResponse => !('error' in r));
    expect(ok).toHaveLength(15);
    for (const r of ok) expect(Math.abs(norm(decodeEmbedding(r.embedding)) - 1)).toBeLessThan(1e-3);
    // The 11th image (index 11 after the bad one) is the first photo again: the same vector.
    expect(Array.from(decodeEmbedding((results[11] as EmbedResponse).embedding))).toEqual(Array.from(decodeEmbedding((results[0] as EmbedResponse).embedding)));
  });

  it('bad input: an unknown encoding, an unknown model, a model of another task, not an image', async () => {
    expect(await error(await postImage(`${base}/v1/embed?encoding=hex`, fixture('cat.png')), 400)).toMatchObject({ code: 'invalid_option', issues: [{ path: 'encoding' }] });
    expect(await error(await postImage(`${base}/v1/embed?model=nope`, fixture('cat.png')), 404)).toMatchObject({ code: 'model_not_found' });
    expect(await error(await postImage(`${base}/v1/embed?model=mobilenet_v2_1.0_224_quant`, fixture('cat.png')), 404)).toMatchObject({ code: 'model_not_found' });
    expect((await error(await postImage(`${base}/v1/embed`, new TextEncoder().encode('hello') as Uint8Array<ArrayBuffer>), 415)).code).toBe('unsupported_media_type');
  });

  it('GET /v1/models?task=embed lists the embedding model; analyze runs embed beside classify', async () => {
    const res = await fetch(`${base}/v1/models?task=embed`);
    const { models } = ModelList.parse(await res.json());
    expect(models.map((m) => m.id)).toEqual([MODEL]);
    const analyze = await postJson(`${base}/v1/analyze`, { image: `data:image/png;base64,${toBase64(fixture('cat.png'))}`, tasks: { classify: { top_k: 1 }, embed: { encoding: 'base64' } } });
    expect(analyze.status, await analyze.clone().text()).toBe(200);
    const body = (await analyze.json()) as { results: { embed: unknown; classify: unknown } };
    expect(EmbedResponse.parse(body.results.embed)).toMatchObject({ dimensions: 1024, encoding: 'base64' });
  });
});

describe('POST /v1/similarity in workerd', () => {
  it('answers the symmetric matrix of cosine similarities, 1 on the diagonal', async () => {
    const form = new FormData();
    form.append('image', new Blob([fixture('cat.png')], { type: 'image/png' }), 'cat.png');
    form.append('image', new Blob([recode(fixture('cat.png'), { scale: 0.5, quality: 50 })], { type: 'image/jpeg' }), 'cat-small.jpg');
    form.append('image', new Blob([fixture('hot_dog.jpg')], { type: 'image/jpeg' }), 'hot_dog.jpg');
    const res = await fetch(`${base}/v1/similarity`, { method: 'POST', body: form });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = SimilarityResponse.parse(await res.json());
    expect(body.model.id).toBe(MODEL);
    expect(body.images).toEqual([{ width: 512, height: 341 }, { width: 256, height: 171 }, { width: 512, height: 384 }]);
    const m = body.matrix;
    expect(m.map((row) => row.length)).toEqual([3, 3, 3]);
    for (let i = 0; i < 3; i++) {
      expect(m[i]?.[i]).toBe(1);
      for (let j = 0; j < 3; j++) expect(m[i]?.[j]).toBe(m[j]?.[i]);
    }
    expect(m[0]?.[1]).toBeGreaterThanOrEqual(0.9);
    expect(m[0]?.[2]).toBeLessThan((m[0]?.[1] ?? 0) - 0.1);
  });

  it('fewer than two images is a 400 naming `images`; a bad image fails the request naming which', async () => {
    const one = await error(await postImage(`${base}/v1/similarity`, fixture('cat.png')), 400);
    expect(one).toMatchObject({ code: 'invalid_request', issues: [{ path: 'images' }] });
    expect(one.message).toMatch(/two or more images/);
    const list = await error(await postJson(`${base}/v1/similarity`, { images: [`data:image/png;base64,${toBase64(fixture('cat.png'))}`] }), 400);
    expect(list).toMatchObject({ issues: [{ path: 'images', message: 'compare at least 2 images; got 1' }] });
    const bad = await postJson(`${base}/v1/similarity`, { images: [`data:image/png;base64,${toBase64(fixture('cat.png'))}`, 'not-base64!'] });
    expect((await error(bad, 400)).message).toMatch(/^images\[1\]: /);
    expect((await error(await postJson(`${base}/v1/similarity`, { images: ['a', 'b'], top_k: 3 }), 400)).code).toBe('invalid_option');
  });
});

describe('the SDK and the CLI against the worker', () => {
  let dir: string;
  beforeAll(() => {
    ensureSdkBuilt();
    dir = mkdtempSync(join(tmpdir(), 'cvkit-embed-'));
    for (const name of ['cat.png', 'hot_dog.jpg', 'parrot.jpg']) writeFileSync(join(dir, name), fixture(name));
    writeFileSync(join(dir, 'cat-copy.jpg'), recode(fixture('cat.png'), { quality: 50 }));
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('cv.embed, cv.embedBatch and cv.similarity agree with each other', async () => {
    const cv = new CVKit({ baseURL: base });
    const one = await cv.embed(fixture('cat.png'));
    const { results } = await cv.embedBatch([fixture('cat.png'), fixture('hot_dog.jpg')], { encoding: 'base64' });
    const [a, b] = results.map((r) => ('error' in r ? new Float32Array() : decodeEmbedding(r.embedding)));
    expect(Array.from(a ?? [])).toEqual(Array.from(decodeEmbedding(one.embedding)));
    const { matrix } = await cv.similarity([fixture('cat.png'), fixture('hot_dog.jpg')]);
    expect(matrix[0]?.[1]).toBeCloseTo(cosineSimilarity(a ?? [], b ?? []), 5);
  });

  it('cvkit embed <folder> --json: one JSON line per image, each with its file and embedding', async () => {
    const { code, stdout, stderr } = await runCli(['embed', dir, '--json', '--encoding', 'base64', '--base-url', base]);
    expect(code, stderr).toBe(0);
    const lines = stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as EmbedResponse & { file: string });
    expect(lines.map((l) => l.file).sort()).toEqual(['cat-copy.jpg', 'cat.png', 'hot_dog.jpg', 'parrot.jpg'].map((f) => join(dir, f)).sort());
    for (const l of lines) expect(decodeEmbedding(l.embedding).length).toBe(1024);
  });

  it('cvkit similar a b: one line with the cosine similarity; fewer than two images is a usage error', async () => {
    const { code, stdout, stderr } = await runCli(['similar', join(dir, 'cat.png'), join(dir, 'cat-copy.jpg'), '--base-url', base]);
    expect(code, stderr).toBe(0);
    const score = Number(/cosine similarity (\d\.\d{3})$/m.exec(stdout)?.[1]);
    expect(score).toBeGreaterThanOrEqual(0.9);
    const matrix = await runCli(['similar', dir, '--json', '--base-url', base]);
    expect(matrix.code, matrix.stderr).toBe(0);
    expect((JSON.parse(matrix.stdout) as { matrix: number[][] }).matrix).toHaveLength(4);
    const single = await runCli(['similar', join(dir, 'cat.png'), '--base-url', base]);
    expect(single).toMatchObject({ code: 2, stderr: expect.stringContaining('compares 2 to 16 images; got 1') });
  });
});
