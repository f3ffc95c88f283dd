import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { errorBody, toApiError } from '../errors';
import { admission, type AdmissionOptions, createDrainMeter } from './admission';
import type { AppEnv } from './deps';

/** An app behind admission control whose handlers finish when the test lets them, in the order they started. */
function app({ spill = () => false, ...options }: AdmissionOptions = {}) {
  const gates: Array<() => void> = [];
  const started: string[] = [];
  const a = new Hono<AppEnv>();
  a.onError((err, c) => {
    const seconds = toApiError(err).retryAfterSeconds;
    if (seconds !== undefined) c.header('retry-after', String(seconds));
    return c.json(errorBody(err, 'test'), 503);
  });
  a.use('*', admission({ maxInFlight: 1, maxQueued: 0, spill, ...options }));
  a.post('*', async (c) => {
    started.push(c.req.query('n') ?? '');
    await new Promise<void>((ok) => gates.push(ok));
    return c.json({ edgeFull: c.get('edgeFull') ?? false });
  });
  const send = (path = '/v1/classify') => a.request(path, { method: 'POST' });
  /** Until `n` requests have entered the handler. */
  const inside = async (n: number) => {
    while (started.length < n) await new Promise((ok) => setTimeout(ok, 1));
  };
  /** Lets the oldest running handler finish. */
  const finishOne = () => gates.shift()?.();
  return { send, inside, started, finishOne, release: () => gates.splice(0).forEach((open) => open()) };
}

const codeOf = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe('admission control', () => {
  it('refuses past its bounds with 503 overloaded and Retry-After when nothing can take the work', async () => {
    const { send, inside, release } = app();
    const first = send();
    await inside(1);
    const refused = await send();
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await codeOf(refused)).toBe('overloaded');
    release();
    expect(await (await first).json()).toEqual({ edgeFull: false });
  });

  it('lets refused work in as a spill (edgeFull) while the GPU tier can take it, at most maxInFlight at once, never tier=edge', async () => {
    let healthy = true;
    const { send, inside, release } = app({ spill: () => healthy });
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

  it('serves waiting requests first in, first out', async () => {
    const { send, inside, started, finishOne } = app({ maxQueued: 8 });
    const all = [send('/v1/x?n=0')];
    await inside(1);
    for (let n = 1; n < 6; n++) all.push(send(`/v1/x?n=${n}`));
    for (let n = 1; n < 6; n++) {
      finishOne();
      await inside(n + 1);
    }
    finishOne();
    expect((await Promise.all(all)).map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(started).toEqual(['0', '1', '2', '3', '4', '5']);
  });

  it('refuses at once a request that the measured drain rate says cannot start within maxWaitMs, Retry-After from that rate', async () => {
    let clock = 0;
    const { send, inside, finishOne } = app({ maxQueued: 100, maxWaitMs: 5_000, now: () => clock });
    // one request measured: it held its slot 2 s
    const first = send();
    await inside(1);
    clock += 2_000;
    finishOne();
    expect((await first).status).toBe(200);

    const running = send();
    await inside(2);
    // 2 s per request and one slot: the 1st and 2nd waiter start within 4 s, a 3rd would wait 6 s
    const waiting = [send(), send()];
    await new Promise((ok) => setTimeout(ok, 20)); // both have joined the queue (the clock stands still meanwhile)
    const refused = await send();
    expect(await codeOf(refused)).toBe('overloaded');
    // the queue as it stands (2 waiting, and this one) drains in 3 x 2 s
    expect(refused.headers.get('retry-after')).toBe('6');
    finishOne();
    await inside(3);
    finishOne();
    await inside(4);
    finishOne();
    expect((await Promise.all([running, ...waiting])).map((r) => r.status)).toEqual([200, 200, 200]);
  });

  it('a waiter whose turn does not come within maxWaitMs is refused then, and leaves the queue', async () => {
    let clock = 0;
    const { send, inside, release } = app({ maxQueued: 4, maxWaitMs: 1_000, now: () => clock });
    const running = send();
    await inside(1);
    const waiter = send();
    await new Promise((ok) => setTimeout(ok, 20));
    clock += 1_001;
    const late = await waiter;
    expect(await codeOf(late)).toBe('overloaded');
    release();
    expect((await running).status).toBe(200);
    // the queue is empty again: the next request starts at once
    const next = send();
    await inside(2);
    release();
    expect((await next).status).toBe(200);
  });
});

describe('createDrainMeter', () => {
  it('knows nothing before a measurement, then averages the time a slot is held', () => {
    const meter = createDrainMeter(2);
    expect(meter.msUntil(1)).toBeUndefined();
    meter.record(1_000);
    expect(meter.msUntil(4)).toBe(2_000);
    meter.record(2_000);
    expect(meter.msUntil(2)).toBeCloseTo(1_200);
  });
});
