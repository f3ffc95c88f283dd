import { describe, expect, it } from 'vitest';
import { createAnswerLru, createResultCache, normaliseOptions, requestBypasses, type ResponseStore, resultKey } from './result-cache';
import type { TaskAnswer } from './task';

const bytes = Uint8Array.from([1, 2, 3]);
const parts = { bytes, task: 'classify', model: 'm', options: { top_k: 5, tier: 'auto', cache: true } };

/** A Cache API look-alike over a Map of real Responses (what `caches.default` stores). */
function mapStore(): ResponseStore & { entries: Map<string, Response> } {
  const entries = new Map<string, Response>();
  return {
    entries,
    async match(key) {
      return entries.get(key)?.clone();
    },
    async put(key, response) {
      entries.set(key, response);
    },
  };
}

describe('resultKey', () => {
  it('is the same for the same bytes and options in any order, whatever `cache` says', async () => {
    const a = await resultKey(parts);
    expect(a).toMatch(/^https:\/\/result-cache\.cvkit\.invalid\/v1\/[0-9a-f]{64}\/[0-9a-f]{64}$/);
    expect(await resultKey({ ...parts, options: { cache: false, tier: 'auto', top_k: 5 } })).toBe(a);
    expect(normaliseOptions({ b: [2, 1], a: { d: 1, c: 2 } })).toBe('{"a":{"c":2,"d":1},"b":[2,1]}');
  });
  it('differs when the bytes, task, model, any option or the picture differ', async () => {
    const a = await resultKey(parts);
    const others = await Promise.all([
      resultKey({ ...parts, bytes: Uint8Array.from([1, 2, 4]) }),
      resultKey({ ...parts, task: 'detect' }),
      resultKey({ ...parts, model: 'n' }),
      resultKey({ ...parts, options: { ...parts.options, top_k: 6 } }),
      resultKey({ ...parts, picture: 'image/png' }),
    ]);
    expect(new Set([a, ...others]).size).toBe(6);
  });
});

describe('createAnswerLru', () => {
  const answer = (n: number): TaskAnswer => ({ json: { text: 'x'.repeat(n) } });
  it('drops the least recently used answers past its byte bound, and never keeps one over an eighth of it', () => {
    const lru = createAnswerLru(8_000);
    for (let i = 0; i < 10; i++) lru.set(`k${i}`, answer(300));
    expect(lru.get('k0')).toBeDefined(); // now the newest
    for (let i = 10; i < 20; i++) lru.set(`k${i}`, answer(300));
    expect(lru.bytes).toBeLessThanOrEqual(8_000);
    expect(lru.get('k0')).toBeDefined();
    expect(lru.get('k1')).toBeUndefined();
    lru.set('huge', answer(2_000));
    expect(lru.get('huge')).toBeUndefined();
  });
});

describe('createResultCache', () => {
  it('misses, then hits from the LRU, then from the store in a fresh isolate, with the same answer', async () => {
    const store = mapStore();
    let runs = 0;
    const compute = async (): Promise<TaskAnswer> => ({ json: { run: ++runs }, headers: { 'x-cvkit-tier': 'edge' } });
    const first = createResultCache({ store });
    expect(await first.answer(parts, compute)).toEqual({ answer: { json: { run: 1 }, headers: { 'x-cvkit-tier': 'edge' } }, status: 'miss' });
    expect(await first.answer(parts, compute)).toEqual({ answer: { json: { run: 1 }, headers: { 'x-cvkit-tier': 'edge' } }, status: 'hit' });
    const fresh = createResultCache({ store });
    expect(await fresh.answer(parts, compute)).toEqual({ answer: { json: { run: 1 }, headers: { 'x-cvkit-tier': 'edge' } }, status: 'hit' });
    expect(runs).toBe(1);
    expect((await first.answer(parts, compute, { bypass: true })).status).toBe('bypass');
    expect(runs).toBe(2);
  });
  it('keeps pictures with their type and headers', async () => {
    const store = mapStore();
    const picture: TaskAnswer = { picture: { bytes: Uint8Array.from([137, 80, 78, 71]), type: 'image/png', headers: { 'x-cvkit-tier': 'edge' } } };
    await createResultCache({ store }).answer(parts, async () => picture);
    expect(await createResultCache({ store }).answer(parts, async () => ({ json: {} }))).toEqual({ answer: picture, status: 'hit' });
  });
  it('keeps no fallback answer (the other tier answered)', async () => {
    const cache = createResultCache();
    const degraded: TaskAnswer = { json: { fallback: { from: 'gpu', reason: 'down' } } };
    expect((await cache.answer(parts, async () => degraded)).status).toBe('miss');
    expect(cache.lru.size).toBe(0);
  });
  it('stores no failure, and a failing store is a miss, never an error', async () => {
    const cache = createResultCache({ store: { match: () => Promise.reject(new Error('down')), put: () => Promise.reject(new Error('down')) } });
    await expect(cache.answer(parts, () => Promise.reject(new Error('model failed')))).rejects.toThrow('model failed');
    expect(cache.lru.size).toBe(0);
    expect((await cache.answer(parts, async () => ({ json: { ok: true } }))).status).toBe('miss');
  });
});

describe('requestBypasses', () => {
  it('on cache=false and on Cache-Control no-cache or no-store', () => {
    expect(requestBypasses(undefined, { cache: true })).toBe(false);
    expect(requestBypasses(undefined, { cache: false })).toBe(true);
    expect(requestBypasses('no-cache', {})).toBe(true);
    expect(requestBypasses('max-age=0, No-Store', {})).toBe(true);
    expect(requestBypasses('max-age=60', {})).toBe(false);
  });
});
