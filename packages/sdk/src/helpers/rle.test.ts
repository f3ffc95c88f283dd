import { describe, expect, it } from 'vitest';
import { decodeRle, decodeRleCounts } from './rle';

describe('decodeRleCounts (COCO compact strings)', () => {
  it('golden, computed by hand from pycocotools rleToString', () => {
    // runs from the fourth on are stored as the difference to the run two before:
    // [5, 3, 2, 1]: '5', '3', '2', then 1 - 3 = -2 -> 30 (sign bit 0x10 set, no continuation) + 48 -> 'N'
    expect(decodeRleCounts('532N')).toEqual([5, 3, 2, 1]);
    // 100 = 4 + 3 * 32: 'T' (4 | more), '3'
    expect(decodeRleCounts('T3')).toEqual([100]);
    expect(decodeRleCounts('')).toEqual([]);
  });
  it('refuses truncated and invalid strings', () => {
    expect(() => decodeRleCounts('T')).toThrow(/ends inside/);
    expect(() => decodeRleCounts('5 3')).toThrow(/invalid character/);
  });
});

describe('decodeRle', () => {
  it('reads runs down the columns and returns the mask row by row', () => {
    // 3 high, 2 wide; column-major [0,1,1 | 1,0,0] -> runs 1 zero, 3 ones, 2 zeros
    const mask = decodeRle({ size: [3, 2], counts: [1, 3, 2] });
    expect([...mask]).toEqual([
      0, 1,
      1, 0,
      1, 0,
    ]);
  });
  it('accepts a zero-length first run (a mask starting with 1s) and the string form', () => {
    expect([...decodeRle({ size: [2, 2], counts: [0, 4] })]).toEqual([1, 1, 1, 1]);
    // 2 high, 5 wide, runs 5 zeros, 3 ones, 2 zeros down the columns
    expect([...decodeRle({ size: [2, 5], counts: '532' })]).toEqual([
      0, 0, 0, 1, 0,
      0, 0, 1, 1, 0,
    ]);
  });
  it('refuses runs that do not cover the mask exactly', () => {
    expect(() => decodeRle({ size: [2, 2], counts: [1, 2] })).toThrow(/cover 3 pixels/);
    expect(() => decodeRle({ size: [2, 2], counts: [3, 3] })).toThrow(/do not fit/);
    expect(() => decodeRle({ size: [2, 2], counts: [1.5, 2.5] })).toThrow(/do not fit/);
  });
});
