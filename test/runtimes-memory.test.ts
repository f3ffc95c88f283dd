/**
 * LiteRT.js keeps wasm memory by hand: every tensor given to it or received from it must be deleted. 500 requests
 * through the product's pipelines in Node (the same LiteRT.js build as workerd), classification and segmentation,
 * leave its wasm memory exactly where it was after warm-up. Wasm memory never shrinks, so a leak of even one
 * 150 KB input tensor per request would grow it: the comparison is exact, not a threshold.
 */
import { describe, expect, it } from 'vitest';
import { createNodeProvider } from '../packages/worker/src/node';
import { createApp } from '../packages/worker/src/app';
import { fixture, modelDir } from './support/fixtures';

describe('LiteRT.js wasm memory', () => {
  it('is flat over 500 requests after warm-up (every tensor deleted)', async () => {
    const provider = createNodeProvider({ modelDir, runtimes: ['litert'] });
    const app = createApp({ provider });
    const runtime = provider.resident.runtime('litert');
    const photo = fixture('cat.png');
    const paths = (i: number) => (i % 5 === 4 ? '/v1/segment?mask=none' : '/v1/classify');
    const request = async (i: number) => {
      const res = await app.request(paths(i), { method: 'POST', headers: { 'content-type': 'image/png' }, body: photo });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { model: { runtime: string } };
      expect(body.model.runtime).toBe('litert');
    };
    for (let i = 0; i < 10; i++) await request(i);
    const warm = runtime?.memoryBytes() ?? 0;
    expect(warm).toBeGreaterThan(0);
    for (let i = 0; i < 500; i++) await request(i);
    expect(runtime?.memoryBytes()).toBe(warm);
  }, 600_000);
});
