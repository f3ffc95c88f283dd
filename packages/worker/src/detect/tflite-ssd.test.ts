import { describe, expect, it } from 'vitest';
import { decodeTfliteSsd } from './tflite-ssd';

const input = { width: 300, height: 200, classes: 3 };

describe('decodeTfliteSsd', () => {
  it('turns normalised ymin, xmin, ymax, xmax into input-pixel corners, for the first `count` rows only', () => {
    const outputs = {
      boxes: new Float32Array([0.1, 0.2, 0.5, 0.6, 0, 0, 1, 1, 0, 0, 1, 1]),
      classes: new Float32Array([2, 0, 1]),
      scores: new Float32Array([0.8, 0.7, 0.95]),
      count: new Float32Array([2]),
    };
    expect(decodeTfliteSsd(outputs, input, { threshold: 0.5 })).toEqual([
      { box: { x1: expect.closeTo(60, 4), y1: expect.closeTo(20, 4), x2: expect.closeTo(180, 4), y2: expect.closeTo(100, 4) }, score: expect.closeTo(0.8, 6), classIndex: 2 },
      { box: { x1: 0, y1: 0, x2: 300, y2: 200 }, score: expect.closeTo(0.7, 6), classIndex: 0 },
    ]);
  });

  it('filters by threshold, by allowed class and by the label count', () => {
    const outputs = {
      boxes: new Float32Array(12),
      classes: new Float32Array([0, 1, 7]),
      scores: new Float32Array([0.4, 0.9, 0.9]),
      count: new Float32Array([3]),
    };
    expect(decodeTfliteSsd(outputs, input, { threshold: 0.5 }).map((c) => c.classIndex)).toEqual([1]);
    expect(decodeTfliteSsd(outputs, input, { threshold: 0.3, allowed: new Uint8Array([1, 0, 0]) }).map((c) => c.classIndex)).toEqual([0]);
  });

  it('refuses outputs whose lengths disagree', () => {
    const bad = { boxes: new Float32Array(8), classes: new Float32Array(3), scores: new Float32Array(3), count: new Float32Array([3]) };
    expect(() => decodeTfliteSsd(bad, input, { threshold: 0.5 })).toThrow(/do not match/);
  });
});
