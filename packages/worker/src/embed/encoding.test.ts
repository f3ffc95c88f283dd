import { describe, expect, it } from 'vitest';
import { decodeEmbedding } from '@cvkit/sdk';
import { encodeEmbedding, float32Bytes } from './encoding';

const vector = Float32Array.from([0.1, -0.25, 1 / 3, 1e-8, 0, 0.999999, Math.PI / 4, -3e5]);

describe('encodeEmbedding', () => {
  it('float: a number array that rounds back to the same float32 values', () => {
    const out = encodeEmbedding(vector, 'float');
    expect(out.encoding).toBe('float');
    expect(out.dimensions).toBe(8);
    const values = out.embedding as number[];
    expect(values.map((x) => Math.fround(x))).toEqual(Array.from(vector));
    // At most 9 significant digits: the JSON is not padded with float64 noise.
    for (const x of values) expect(x.toPrecision(9)).toBe(Number(x.toPrecision(9)).toPrecision(9));
    expect(JSON.stringify(values)).not.toMatch(/\d{11}/);
  });

  it('base64: little-endian float32 bytes, decoded by the SDK to the same vector as the float form', () => {
    const out = encodeEmbedding(vector, 'base64');
    expect(out).toMatchObject({ encoding: 'base64', dimensions: 8 });
    expect(typeof out.embedding).toBe('string');
    expect(Array.from(decodeEmbedding(out.embedding))).toEqual(Array.from(vector));
    expect(Array.from(decodeEmbedding(encodeEmbedding(vector, 'float').embedding))).toEqual(Array.from(vector));
  });

  it('writes little-endian whatever the host (1.0 is 00 00 80 3f)', () => {
    expect(Array.from(float32Bytes(Float32Array.from([1])))).toEqual([0, 0, 0x80, 0x3f]);
    expect(encodeEmbedding(Float32Array.from([1]), 'base64').embedding).toBe('AACAPw==');
  });

  it('base64 of a 1024-dimension vector is well under half its float JSON', () => {
    const big = Float32Array.from({ length: 1024 }, (_, i) => Math.sin(i) / 32);
    const json = JSON.stringify(encodeEmbedding(big, 'float').embedding).length;
    const b64 = JSON.stringify(encodeEmbedding(big, 'base64').embedding).length;
    expect(b64).toBe(Math.ceil((1024 * 4) / 3) * 4 + 2);
    expect(b64 / json).toBeLessThan(0.5);
  });
});
