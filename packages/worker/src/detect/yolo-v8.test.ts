import { describe, expect, it } from 'vitest';
import { decodeYoloV8 } from './yolo-v8';

// Three anchors, two classes: [1, 4 + 2, 3] channel-first, one row of 3 values per channel.
function head(anchors: Array<[number, number, number, number, number, number]>): Float32Array {
  const rows = 6;
  const out = new Float32Array(rows * anchors.length);
  anchors.forEach((values, a) => values.forEach((v, r) => (out[r * anchors.length + a] = v)));
  return out;
}

describe('decodeYoloV8', () => {
  it('reads channel-first centre boxes in input pixels and the best class score (no objectness)', () => {
    const data = head([
      [0, 0, 0, 0, 0.1, 0.2],
      [100, 50, 40, 20, 0.3, 0.9],
      [0, 0, 0, 0, 0, 0],
    ]);
    expect(decodeYoloV8(data, 2, { threshold: 0.5 })).toEqual([{ box: { x1: 80, y1: 40, x2: 120, y2: 60 }, score: expect.closeTo(0.9, 6), classIndex: 1 }]);
  });

  it('keeps a score equal to the threshold, drops one just below, and takes the best allowed class', () => {
    const data = head([
      [10, 10, 4, 4, 0.5, 0],
      [10, 10, 4, 4, 0.49, 0],
      [10, 10, 4, 4, 0.9, 0.6],
    ]);
    expect(decodeYoloV8(data, 2, { threshold: 0.5 }).map((c) => [c.classIndex, c.score])).toEqual([
      [0, 0.5],
      [0, expect.closeTo(0.9, 6)],
    ]);
    const only1 = decodeYoloV8(data, 2, { threshold: 0.5, allowed: new Uint8Array([0, 1]) });
    expect(only1.map((c) => [c.classIndex, c.score])).toEqual([[1, expect.closeTo(0.6, 6)]]);
  });

  it('takes the anchor count from the tensor, and refuses rows of unequal length', () => {
    expect(decodeYoloV8(new Float32Array(6 * 8400), 2, { threshold: 0.01 })).toEqual([]);
    expect(() => decodeYoloV8(new Float32Array(6 * 3 + 1), 2, { threshold: 0.5 })).toThrow(/not 6 rows/);
  });
});
