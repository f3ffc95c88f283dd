import { describe, expect, it } from 'vitest';
import { softmax, topK } from './postprocess';

describe('softmax', () => {
  it('matches hand-computed values', () => {
    const p = softmax([1, 2, 3]);
    // e^-2, e^-1, 1 over their sum
    expect(Array.from(p)).toEqual([0.09003057, 0.24472847, 0.66524096].map((v) => expect.closeTo(v, 6)));
  });
  it('is stable for large logits and sums to 1', () => {
    const p = softmax([1000, 1001, 999]);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(Number.isFinite(p[0])).toBe(true);
  });
});

describe('topK', () => {
  it('returns indices of the largest scores, best first', () => {
    expect(topK([0.1, 0.5, 0.2, 0.9, 0.3], 3)).toEqual([3, 1, 4]);
  });
  it('keeps the lower index first on ties', () => {
    expect(topK([0.5, 0.7, 0.5, 0.7], 3)).toEqual([1, 3, 0]);
  });
  it('clamps k to the number of scores and handles empty input', () => {
    expect(topK([0.2, 0.1], 5)).toEqual([0, 1]);
    expect(topK([], 5)).toEqual([]);
    expect(topK([1, 2], 0)).toEqual([]);
  });
});

describe('topK with skipped indices', () => {
  it('never returns a skipped index, even when k asks for every class', () => {
    const scores = [0.9, 0.1, 0.5, 0.3];
    expect(topK(scores, 2, new Set([0]))).toEqual([2, 3]);
    expect(topK(scores, 10, new Set([0]))).toEqual([2, 3, 1]);
    expect(topK([0, 0, 0], 5, new Set([0]))).toEqual([1, 2]);
  });
});
