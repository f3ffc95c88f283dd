import { describe, expect, it } from 'vitest';
import { decodeRle, encodeRle } from './rle';

describe('COCO RLE', () => {
  // 3 wide, 2 high:   1 1 0      column-major: (x0: 1,0) (x1: 1,2) (x2: 0,2)
  //                   0 2 2      -> 1 0 1 2 0 2
  const map = { width: 3, height: 2, data: Uint8Array.from([1, 1, 0, 0, 2, 2]) };

  it('encodes column-major runs starting with a 0-run, like pycocotools', () => {
    const rle = encodeRle(map);
    expect(rle.get(1)).toEqual([0, 1, 1, 1, 3]);
    expect(rle.get(2)).toEqual([3, 1, 1, 1]);
    expect(rle.get(0)).toEqual([1, 1, 2, 1, 1]);
    for (const counts of rle.values()) expect(counts.reduce((a, b) => a + b, 0)).toBe(6);
  });

  it('matches pycocotools on a known mask', () => {
    // pycocotools.mask.encode(np.asfortranarray([[0,1],[1,1]], dtype=np.uint8)) -> counts [1, 3] (uncompressed)
    const rle = encodeRle({ width: 2, height: 2, data: Uint8Array.from([0, 1, 1, 1]) });
    expect(rle.get(1)).toEqual([1, 3]);
    expect(rle.get(0)).toEqual([0, 1, 3]);
  });

  it('omits skipped classes', () => {
    expect([...encodeRle(map, new Set([0])).keys()].sort()).toEqual([1, 2]);
  });

  it('round-trips a random class map', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) / 65536;
    const width = 37;
    const height = 23;
    // Blobby classes so runs are longer than one pixel.
    const data = Uint8Array.from({ length: width * height }, (_, i) => ((Math.floor((i % width) / 5) + Math.floor(i / width / 4) + (random() < 0.1 ? 1 : 0)) % 6));
    const rle = encodeRle({ width, height, data });
    const back = new Uint8Array(width * height).fill(99);
    for (const [c, counts] of rle) {
      decodeRle(counts, width, height).forEach((bit, i) => {
        if (bit) {
          expect(back[i]).toBe(99); // no pixel claimed twice
          back[i] = c;
        }
      });
    }
    expect(back).toEqual(data);
  });

  it('rejects counts that do not fit the size', () => {
    expect(() => decodeRle([1, 2], 2, 2)).toThrow(/sum to 3/);
    expect(() => decodeRle([5], 2, 2)).toThrow(/does not fit/);
    expect(() => decodeRle([-1, 5], 2, 2)).toThrow(/does not fit/);
  });
});
