import { describe, expect, it } from 'vitest';
import { argmaxNCHW, argmaxNHWC, classMapFromIntegers, classMapFromOutput, keepClasses, resizeNearest } from './class-map';

// 2x2 image, 3 classes. Pixel winners: (0,0) -> 2, (1,0) -> 0, (0,1) -> 1, (1,1) -> tie 0/1 -> 0.
const perPixel = [
  [0.1, 0.2, 0.9],
  [5, -1, 2],
  [-3, -2, -2.5],
  [1, 1, 0],
];
const nhwc = Float32Array.from(perPixel.flat());
const nchw = Float32Array.from([0, 1, 2].flatMap((c) => perPixel.map((p) => p[c] as number)));

describe('argmax', () => {
  it('over NHWC logits', () => {
    expect(argmaxNHWC(nhwc, 2, 2, 3)).toEqual({ width: 2, height: 2, data: Uint8Array.from([2, 0, 1, 0]) });
  });
  it('over NCHW logits gives the same map', () => {
    expect(argmaxNCHW(nchw, 2, 2, 3)).toEqual({ width: 2, height: 2, data: Uint8Array.from([2, 0, 1, 0]) });
  });
  it('checks the size', () => {
    expect(() => argmaxNHWC(nhwc, 3, 2, 3)).toThrow(/expected/);
    expect(() => argmaxNCHW(nchw, 2, 2, 300)).toThrow(/class count/);
  });
});

describe('classMapFromIntegers', () => {
  it('reads int64 (BigInt64Array) class maps', () => {
    const map = classMapFromIntegers(BigInt64Array.from([0n, 3n, 20n, 15n, 12n, 0n]), 3, 2, 21);
    expect(map).toEqual({ width: 3, height: 2, data: Uint8Array.from([0, 3, 20, 15, 12, 0]) });
  });
  it('reads int32 class maps', () => {
    expect(classMapFromIntegers(Int32Array.from([1, 2]), 2, 1, 3).data).toEqual(Uint8Array.from([1, 2]));
  });
  it('rejects values outside the label list, including ones beyond 32 bits and negatives', () => {
    expect(() => classMapFromIntegers(BigInt64Array.from([21n]), 1, 1, 21)).toThrow(/outside/);
    expect(() => classMapFromIntegers(BigInt64Array.from([1n << 32n]), 1, 1, 21)).toThrow(/outside/);
    expect(() => classMapFromIntegers(BigInt64Array.from([-1n]), 1, 1, 21)).toThrow(/outside/);
  });
});

describe('classMapFromOutput', () => {
  it('decodes by the manifest output kind', () => {
    expect(classMapFromOutput({ kind: 'logits', layout: 'NHWC' }, { data: nhwc, dims: [1, 2, 2, 3] }, 3).data).toEqual(Uint8Array.from([2, 0, 1, 0]));
    expect(classMapFromOutput({ kind: 'logits', layout: 'NCHW' }, { data: nchw, dims: [1, 3, 2, 2] }, 3).data).toEqual(Uint8Array.from([2, 0, 1, 0]));
    const map = classMapFromOutput({ kind: 'class-map' }, { data: BigInt64Array.from([1n, 2n, 0n, 1n, 1n, 1n]), dims: [1, 2, 3] }, 3);
    expect(map).toMatchObject({ width: 3, height: 2 });
  });
  it('fails loudly when the output does not match the spec', () => {
    expect(() => classMapFromOutput({ kind: 'logits', layout: 'NHWC' }, { data: nhwc, dims: [1, 2, 2, 3] }, 21)).toThrow(/classes/);
    expect(() => classMapFromOutput({ kind: 'class-map' }, { data: nhwc, dims: [1, 2, 6] }, 3)).toThrow(/int64/);
    expect(() => classMapFromOutput({ kind: 'logits', layout: 'NCHW' }, { data: BigInt64Array.from([1n]), dims: [1, 1, 1, 1] }, 1)).toThrow(/float32/);
  });
});

describe('resizeNearest', () => {
  const map = { width: 2, height: 2, data: Uint8Array.from([1, 2, 3, 4]) };
  it('upscales by pixel centres (a centre on a boundary takes the later pixel)', () => {
    expect(Array.from(resizeNearest(map, 4, 3).data)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    expect(Array.from(resizeNearest(map, 3, 1).data)).toEqual([3, 4, 4]);
  });
  it('downscales and keeps the identity', () => {
    const big = { width: 4, height: 4, data: Uint8Array.from({ length: 16 }, (_, i) => i) };
    expect(Array.from(resizeNearest(big, 2, 2).data)).toEqual([5, 7, 13, 15]);
    expect(resizeNearest(map, 2, 2)).toBe(map);
  });
  it('upscales a 513 map to a photo size with every class kept', () => {
    const data = Uint8Array.from({ length: 513 * 513 }, (_, i) => (i % 513 < 256 ? 0 : 3));
    const up = resizeNearest({ width: 513, height: 513, data }, 1024, 683);
    expect(up.data.length).toBe(1024 * 683);
    const row = up.data.subarray(0, 1024);
    expect(row.indexOf(3)).toBe(511); // source column 256 starts at target x = ceil(256 * 1024 / 513 - 0.5)
  });
});

describe('keepClasses and classIndices', () => {
  it('marks unrequested pixels 255', () => {
    const map = { width: 4, height: 1, data: Uint8Array.from([0, 3, 15, 3]) };
    expect(Array.from(keepClasses(map, new Set([3])).data)).toEqual([255, 3, 255, 3]);
    expect(keepClasses(map, undefined)).toBe(map);
  });
});
