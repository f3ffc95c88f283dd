import { describe, expect, it } from 'vitest';
import { anchorCount, decodeYoloxGrid } from './yolox-grid';

// A 16x8 input with strides [8, 16]: grid 2x1 at stride 8 (anchors 0, 1), 1x1 at stride 16 (anchor 2). Two classes.
const grid = { width: 16, height: 8, strides: [8, 16], classes: 2 };
const ROW = 7;

function output(rows: Array<[number, number, number, number, number, number, number]>): Float32Array {
  return new Float32Array(rows.flat());
}

const empty = [0, 0, 0, 0, 0, 0, 0] as [number, number, number, number, number, number, number];

describe('anchorCount', () => {
  it('sums the grids of every stride', () => {
    expect(anchorCount(grid)).toBe(3);
    expect(anchorCount({ width: 416, height: 416, strides: [8, 16, 32] })).toBe(3549); // 52^2 + 26^2 + 13^2
  });
});

describe('decodeYoloxGrid', () => {
  it('decodes grid offsets, log sizes and strides into input-pixel corners', () => {
    // anchor 1 (stride 8, gx = 1, gy = 0): cx = (0.5 + 1) * 8 = 12, cy = (0.25 + 0) * 8 = 2, w = e^0 * 8 = 8, h = e^ln2 * 8 = 16
    const data = output([empty, [0.5, 0.25, 0, Math.log(2), 0.9, 0.2, 0.8], empty]);
    const [c, ...rest] = decodeYoloxGrid(data, grid, { threshold: 0.5 });
    expect(rest).toEqual([]);
    expect(c?.classIndex).toBe(1);
    expect(c?.score).toBeCloseTo(0.72, 6); // 0.9 * 0.8
    expect(c?.box.x1).toBeCloseTo(8, 5);
    expect(c?.box.x2).toBeCloseTo(16, 5);
    expect(c?.box.y1).toBeCloseTo(-6, 5);
    expect(c?.box.y2).toBeCloseTo(10, 5);
  });

  it('uses the coarser stride for the later grid', () => {
    // anchor 2 (stride 16, gx = gy = 0): cx = 0.5 * 16 = 8, cy = 0.5 * 16 = 8, w = h = 16
    const data = output([empty, empty, [0.5, 0.5, 0, 0, 1, 1, 0]]);
    expect(decodeYoloxGrid(data, grid, { threshold: 0.5 })).toEqual([{ box: { x1: 0, y1: 0, x2: 16, y2: 16 }, score: 1, classIndex: 0 }]);
  });

  it('keeps a score equal to the threshold and drops one just below', () => {
    const data = output([[0, 0, 0, 0, 1, 0.5, 0], [0, 0, 0, 0, 1, 0.49999, 0], empty]);
    const got = decodeYoloxGrid(data, grid, { threshold: 0.5 });
    expect(got.map((c) => c.score)).toEqual([0.5]);
  });

  it('threshold 0 keeps every anchor; threshold 1 keeps only perfect scores', () => {
    const data = output([[0, 0, 0, 0, 1, 1, 0], empty, empty]);
    expect(decodeYoloxGrid(data, grid, { threshold: 0 })).toHaveLength(3);
    expect(decodeYoloxGrid(data, grid, { threshold: 1 })).toHaveLength(1);
  });

  it('takes the best allowed class when classes are restricted', () => {
    const data = output([[0, 0, 0, 0, 1, 0.9, 0.6], empty, empty]);
    expect(decodeYoloxGrid(data, grid, { threshold: 0.5 })[0]).toMatchObject({ classIndex: 0, score: expect.closeTo(0.9, 6) });
    expect(decodeYoloxGrid(data, grid, { threshold: 0.5, allowed: new Uint8Array([0, 1]) })[0]).toMatchObject({ classIndex: 1, score: expect.closeTo(0.6, 6) });
    expect(decodeYoloxGrid(data, grid, { threshold: 0.7, allowed: new Uint8Array([0, 1]) })).toEqual([]);
  });

  it('finds nothing in an all-zero output', () => {
    expect(decodeYoloxGrid(new Float32Array(3 * ROW), grid, { threshold: 0.01 })).toEqual([]);
  });

  it('refuses an output of the wrong shape', () => {
    expect(() => decodeYoloxGrid(new Float32Array(2 * ROW), grid, { threshold: 0.5 })).toThrow(/needs 3 x 7/);
  });
});
