import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { errorBody, toApiError } from '../errors';
import { admission } from './admission';
import { bodyGuard } from './body-guard';
import type { AppEnv } from './deps';

/** bodyGuard then admission with one slot, as app.ts orders them; the handler answers the body's length. */
function app(options: Parameters<typeof bodyGuard>[0]) {
  const a = new Hono<AppEnv>();
  a.onError((err, c) => c.json(errorBody(err, 'test'), toApiError(err).status as 400));
  a.use('*', bodyGuard(options), admission({ maxInFlight: 1, maxQueued: 0 }));
  a.post('*', async (c) => c.json({ bytes: (await c.req.raw.arrayBuffer()).byteLength }));
  return a;
}

/** A body that sends `first` and then nothing until the test ends it. */
function stalled(first: Uint8Array) {
  let end: () => void = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(first);
      end = () => {
        try {
          controller.close();
        } catch {}
      };
    },
  });
  return { body, end: () => end() };
}

const post = (a: Hono<AppEnv>, body: BodyInit) => a.request('/v1/classify', { method: 'POST', body, duplex: 'half' } as RequestInit);
const codeOf = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe('bodyGuard', () => {
  it('a body still arriving holds no working slot: a whole request behind it is served', async () => {
    const a = app({ timeoutMs: 60_000 });
    const slow = [stalled(new Uint8Array(10)), stalled(new Uint8Array(10))];
    const pending = slow.map((s) => post(a, s.body));
    const whole = await post(a, new Uint8Array(1000));
    expect(await whole.json()).toEqual({ bytes: 1000 });
    // one at a time: the app has one slot and no queue
    for (const [i, s] of slow.entries()) {
      s.end();
      expect(await (await pending[i])?.json()).toEqual({ bytes: 10 });
    }
  });

  it('a body that has not arrived by the deadline is 408 request_timeout', async () => {
    const a = app({ timeoutMs: 50 });
    const res = await post(a, stalled(new Uint8Array(10)).body);
    expect(res.status).toBe(408);
    expect(await codeOf(res)).toBe('request_timeout');
  });

  it('past the bytes held at once: 503 overloaded; the bytes come free when the request ends', async () => {
    const a = app({ timeoutMs: 60_000, maxHeldBytes: 100 });
    const holder = stalled(new Uint8Array(80));
    const pending = post(a, holder.body);
    await new Promise((ok) => setTimeout(ok, 20)); // its first 80 bytes are held
    const refused = await post(a, new Uint8Array(50));
    expect(refused.status).toBe(503);
    expect(await codeOf(refused)).toBe('overloaded');
    holder.end();
    expect(await (await pending).json()).toEqual({ bytes: 80 });
    expect(await (await post(a, new Uint8Array(50))).json()).toEqual({ bytes: 50 });
  });

  it('a declared length over the limit is 413 before a byte is read', async () => {
    const a = app({});
    const res = await a.request('/v1/classify', { method: 'POST', body: stalled(new Uint8Array(1)).body, headers: { 'content-length': String(15 * 1024 * 1024) }, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect(await codeOf(res)).toBe('payload_too_large');
  });
});
