import { describe, expect, it } from 'vitest';
import { l2Normalize } from './l2-normalize';

describe('l2Normalize', () => {
  it('scales to norm 1 and keeps the direction', () => {
    const v = l2Normalize(Float32Array.from([3, 4]));
    expect(Array.from(v)).toEqual([Math.fround(0.6), Math.fround(0.8)]);
  });

  it('leaves a zero vector zero (no NaN) and returns a new array', () => {
    const zero = new Float32Array(4);
    const out = l2Normalize(zero);
    expect(Array.from(out)).toEqual([0, 0, 0, 0]);
    expect(out).not.toBe(zero);
  });

  it('is exact enough over 1024 dimensions of mixed magnitude', () => {
    const v = Float32Array.from({ length: 1024 }, (_, i) => (i % 7) * 1e-3 + (i % 3) * 5);
    const out = l2Normalize(v);
    const norm = Math.sqrt(out.reduce((s, x) => s + x * x, 0));
    expect(Math.abs(norm - 1)).toBeLessThan(1e-6);
  });
});
