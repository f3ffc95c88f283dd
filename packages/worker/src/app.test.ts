/** The app in-process (Hono's app.request) with a provider that fails on purpose: the error paths of onError and notFound. */
import { describe, expect, it } from 'vitest';
import { ErrorBody } from '@cvkit/sdk/contract';
import { createApp } from './app';
import { ApiError } from './errors';
import type { VisionProvider } from './providers/types';

const failing = (err: unknown): VisionProvider => ({
  specificationVersion: 'v1',
  tier: 'edge',
  models: async () => [],
  run: async () => {
    throw err;
  },
});
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const post = (app: ReturnType<typeof createApp>, path = '/v1/classify') => app.request(path, { method: 'POST', headers: { 'content-type': 'image/png' }, body: png });

describe('createApp error handling', () => {
  it('an unexpected error is internal_error, not retryable (and says so to the SDK), its cause kept for the log only', async () => {
    const logged: unknown[] = [];
    const error = console.error;
    console.error = (...args: unknown[]) => void logged.push(args);
    try {
      const res = await post(createApp({ provider: failing(new TypeError('a bug: x is undefined')) }), '/v1/classify');
      expect(res.status).toBe(500);
      expect(res.headers.get('x-should-retry')).toBe('false');
      const body = ErrorBody.parse(await res.json());
      expect(body.error).toMatchObject({ code: 'internal_error', retryable: false });
      expect(body.error.message).not.toContain('x is undefined');
      expect(JSON.stringify(logged)).toContain(body.error.request_id);
    } finally {
      console.error = error;
    }
  });

  it('a documented retryable error says so', async () => {
    const res = await post(createApp({ provider: failing(new ApiError('rate_limited', 'busy')) }));
    expect(res.status).toBe(429);
    expect(res.headers.get('x-should-retry')).toBe('true');
    expect(ErrorBody.parse(await res.json()).error.retryable).toBe(true);
  });

  it('keeps the cause of an ApiError', () => {
    const cause = new Error('root');
    expect(new ApiError('internal_error', 'x', undefined, { cause }).cause).toBe(cause);
  });

  it('405 comes from the router: a parameterised or trailing-slash path of a POST route, with Allow', async () => {
    const app = createApp({ provider: failing(new Error('unused')) });
    app.post('/v1/things/:id', (c) => c.text('ok'));
    for (const path of ['/v1/classify', '/v1/things/42']) {
      const res = await app.request(path, { method: 'GET' });
      expect(res.status, path).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
    }
    expect((await app.request('/v1/nothing', { method: 'GET' })).status).toBe(404);
  });
});
