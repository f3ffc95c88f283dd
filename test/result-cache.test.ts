/**
 * The result cache in workerd (LRU in front of caches.default): the same image, model and options answer the same
 * body from the cache; other options, `cache=false` and `Cache-Control: no-cache` do not; pictures too; an image
 * URL is keyed by its bytes. Every test sends bytes no other test (or earlier run) sent: a PNG with a fresh tEXt nonce.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { concatBytes } from '../packages/worker/src/image/bytes';
import { pngChunk } from '../packages/worker/src/image/png';
import { fixture } from './support/fixtures';
import { postImage, postJson, serve } from './support/http';

const base = inject('workerUrl');

/** cat.png with a tEXt chunk of its own before IEND: the same pixels, bytes never sent before. */
function freshPng(): Uint8Array<ArrayBuffer> {
  const png = fixture('cat.png');
  const nonce = pngChunk('tEXt', new TextEncoder().encode(`nonce\0${randomUUID()}`));
  return concatBytes([png.subarray(0, png.length - 12), nonce, png.subarray(png.length - 12)]) as Uint8Array<ArrayBuffer>;
}

async function post(path: string, bytes: Uint8Array<ArrayBuffer>, init: RequestInit = {}) {
  const res = await postImage(`${base}${path}`, bytes, 'image/png', { ...init, headers: { 'content-type': 'image/png', ...(init.headers as Record<string, string>) } });
  expect(res.status, await res.clone().text()).toBe(200);
  return { cache: res.headers.get('cvkit-cache'), type: res.headers.get('content-type'), body: new Uint8Array(await res.arrayBuffer()) };
}
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

describe('result cache', () => {
  it('a second identical classify is a hit with the identical body; other options miss', async () => {
    const png = freshPng();
    const miss = await post('/v1/classify?top_k=3', png);
    expect(miss.cache).toBe('miss');
    const hit = await post('/v1/classify?top_k=3', png);
    expect(hit.cache).toBe('hit');
    expect(same(hit.body, miss.body)).toBe(true);
    const labels = JSON.parse(new TextDecoder().decode(hit.body)).predictions.map((p: { label: string }) => p.label);
    expect(labels).toHaveLength(3);
    const other = await post('/v1/classify?top_k=4', png);
    expect(other.cache).toBe('miss');
    expect(JSON.parse(new TextDecoder().decode(other.body)).predictions).toHaveLength(4);
    // the same options spelled otherwise (a default made explicit) are the same entry
    expect((await post('/v1/classify?top_k=3&tier=auto', png)).cache).toBe('hit');
    // another task on the same bytes is its own entry
    expect((await post('/v1/detect', png)).cache).toBe('miss');
  });

  it('cache=false and Cache-Control: no-cache compute afresh and store nothing', async () => {
    const png = freshPng();
    expect((await post('/v1/classify?cache=false', png)).cache).toBe('bypass');
    expect((await post('/v1/classify', png, { headers: { 'cache-control': 'no-cache' } })).cache).toBe('bypass');
    expect((await post('/v1/classify', png)).cache).toBe('miss');
    expect((await post('/v1/classify', png)).cache).toBe('hit');
    expect((await post('/v1/classify', png, { headers: { 'cache-control': 'no-cache' } })).cache).toBe('bypass');
  });

  it('pictures are cached apart from JSON, with their type', async () => {
    const png = freshPng();
    const json = await post('/v1/segment', png);
    const picture = await post('/v1/segment?format=image', png, { headers: { accept: 'image/png' } });
    expect([json.cache, picture.cache, picture.type]).toEqual(['miss', 'miss', 'image/png']);
    const again = await post('/v1/segment?format=image', png, { headers: { accept: 'image/png' } });
    expect([again.cache, again.type]).toEqual(['hit', 'image/png']);
    expect(same(again.body, picture.body)).toBe(true);
  });

  it('a URL image is keyed by its bytes, and batch items are cached one by one', async () => {
    const png = freshPng();
    const origin = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(Buffer.from(png));
    });
    try {
      const first = await postImage(`${base}/v1/classify`, png, 'image/png');
      expect(first.headers.get('cvkit-cache')).toBe('miss');
      const byUrl = await postJson(`${base}/v1/classify`, { image: `${origin.url}/other-name.png` });
      expect(byUrl.status, await byUrl.clone().text()).toBe(200);
      expect(byUrl.headers.get('cvkit-cache')).toBe('hit');
      expect(await byUrl.text()).toBe(await first.text());
      const batch = await postJson(`${base}/v1/classify`, { images: [`${origin.url}/a.png`, `${origin.url}/b.png`] });
      expect(batch.status).toBe(200);
      expect(batch.headers.get('cvkit-cache')).toBe('hit');
      const fresh = await postJson(`${base}/v1/classify`, { images: [`${origin.url}/a.png`, Buffer.from(freshPng()).toString('base64')] });
      expect(fresh.headers.get('cvkit-cache')).toBe('miss');
      expect(((await fresh.json()) as { results: unknown[] }).results).toHaveLength(2);
    } finally {
      await origin.close();
    }
  });
});
