/**
 * The fused preprocess (resample.ts rows packed straight into the tensor) against the path it replaced: photon's
 * triangle resize to an RGBA copy, then toTensor. Every fixture photo, both resize modes, both dtypes, both layouts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../node'; // the codecs, as in the worker
import { type DecodedImage, decodeImage, resizeRGBA } from '../image/decode';
import type { InputSpec, TensorInput } from '../models/manifest';
import { imageToTensor, placeInput, toTensor } from './preprocess';

const dir = resolve(import.meta.dirname, '../../../../../shared/fixtures/images');
const photos = readdirSync(dir).filter((f) => /\.(png|jpe?g)$/.test(f) && !f.includes('mask'));

const inputs: Array<Pick<TensorInput, 'layout' | 'dtype'>> = [
  { layout: 'NCHW', dtype: 'float32' },
  { layout: 'NHWC', dtype: 'float32' },
  { layout: 'NCHW', dtype: 'uint8' },
  { layout: 'NHWC', dtype: 'uint8' },
];
const specs: InputSpec[] = [
  { width: 224, height: 224, channels: 'RGB', resize: 'stretch', mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375] },
  { width: 513, height: 513, channels: 'RGB', resize: 'stretch', mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] },
  { width: 416, height: 416, channels: 'BGR', resize: 'letterbox', pad: 114, mean: [0, 0, 0], std: [1, 1, 1] },
  { width: 320, height: 240, channels: 'RGB', resize: 'letterbox', pad: 0, mean: [0, 0, 0], std: [255, 255, 255] },
];

/** The largest difference between two tensors, in pixel levels (one level is 1/std for float32). */
function maxLevels(a: ArrayLike<number>, b: ArrayLike<number>, spec: InputSpec, input: Pick<TensorInput, 'layout' | 'dtype'>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  const plane = spec.width * spec.height;
  for (let i = 0; i < a.length; i++) {
    const c = input.layout === 'NCHW' ? Math.floor(i / plane) : i % 3;
    const std = input.dtype === 'uint8' ? 1 : (spec.std[spec.channels === 'BGR' ? 2 - c : c] as number);
    worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)) * std);
  }
  return worst;
}

const decoded = new Map<string, DecodedImage>();
const load = async (file: string) => {
  let image = decoded.get(file);
  if (!image) decoded.set(file, (image = await decodeImage(new Uint8Array(readFileSync(resolve(dir, file))))));
  return image;
};

describe('fused imageToTensor equals photon resize + toTensor within 1 level', () => {
  it('has fixture photos to compare', () => expect(photos.length).toBeGreaterThanOrEqual(8));
  for (const file of photos) {
    it(file, async () => {
      const image = await load(file);
      for (const spec of specs) {
        const placement = placeInput(image.width, image.height, spec);
        const resized = resizeRGBA(image.rgba, image.width, image.height, placement.width, placement.height);
        for (const input of inputs) {
          const old = toTensor(resized, placement, spec, input);
          const fused = imageToTensor(image, spec, input).tensor;
          expect(fused.dtype).toBe(input.dtype);
          expect(maxLevels(fused.data as Float32Array | Uint8Array, old, spec, input), `${spec.width}x${spec.height} ${spec.resize} ${input.layout} ${input.dtype}`).toBeLessThanOrEqual(1 + 1e-3);
        }
      }
    });
  }
  it('a same-size input is packed unresampled', async () => {
    const image = await load('cat.png');
    const spec: InputSpec = { width: image.width, height: image.height, channels: 'RGB', resize: 'stretch', mean: [0, 0, 0], std: [1, 1, 1] };
    const t = imageToTensor(image, spec, { layout: 'NHWC', dtype: 'uint8' }).tensor.data as Uint8Array;
    for (let p = 0; p < image.width * image.height; p += 997) expect([t[p * 3], t[p * 3 + 1], t[p * 3 + 2]]).toEqual([image.rgba[p * 4], image.rgba[p * 4 + 1], image.rgba[p * 4 + 2]]);
  });
});
