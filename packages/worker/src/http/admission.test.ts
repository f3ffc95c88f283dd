import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { errorBody } from '../errors';
import { admission } from './admission';
import type { AppEnv } from './deps';

/** An app with one slot, no queue, and handlers that finish when the test lets them. */
function app(spill: () => boolean) {
  const gates: Array<() => void> = [];
  const a = new Hono<AppEnv>();
  a.onError((err, c) => c.json(errorBody(err, 'test'), 503));
  a.use('*', admission({ maxInFlight: 1, maxQueued: 0, spill }));
  a.post('*', async (c) => {
    await new Promise<void>((ok) => gates.push(ok));
    return c.json({ edgeFull: c.get('edgeFull') ?? false });
  });
  const send = (path = '/v1/classify') => a.request(path, { method: 'POST' });
  /** Until `n` requests are inside the handler. */
  const inside = async (n: number) => {
    while (gates.length < n) await new Promise((ok) => setImmediate(ok));
  };
  return { send, inside, release: () => gates.splice(0).forEach((open) => open()) };
}

describe('admission control', () => {
  it('refuses past its bounds with 503 overloaded and Retry-After when nothing can take the work', async () => {
    const { send, inside, release } = app(() => false);
    const first = send();
    await inside(1);
    const refused = await send();
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('overloaded');
    release();
    expect(await (await first).json()).toEqual({ edgeFull: false });
  });

  it('lets refused work in as a spill (edgeFull) while the GPU tier can take it, at most maxInFlight at once, never tier=edge', async () => {
    let healthy = true;
    const { send, inside, release } = app(() => healthy);
    const first = send();
    await inside(1);
    expect((await send('/v1/classify?tier=edge')).status).toBe(503);
    const spilled = send();
    await inside(2);
    expect((await send()).status).toBe(503); // the one spill slot is taken
    release();
    expect(await (await first).json()).toEqual({ edgeFull: false });
    expect(await (await spilled).json()).toEqual({ edgeFull: true });
    // the slots are free again; with the GPU tier unhealthy a full isolate refuses
    healthy = false;
    const again = send();
    await inside(1);
    expect((await send()).status).toBe(503);
    release();
    expect((await again).status).toBe(200);
  });
});
