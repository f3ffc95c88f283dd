import { describe, expect, it } from 'vitest';
import { runPool } from './pool';

/** A promise the test resolves by hand: no timers, so the order of events is exact. */
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((ok) => (resolve = ok));
  return { promise, resolve };
}

describe('runPool', () => {
  it('never runs more than `concurrency` at once, and reports in input order', async () => {
    const gates = Array.from({ length: 5 }, deferred);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const reported: number[] = [];
    const pool = runPool(
      [0, 1, 2, 3, 4],
      2,
      async (item) => {
        started.push(item);
        peak = Math.max(peak, ++running);
        await gates[item]?.promise;
        running--;
        return item * 10;
      },
      (result) => reported.push(result),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    gates[1]?.resolve(); // finishes first, but waits for item 0 before it is reported
    await new Promise((ok) => setImmediate(ok));
    expect(started).toEqual([0, 1, 2]);
    expect(reported).toEqual([]);
    gates[0]?.resolve();
    await new Promise((ok) => setImmediate(ok));
    expect(reported).toEqual([0, 10]);
    for (const g of gates) g.resolve();
    expect(await pool).toEqual([0, 10, 20, 30, 40]);
    expect(reported).toEqual([0, 10, 20, 30, 40]);
    expect(peak).toBe(2);
  });

  it('an empty list and a concurrency above the item count', async () => {
    expect(await runPool([], 4, async () => 1, () => {})).toEqual([]);
    expect(await runPool(['a'], 8, async (s) => s.toUpperCase(), () => {})).toEqual(['A']);
  });
});
