import { describe, expect, it } from 'vitest';
import { classStats, toSegments } from './stats';

// 5x4 map:
// 0 0 0 0 0
// 0 3 3 0 0
// 0 3 3 3 15
// 0 0 0 0 15
const map = { width: 5, height: 4, data: Uint8Array.from([0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 3, 3, 3, 15, 0, 0, 0, 0, 15]) };

describe('classStats', () => {
  it('counts pixels and gives pixel-edge boxes per class present', () => {
    expect(classStats(map)).toEqual([
      { index: 0, pixels: 13, box: { x1: 0, y1: 0, x2: 5, y2: 4 } },
      { index: 3, pixels: 5, box: { x1: 1, y1: 1, x2: 4, y2: 3 } },
      { index: 15, pixels: 2, box: { x1: 4, y1: 2, x2: 5, y2: 4 } },
    ]);
  });

  it('skips unrequested (255) pixels', () => {
    const m = { width: 2, height: 1, data: Uint8Array.from([255, 7]) };
    expect(classStats(m)).toEqual([{ index: 7, pixels: 1, box: { x1: 1, y1: 0, x2: 2, y2: 1 } }]);
  });
});

describe('toSegments', () => {
  const labels = Array.from({ length: 21 }, (_, i) => `c${i}`);

  it('sorts by area, adds label, fraction and palette colour', () => {
    const s = toSegments(classStats(map), labels, 20);
    expect(s.map((x) => [x.label, x.pixels, x.fraction, x.color])).toEqual([
      ['c0', 13, 0.65, '#000000'],
      ['c3', 5, 0.25, '#808000'],
      ['c15', 2, 0.1, '#c08080'],
    ]);
  });

  it('keeps only requested classes and breaks ties by index', () => {
    const tie = { width: 4, height: 1, data: Uint8Array.from([9, 9, 2, 2]) };
    expect(toSegments(classStats(tie), labels, 4).map((x) => x.index)).toEqual([2, 9]);
    expect(toSegments(classStats(map), labels, 20, new Set([15, 8])).map((x) => x.index)).toEqual([15]);
  });
});
