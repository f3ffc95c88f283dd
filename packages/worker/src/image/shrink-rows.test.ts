import { describe, expect, it } from 'vitest';
import { chooseShrinkFactor, createShrinker } from './shrink-rows';

describe('chooseShrinkFactor', () => {
  it('shrinks as far as the model size allows, then as far as the pixel budget needs', () => {
    expect(chooseShrinkFactor(3840, 2160, 224, 224, 2_100_000)).toBe(9); // 427 x 240
    expect(chooseShrinkFactor(3840, 2160, 513, 513, 2_100_000)).toBe(4); // 960 x 540
    expect(chooseShrinkFactor(3840, 2160, 3840, 2160, 2_100_000)).toBe(2); // 1920 x 1080
    expect(chooseShrinkFactor(500, 400, 224, 224, 2_100_000)).toBe(1);
    expect(chooseShrinkFactor(100, 100, 224, 224, 2_100_000)).toBe(1);
    expect(chooseShrinkFactor(1, 1, 1, 1, 2_100_000)).toBe(1);
    expect(chooseShrinkFactor(5, 1, 1, 1, 2_100_000)).toBe(5);
  });
});

describe('createShrinker', () => {
  it('averages whole blocks, rounding, and the smaller edge blocks by their own size', () => {
    // 3x3 grey-ish RGBA by 2: blocks of 4, 2, 2 and 1 pixels
    const values = [0, 10, 20, 30, 41, 50, 60, 70, 80];
    const s = createShrinker(3, 3, 2);
    for (let y = 0; y < 3; y++) s.push(Uint8Array.from(values.slice(y * 3, y * 3 + 3).flatMap((v) => [v, v, v, 255])));
    const { rgba, width, height } = s.result();
    expect([width, height]).toEqual([2, 2]);
    expect(Array.from(rgba).filter((_, i) => i % 4 === 0)).toEqual([Math.round((0 + 10 + 30 + 41) / 4), (20 + 50) / 2, (60 + 70) / 2, 80]);
    expect(rgba[3]).toBe(255);
  });
  it('copies rows as they are at factor 1 and refuses a result before every row is in', () => {
    const s = createShrinker(2, 2, 1);
    s.push(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(() => s.result()).toThrow(/1 of 2/);
    s.push(Uint8Array.from([9, 10, 11, 12, 13, 14, 15, 16]));
    expect(Array.from(s.result().rgba)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  });
});
