import { describe, expect, it } from 'vitest';
import type { InputSpec } from '../models/manifest';
import { placeInput, toTensor } from './preprocess';

const spec = (over: Partial<InputSpec>): InputSpec => ({
  name: 'input', layout: 'NCHW', width: 2, height: 2, channels: 'RGB', resize: 'stretch', mean: [128, 128, 128], std: [128, 128, 128], ...over,
});

// 2x2 RGBA: red, green / blue, white
const px = new Uint8Array([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 255]);

describe('placeInput', () => {
  it('stretches to the model size', () => {
    expect(placeInput(640, 480, { width: 224, height: 224, resize: 'stretch' })).toEqual({ width: 224, height: 224, scaleX: 0.35, scaleY: 224 / 480 });
  });
  it('letterboxes keeping the aspect ratio', () => {
    expect(placeInput(1352, 900, { width: 416, height: 416, resize: 'letterbox' })).toEqual({ width: 416, height: 277, scaleX: 416 / 1352, scaleY: 416 / 1352 });
    expect(placeInput(300, 600, { width: 416, height: 416, resize: 'letterbox' })).toEqual({ width: 208, height: 416, scaleX: 416 / 600, scaleY: 416 / 600 });
  });
});

describe('toTensor', () => {
  it('packs NCHW planes with (px - mean) / std', () => {
    const t = toTensor(px, { width: 2, height: 2, scaleX: 1, scaleY: 1 }, spec({}));
    const hi = 127 / 128;
    expect(Array.from(t)).toEqual([hi, -1, -1, hi, -1, hi, -1, hi, -1, -1, hi, hi]);
  });
  it('packs NHWC pixels and swaps to BGR', () => {
    const t = toTensor(px, { width: 2, height: 2, scaleX: 1, scaleY: 1 }, spec({ layout: 'NHWC', channels: 'BGR', mean: [0, 0, 0], std: [1, 1, 1] }));
    expect(Array.from(t)).toEqual([0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255]);
  });
  it('pads outside the letterboxed content with the pad value', () => {
    const one = new Uint8Array([10, 20, 30, 255]);
    const t = toTensor(one, { width: 1, height: 1, scaleX: 1, scaleY: 1 }, spec({ resize: 'letterbox', pad: 114, mean: [0, 0, 0], std: [1, 1, 1] }));
    expect(Array.from(t)).toEqual([10, 114, 114, 114, 20, 114, 114, 114, 30, 114, 114, 114]);
  });
});
