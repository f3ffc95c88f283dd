import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyOrientation, readJpegOrientation } from './orientation';

// 3x2 image, pixel value = its stored index (one byte per channel repeated)
const W = 3;
const H = 2;
const stored = new Uint8Array(W * H * 4).map((_, i) => Math.floor(i / 4));
const ids = (o: { data: Uint8Array }) => Array.from(o.data.filter((_, i) => i % 4 === 0));

describe('applyOrientation', () => {
  // stored:  0 1 2
  //          3 4 5
  it.each([
    [1, 3, 2, [0, 1, 2, 3, 4, 5]],
    [2, 3, 2, [2, 1, 0, 5, 4, 3]],
    [3, 3, 2, [5, 4, 3, 2, 1, 0]],
    [4, 3, 2, [3, 4, 5, 0, 1, 2]],
    [5, 2, 3, [0, 3, 1, 4, 2, 5]],
    [6, 2, 3, [3, 0, 4, 1, 5, 2]],
    [7, 2, 3, [5, 2, 4, 1, 3, 0]],
    [8, 2, 3, [2, 5, 1, 4, 0, 3]],
  ])('orientation %i', (orientation, w, h, expected) => {
    const out = applyOrientation(stored, W, H, orientation);
    expect([out.width, out.height]).toEqual([w, h]);
    expect(ids(out)).toEqual(expected);
  });
});

describe('readJpegOrientation', () => {
  it('reads the EXIF tag of a real JPEG', () => {
    const bytes = new Uint8Array(readFileSync(resolve(import.meta.dirname, '../../../../test/assets/cat_exif6.jpg')));
    expect(readJpegOrientation(bytes)).toBe(6);
  });
  it('defaults to 1 without EXIF or on garbage', () => {
    expect(readJpegOrientation(new Uint8Array([0xff, 0xd8, 0xff, 0xdb, 0, 4, 0, 0]))).toBe(1);
    expect(readJpegOrientation(new Uint8Array([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff, 0x45, 0x78, 0x69, 0x66]))).toBe(1);
  });
});
