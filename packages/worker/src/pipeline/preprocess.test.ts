import { describe, expect, it } from 'vitest';
import type { InputSpec } from '../models/manifest';
import { extraFeeds, imageToTensor, placeInput, toTensor } from './preprocess';

const spec = (over: Partial<InputSpec>): InputSpec => ({
  width: 2, height: 2, channels: 'RGB', resize: 'stretch', mean: [128, 128, 128], std: [128, 128, 128], ...over,
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
    const t = toTensor(px, { width: 2, height: 2, scaleX: 1, scaleY: 1 }, spec({ channels: 'BGR', mean: [0, 0, 0], std: [1, 1, 1] }), { layout: 'NHWC', dtype: 'float32' });
    expect(Array.from(t)).toEqual([0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255]);
  });
  it('pads outside the letterboxed content with the pad value', () => {
    const one = new Uint8Array([10, 20, 30, 255]);
    const t = toTensor(one, { width: 1, height: 1, scaleX: 1, scaleY: 1 }, spec({ resize: 'letterbox', pad: 114, mean: [0, 0, 0], std: [1, 1, 1] }));
    expect(Array.from(t)).toEqual([10, 114, 114, 114, 20, 114, 114, 114, 30, 114, 114, 114]);
  });
  it('packs raw uint8 bytes for a quantised input (its quantisation is the normalisation), padding with the raw pad', () => {
    const one = new Uint8Array([10, 20, 30, 255]);
    const t = toTensor(one, { width: 1, height: 1, scaleX: 1, scaleY: 1 }, spec({ resize: 'letterbox', pad: 114 }), { layout: 'NHWC', dtype: 'uint8' });
    expect(t).toBeInstanceOf(Uint8Array);
    expect(Array.from(t)).toEqual([10, 20, 30, 114, 114, 114, 114, 114, 114, 114, 114, 114]);
  });
});

describe('imageToTensor', () => {
  it('gives a seam tensor with the layout\'s dims and dtype', () => {
    const image = { rgba: px, width: 2, height: 2 };
    const f = imageToTensor(image, spec({}), { name: 'x', layout: 'NCHW', dtype: 'float32' }).tensor;
    expect([f.dtype, f.dims]).toEqual(['float32', [1, 3, 2, 2]]);
    const u = imageToTensor(image, spec({}), { name: 'x', layout: 'NHWC', dtype: 'uint8', quantization: { scale: 1 / 128, zero_point: 128 } }).tensor;
    expect([u.dtype, u.dims, Array.from(u.data as Uint8Array).slice(0, 3)]).toEqual(['uint8', [1, 2, 2, 3], [255, 0, 0]]);
  });
});

describe('extraFeeds', () => {
  it('builds image_size as int64 [[width, height]]', () => {
    const feeds = extraFeeds([{ name: 'orig_target_sizes', type: 'int64', value: 'image_size' }], { imageSize: { width: 640, height: 480 } });
    expect(feeds.orig_target_sizes).toEqual({ dtype: 'int64', dims: [1, 2], data: BigInt64Array.from([640n, 480n]) });
    expect(() => extraFeeds([{ name: 'x', type: 'int64', value: 'image_size' }], {})).toThrow(/image size/);
  });
});
