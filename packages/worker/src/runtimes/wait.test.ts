import { describe, expect, it } from 'vitest';
import { firstCallAlone, pollUntil } from './wait';

/** A fake clock whose sleep advances time at once. */
const clock = () => {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => void (t += ms), at: () => t };
};

describe('pollUntil', () => {
  it('returns the first value the check gives', async () => {
    const c = clock();
    let calls = 0;
    expect(await pollUntil(() => (++calls === 3 ? 'ready' : undefined), { timeoutMs: 1000, intervalMs: 10, what: 'x', ...c })).toBe('ready');
    expect(c.at()).toBe(20);
  });
  it('gives up after the timeout with the documented busy error', async () => {
    const c = clock();
    await expect(pollUntil(() => undefined, { timeoutMs: 1000, intervalMs: 100, what: 'the model', ...c })).rejects.toMatchObject({
      code: 'overloaded',
      retryAfterSeconds: 1,
      message: 'The worker is busy: waited 1 s for the model. Retry shortly.',
    });
  });
  it('stops when the caller goes away', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(pollUntil(() => undefined, { timeoutMs: 1000, intervalMs: 1, what: 'x', signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('firstCallAlone', () => {
  it('runs the first call alone; the others wait for it by polling, then run', async () => {
    const alone = firstCallAlone({ timeoutMs: 10_000, intervalMs: 1, what: 'init' });
    const order: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const first = alone(async () => {
      order.push('first start');
      await gate;
      order.push('first end');
      return 1;
    });
    const second = alone(async () => (order.push('second'), 2));
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual(['first start']);
    release();
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(order).toEqual(['first start', 'first end', 'second']);
  });
  it('does not keep a failed first call: the next one runs alone again', async () => {
    const alone = firstCallAlone({ timeoutMs: 1000, intervalMs: 1, what: 'init' });
    await expect(alone(async () => Promise.reject(new Error('no wasm')))).rejects.toThrow('no wasm');
    expect(await alone(async () => 'ok')).toBe('ok');
  });
});
