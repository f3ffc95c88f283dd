import { describe, expect, it } from 'vitest';
import { decodeDetrBoxes } from './detr-boxes';

// Three queries: a dog (16) at 0.9, a person (0) at exactly 0.5, a cat (15) at 0.3.
const outputs = {
  boxes: new Float32Array([10, 20, 110, 220, 0, 0, 50, 50, 5, 5, 6, 6]),
  labels: new BigInt64Array([16n, 0n, 15n]),
  scores: new Float32Array([0.9, 0.5, 0.3]),
};

describe('decodeDetrBoxes', () => {
  it('keeps queries at or above the threshold, with their boxes as given', () => {
    const got = decodeDetrBoxes(outputs, 80, { threshold: 0.5 });
    expect(got).toEqual([
      { box: { x1: 10, y1: 20, x2: 110, y2: 220 }, score: expect.closeTo(0.9, 6), classIndex: 16 },
      { box: { x1: 0, y1: 0, x2: 50, y2: 50 }, score: 0.5, classIndex: 0 },
    ]);
  });

  it('threshold 0 keeps all, threshold 1 none of these', () => {
    expect(decodeDetrBoxes(outputs, 80, { threshold: 0 })).toHaveLength(3);
    expect(decodeDetrBoxes(outputs, 80, { threshold: 1 })).toEqual([]);
  });

  it('filters by allowed classes', () => {
    const allowed = new Uint8Array(80);
    allowed[15] = 1;
    allowed[16] = 1;
    expect(decodeDetrBoxes(outputs, 80, { threshold: 0.1, allowed }).map((c) => c.classIndex)).toEqual([16, 15]);
  });

  it('does not suppress overlapping queries (the model already did)', () => {
    const same = { boxes: new Float32Array([0, 0, 10, 10, 0, 0, 10, 10]), labels: [1, 1], scores: new Float32Array([0.8, 0.7]) };
    expect(decodeDetrBoxes(same, 80, { threshold: 0.5 })).toHaveLength(2);
  });

  it('skips labels outside the label list and handles empty outputs', () => {
    const odd = { boxes: new Float32Array(8), labels: new BigInt64Array([80n, -1n]), scores: new Float32Array([0.9, 0.9]) };
    expect(decodeDetrBoxes(odd, 80, { threshold: 0.5 })).toEqual([]);
    expect(decodeDetrBoxes({ boxes: [], labels: [], scores: [] }, 80, { threshold: 0.5 })).toEqual([]);
  });

  it('refuses mismatched outputs', () => {
    expect(() => decodeDetrBoxes({ boxes: new Float32Array(4), labels: [0, 1], scores: [0.5, 0.5] }, 80, { threshold: 0 })).toThrow(/do not match/);
  });
});
