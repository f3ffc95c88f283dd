/**
 * examples/vectorize against the real worker (workerd): fixture photos indexed through `POST /v1/embed` into the
 * local stand-in for Vectorize, then queried by a re-encoded copy of each; and the example Worker's own routes.
 */
import { CVKit } from '@cvkit/sdk';
import { describe, expect, inject, it } from 'vitest';
import { createMemoryIndex } from '../examples/vectorize/memory-index';
import { createImageSearch } from '../examples/vectorize/search';
import worker from '../examples/vectorize/worker';
import { fixture } from './support/fixtures';
import { recode } from './support/recode';

const baseURL = inject('workerUrl');
const PHOTOS = ['bird.png', 'cat.png', 'dragonfly.png', 'grace_hopper.png', 'hot_dog.jpg', 'kite_and_cold.jpg', 'parrot.jpg', 'pets.jpg', 'squat.png', 'two_people_snow.png'];

describe('visual search with the Vectorize stand-in', () => {
  it('indexes the photos (batches of 16), and finds each photo first by its shrunk, mirrored JPEG copy', async () => {
    const index = createMemoryIndex({ dimensions: 1024 });
    const search = createImageSearch({ cv: new CVKit({ baseURL }), index });
    const items = [...PHOTOS.map((id) => ({ id, image: fixture(id) })), { id: 'not-an-image.txt', image: new TextEncoder().encode('hello') }];
    const { added, failed } = await search.add(items);
    expect(added).toEqual(PHOTOS);
    expect(failed).toEqual([{ id: 'not-an-image.txt', error: expect.stringMatching(/image/i) }]);
    expect(index.size).toBe(PHOTOS.length);
    const [stored] = await index.getByIds(['cat.png']);
    expect(stored?.metadata).toEqual({ model: 'mobilenet_v1_1.0_224_quant_embedding_extractor' });

    for (const id of PHOTOS) {
      const matches = await search.query(recode(fixture(id), { scale: 0.5, mirror: true, quality: 50 }), { topK: 3 });
      expect(matches.map((m) => m.id)[0], `${id}: ${JSON.stringify(matches.map((m) => [m.id, m.score.toFixed(3)]))}`).toBe(id);
      expect(matches[0]?.score).toBeGreaterThanOrEqual(0.8);
      expect(matches[1]?.score).toBeLessThan((matches[0]?.score ?? 0) - 0.1);
    }
  });

  it('the example Worker: POST /index with a folder of files, POST /query with an image body', async () => {
    const env = { VECTORIZE: createMemoryIndex({ dimensions: 1024 }), CVKIT_URL: baseURL };
    const form = new FormData();
    for (const id of PHOTOS.slice(0, 5)) form.append('photo', new File([fixture(id)], id));
    const indexed = await worker.fetch(new Request('https://search.example/index', { method: 'POST', body: form }), env);
    expect(indexed.status).toBe(200);
    expect(await indexed.json()).toEqual({ added: PHOTOS.slice(0, 5), failed: [] });

    const query = await worker.fetch(new Request('https://search.example/query?top_k=2', { method: 'POST', body: recode(fixture('hot_dog.jpg'), { quality: 40 }) }), env);
    expect(query.status).toBe(200);
    const { matches } = (await query.json()) as { matches: { id: string; score: number; metadata: Record<string, unknown> }[] };
    expect(matches).toHaveLength(2);
    expect(matches[0]).toMatchObject({ id: 'hot_dog.jpg', metadata: { bytes: fixture('hot_dog.jpg').length, model: expect.any(String) } });
  });

  it('the example Worker passes cvkit errors through and names its routes', async () => {
    const env = { VECTORIZE: createMemoryIndex({ dimensions: 1024 }), CVKIT_URL: baseURL };
    const bad = await worker.fetch(new Request('https://search.example/query', { method: 'POST', body: 'not an image' }), env);
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
    const none = await worker.fetch(new Request('https://search.example/index', { method: 'POST', body: new FormData() }), env);
    expect(none.status).toBe(400);
    const unknown = await worker.fetch(new Request('https://search.example/'), env);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: expect.stringContaining('POST /index') });
  });
});

describe('the stand-in index', () => {
  const unit = (...v: number[]) => Float32Array.from(v, (x) => x / Math.hypot(...v));

  it('behaves as Vectorize documents: insert keeps ids, upsert replaces, topK best first, values and metadata on request', async () => {
    const index = createMemoryIndex({ dimensions: 2 });
    await index.insert([{ id: 'a', values: unit(1, 0), metadata: { n: 1 } }, { id: 'b', values: unit(0, 1) }]);
    await index.insert([{ id: 'a', values: unit(0, 1) }]);
    expect((await index.query(unit(1, 0.1), { topK: 1, returnMetadata: 'all' })).matches).toEqual([{ id: 'a', score: expect.closeTo(0.995, 3), metadata: { n: 1 } }]);
    await index.upsert([{ id: 'a', values: unit(-1, 0) }]);
    const { matches, count } = await index.query(unit(1, 0.1), { returnValues: true });
    expect(count).toBe(2);
    expect(matches.map((m) => m.id)).toEqual(['b', 'a']);
    expect(matches[1]?.values).toEqual(unit(-1, 0));
    expect(matches[1]?.metadata).toBeUndefined();
  });

  it('refuses vectors of the wrong dimensions, and filters or namespaces it does not implement', async () => {
    const index = createMemoryIndex({ dimensions: 2 });
    await expect(index.upsert([{ id: 'x', values: [1, 2, 3] }])).rejects.toThrow(/3 dimensions; the index has 2/);
    await expect(index.query([1, 0, 0])).rejects.toThrow(/3 dimensions/);
    await expect(index.query([1, 0], { filter: { k: 'v' } })).rejects.toThrow(/no metadata filters/);
  });
});
