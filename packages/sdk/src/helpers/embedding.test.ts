import { describe, expect, it } from 'vitest';
import { CVKitError } from '../errors';
import { cosineSimilarity, decodeEmbedding } from './embedding';

describe('decodeEmbedding', () => {
  it('reads base64 as little-endian float32 (00 00 80 3f is 1.0, 00 00 00 c0 is -2.0)', () => {
    expect(Array.from(decodeEmbedding('AACAPwAAAMA='))).toEqual([1, -2]);
  });

  it('turns a number array into a Float32Array', () => {
    const v = decodeEmbedding([0.5, 0.25]);
    expect(v).toBeInstanceOf(Float32Array);
    expect(Array.from(v)).toEqual([0.5, 0.25]);
  });

  it('refuses invalid base64 and byte counts that are not whole float32 values', () => {
    expect(() => decodeEmbedding('not base64!')).toThrow(CVKitError);
    expect(() => decodeEmbedding('AACA')).toThrow(/4 bytes each\), not 3 bytes/);
  });
});

describe('cosineSimilarity', () => {
  it('is the cosine of the angle whatever the lengths of the vectors', () => {
    expect(cosineSimilarity([1, 0], [5, 0])).toBe(1);
    expect(cosineSimilarity([1, 0], [0, 3])).toBe(0);
    expect(cosineSimilarity([1, 0], [-2, 0])).toBe(-1);
    expect(cosineSimilarity([1, 1], [1, 0])).toBeCloseTo(Math.SQRT1_2, 12);
  });

  it('takes base64 embeddings and typed arrays alike', () => {
    expect(cosineSimilarity('AACAPwAAAMA=', Float32Array.from([1, -2]))).toBeCloseTo(1, 12);
  });

  it('is 0 for a zero vector and refuses different dimensions', () => {
    expect(cosineSimilarity([0, 0], [1, 2])).toBe(0);
    expect(() => cosineSimilarity([1, 2], [1, 2, 3])).toThrow(/different dimensions \(2 and 3\)/);
  });
});
