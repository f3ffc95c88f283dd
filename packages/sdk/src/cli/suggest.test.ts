import { describe, expect, it } from 'vitest';
import { closest, editDistance } from './suggest';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and neighbour swaps as one edit each', () => {
    expect(editDistance('threshold', 'threshold')).toBe(0);
    expect(editDistance('treshold', 'threshold')).toBe(1);
    expect(editDistance('thershold', 'threshold')).toBe(1);
    expect(editDistance('top-j', 'top-k')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('closest', () => {
  const options = ['threshold', 'top-k', 'iou', 'model', 'max-detections', 'concurrency', 'json', 'out'];
  it('names the option a typo meant', () => {
    expect(closest('treshold', options)).toBe('threshold');
    expect(closest('topk', options)).toBe('top-k');
    expect(closest('concurency', options)).toBe('concurrency');
    expect(closest('JSON', options)).toBe('json');
    expect(closest('clasify', ['classify', 'detect', 'segment', 'models'])).toBe('classify');
  });
  it('suggests nothing for a word that is not close to any', () => {
    expect(closest('frob', options)).toBeUndefined();
    expect(closest('x', options)).toBeUndefined();
  });
});
