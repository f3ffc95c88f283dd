import { describe, expect, it } from 'vitest';
import { l2Normalize } from './l2-normalize';
import { dot, similarityMatrix } from './similarity-matrix';

const unit = (...v: number[]) => l2Normalize(Float32Array.from(v));

describe('similarityMatrix', () => {
  it('is symmetric with 1 on the diagonal and the cosines off it', () => {
    const m = similarityMatrix([unit(1, 0), unit(1, 1), unit(0, 1), unit(-1, 0)]);
    expect(m.map((row) => row.map((x) => Number(x.toFixed(6))))).toEqual([
      [1, 0.707107, 0, -1],
      [0.707107, 1, 0.707107, -0.707107],
      [0, 0.707107, 1, 0],
      [-1, -0.707107, 0, 1],
    ]);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(m[i]?.[j]).toBe(m[j]?.[i]);
  });

  it('clamps float32 rounding into [-1, 1]', () => {
    const a = unit(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7);
    expect(similarityMatrix([a, Float32Array.from(a)])[0]?.[1]).toBeLessThanOrEqual(1);
  });

  it('gives 0 on the diagonal for a zero vector, and an empty matrix for no vectors', () => {
    expect(similarityMatrix([new Float32Array(2), unit(1, 0)])).toEqual([[0, 0], [0, 1]]);
    expect(similarityMatrix([])).toEqual([]);
  });

  it('refuses vectors of different lengths', () => {
    expect(() => dot(unit(1, 0), unit(1, 0, 0))).toThrow(/different lengths \(2 and 3\)/);
  });
});
