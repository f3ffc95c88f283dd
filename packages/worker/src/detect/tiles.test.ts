import { describe, expect, it } from 'vitest';
import { cropRGBA, fromTile, tileGrid } from './tiles';

describe('tileGrid', () => {
  it('covers the image with overlapping tiles of the input size, the last flush with the edge', () => {
    const tiles = tileGrid(1352, 900, 416, 416);
    const xs = [...new Set(tiles.map((t) => t.x))];
    const ys = [...new Set(tiles.map((t) => t.y))];
    expect(xs).toEqual([0, 312, 624, 936]);
    expect(ys).toEqual([0, 242, 484]);
    expect(tiles).toHaveLength(12);
    for (const t of tiles) expect([t.width, t.height]).toEqual([416, 416]);
    // neighbours overlap by at least 20% of a tile
    for (let i = 1; i < xs.length; i++) expect((xs[i - 1] as number) + 416 - (xs[i] as number)).toBeGreaterThanOrEqual(0.2 * 416);
  });

  it('no tiles for an image no larger than one; one row for a wide strip', () => {
    expect(tileGrid(416, 300, 416, 416)).toEqual([]);
    expect(tileGrid(1000, 200, 416, 416).map((t) => [t.x, t.y, t.width, t.height])).toEqual([[0, 0, 416, 200], [292, 0, 416, 200], [584, 0, 416, 200]]);
  });
});

describe('cropRGBA and fromTile', () => {
  it('crops the tile pixels and maps its boxes back into the image', () => {
    const rgba = Uint8Array.from({ length: 4 * 4 * 4 }, (_, i) => Math.floor(i / 4)); // pixel index in every channel
    const crop = cropRGBA(rgba, 4, { x: 1, y: 2, width: 2, height: 2 });
    expect([...crop].filter((_, i) => i % 4 === 0)).toEqual([9, 10, 13, 14]);
    expect(fromTile({ x1: 1, y1: 2, x2: 3, y2: 4 }, { x: 10, y: 20 }, 2)).toEqual({ x1: 22, y1: 44, x2: 26, y2: 48 });
  });
});
