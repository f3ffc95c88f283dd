import { describe, expect, it } from 'vitest';
import { placeInput } from '../pipeline/preprocess';
import { area, clip, fromCenter, inputToImage, iou, normalize, roundBox } from './boxes';

describe('iou', () => {
  it('is 1 for identical boxes and 0 for disjoint or touching ones', () => {
    const a = { x1: 0, y1: 0, x2: 10, y2: 10 };
    expect(iou(a, a)).toBe(1);
    expect(iou(a, { x1: 20, y1: 20, x2: 30, y2: 30 })).toBe(0);
    expect(iou(a, { x1: 10, y1: 0, x2: 20, y2: 10 })).toBe(0); // shares an edge only
  });
  it('matches hand-computed overlaps', () => {
    // 10x10 boxes shifted by 5 in x: intersection 5*10 = 50, union 100 + 100 - 50 = 150
    expect(iou({ x1: 0, y1: 0, x2: 10, y2: 10 }, { x1: 5, y1: 0, x2: 15, y2: 10 })).toBeCloseTo(1 / 3, 12);
    // a 2x2 box inside a 4x4 box: 4 / 16
    expect(iou({ x1: 0, y1: 0, x2: 4, y2: 4 }, { x1: 1, y1: 1, x2: 3, y2: 3 })).toBe(0.25);
    // shifted by 5 in both axes: 25 / 175
    expect(iou({ x1: 0, y1: 0, x2: 10, y2: 10 }, { x1: 5, y1: 5, x2: 15, y2: 15 })).toBeCloseTo(1 / 7, 12);
  });
  it('is 0 for degenerate boxes', () => {
    const p = { x1: 3, y1: 3, x2: 3, y2: 3 };
    expect(iou(p, p)).toBe(0);
  });
});

describe('fromCenter and area', () => {
  it('converts centre/size to corners', () => {
    expect(fromCenter(10, 20, 4, 6)).toEqual({ x1: 8, y1: 17, x2: 12, y2: 23 });
    expect(area({ x1: 8, y1: 17, x2: 12, y2: 23 })).toBe(24);
    expect(area({ x1: 5, y1: 0, x2: 2, y2: 3 })).toBe(0);
  });
});

describe('inputToImage (letterbox and stretch inverse)', () => {
  it('undoes a letterbox: content 416x277 of a 1352x900 image', () => {
    const placement = placeInput(1352, 900, { width: 416, height: 416, resize: 'letterbox' });
    expect(placement).toMatchObject({ width: 416, height: 277 });
    // the content's bottom-right corner maps to the image's
    const b = inputToImage({ x1: 0, y1: 0, x2: 416, y2: 277 }, placement, { width: 1352, height: 900 });
    expect(b).toEqual({ x1: 0, y1: 0, x2: 1352, y2: 900 });
    // x: 104 * 1352/416 = 338; y: 100 * 900/277 = 324.9097...
    const c = inputToImage({ x1: 104, y1: 100, x2: 208, y2: 200 }, placement, { width: 1352, height: 900 });
    expect(c.x1).toBe(338);
    expect(c.x2).toBe(676);
    expect(c.y1).toBeCloseTo(324.9097, 4);
  });
  it('boxes in the letterbox padding land outside the image (clipping removes them)', () => {
    const placement = placeInput(400, 200, { width: 100, height: 100, resize: 'letterbox' }); // content 100x50
    const b = inputToImage({ x1: 10, y1: 60, x2: 20, y2: 90 }, placement, { width: 400, height: 200 });
    expect(b).toEqual({ x1: 40, y1: 240, x2: 80, y2: 360 });
    expect(area(clip(b, { width: 400, height: 200 }))).toBe(0);
  });
  it('undoes a stretch per axis', () => {
    const placement = placeInput(640, 480, { width: 320, height: 320, resize: 'stretch' });
    expect(inputToImage({ x1: 160, y1: 160, x2: 320, y2: 320 }, placement, { width: 640, height: 480 })).toEqual({ x1: 320, y1: 240, x2: 640, y2: 480 });
  });
});

describe('clip, normalize, roundBox', () => {
  const image = { width: 200, height: 100 };
  it('clips each corner into the image', () => {
    expect(clip({ x1: -5, y1: -1, x2: 250, y2: 50 }, image)).toEqual({ x1: 0, y1: 0, x2: 200, y2: 50 });
    expect(clip({ x1: 10, y1: 10, x2: 20, y2: 20 }, image)).toEqual({ x1: 10, y1: 10, x2: 20, y2: 20 });
  });
  it('normalizes to 0..1 per axis', () => {
    expect(normalize({ x1: 0, y1: 25, x2: 100, y2: 100 }, image)).toEqual({ x1: 0, y1: 0.25, x2: 0.5, y2: 1 });
  });
  it('rounds to the given decimals', () => {
    expect(roundBox({ x1: 1.23456, y1: 2.5, x2: 3.006, y2: 0.124 }, 2)).toEqual({ x1: 1.23, y1: 2.5, x2: 3.01, y2: 0.12 });
  });
});
