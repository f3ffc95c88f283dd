import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { pngBomb } from '../../../../test/support/hostile';
import { decodeImage } from './decode';
import { zlibFitsWithin } from './inflate-bound';

const MiB = 1024 * 1024;

describe('zlibFitsWithin', () => {
  it('stops a 300 MiB zlib bomb after about 1 MiB past the limit, in blocks of about 1 MiB', () => {
    const bomb = pngBomb();
    const idat = bomb.subarray(8 + 25 + 8, bomb.length - 12 - 4); // after signature, IHDR chunk and IDAT's length+type
    const blocks: number[] = [];
    expect(zlibFitsWithin([idat], 30_100, (n) => blocks.push(n))).toBe(false);
    // Before the fix the whole IDAT was inflated in one go: a single 300 MiB block.
    expect(Math.max(...blocks)).toBeLessThanOrEqual(1.1 * MiB);
    expect(blocks.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(30_100 + 1.1 * MiB);
  });

  it('accepts a stream within the limit, split anywhere', () => {
    const data = new Uint8Array(200_000).map((_, i) => (i * 31) & 255);
    const z = new Uint8Array(deflateSync(data));
    expect(zlibFitsWithin([z.subarray(0, 7), z.subarray(7)], 200_000)).toBe(true);
    expect(zlibFitsWithin([z], 199_999)).toBe(false);
  });
});

it('the PNG bomb of issue 11 is 422 invalid_image', async () => {
  await expect(decodeImage(pngBomb())).rejects.toMatchObject({ code: 'invalid_image' });
});
