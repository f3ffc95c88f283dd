/**
 * Model input preparation as pure functions: where the image goes in the model's input (stretch or letterbox),
 * and packing RGBA pixels into one artifact's input tensor: its layout (NCHW/NHWC), channel order, and dtype
 * (float32 normalised as the model says, or the raw uint8 bytes a quantised model takes), fused with the resize
 * (imageToTensor), plus the extra feeds an artifact names (DEIMv2's int64 `orig_target_sizes`).
 */
import type { FeedSpec, InputSpec, TensorInput } from '../models/manifest';
import { type Tensor, type Tensors, tensor } from '../runtimes/types';
import { createRowResampler } from './resample';

/** Where the resized image sits inside the model input, and the scale from image pixels to input pixels. */
export interface Placement {
  /** Size of the resized image content. */
  width: number;
  height: number;
  /** Input pixels per image pixel, per axis. */
  scaleX: number;
  scaleY: number;
}

/** Computes the resized content size for an image of `width` x `height` (letterbox content sits top-left). */
export function placeInput(width: number, height: number, spec: Pick<InputSpec, 'width' | 'height' | 'resize'>): Placement {
  if (spec.resize === 'letterbox') {
    const scale = Math.min(spec.width / width, spec.height / height);
    const w = Math.max(1, Math.min(spec.width, Math.round(width * scale)));
    const h = Math.max(1, Math.min(spec.height, Math.round(height * scale)));
    return { width: w, height: h, scaleX: scale, scaleY: scale };
  }
  return { width: spec.width, height: spec.height, scaleX: spec.width / width, scaleY: spec.height / height };
}

type Layout = Pick<TensorInput, 'layout' | 'dtype'>;

/**
 * Packs `rgba` (placement.width x placement.height) into a tensor of the spec's size, top-left aligned, the rest
 * filled with the spec's pad value. float32: each value is (pixel - mean[c]) / std[c]; uint8: the pixel itself.
 */
export function toTensor(rgba: Uint8Array, placement: Placement, spec: InputSpec, { layout, dtype }: Layout = { layout: 'NCHW', dtype: 'float32' }): Float32Array | Uint8Array {
  const { width: W, height: H } = spec;
  const plane = W * H;
  const raw = dtype === 'uint8';
  const out = raw ? new Uint8Array(plane * 3) : new Float32Array(plane * 3);
  const order = spec.channels === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  const scale = raw ? [1, 1, 1] : [1 / spec.std[0], 1 / spec.std[1], 1 / spec.std[2]];
  const bias = raw ? [0, 0, 0] : [-spec.mean[0] / spec.std[0], -spec.mean[1] / spec.std[1], -spec.mean[2] / spec.std[2]];
  const nchw = layout === 'NCHW';
  for (let c = 0; c < 3; c++) {
    const src = order[c] as number;
    const s = scale[c] as number;
    const b = bias[c] as number;
    const padValue = (spec.pad ?? 0) * s + b;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const inside = x < placement.width && y < placement.height;
        const value = inside ? (rgba[(y * placement.width + x) * 4 + src] as number) * s + b : padValue;
        out[nchw ? c * plane + y * W + x : (y * W + x) * 3 + c] = value;
      }
    }
  }
  return out;
}

/** The dims of an image tensor of batch 1. */
export const imageDims = (spec: Pick<InputSpec, 'width' | 'height'>, layout: TensorInput['layout']) =>
  layout === 'NCHW' ? [1, 3, spec.height, spec.width] : [1, spec.height, spec.width, 3];

/** Builds the tensor of one artifact's input: the spec's size, dtype and layout, the pad value everywhere. */
function padded(spec: InputSpec, { layout, dtype }: Layout) {
  const plane = spec.width * spec.height;
  const out = dtype === 'uint8' ? new Uint8Array(plane * 3) : new Float32Array(plane * 3);
  const luts = channelTables(spec, dtype);
  const order = spec.channels === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  // The pad value goes through the same table as a pixel would (uint8 models take it raw).
  const pad = Math.min(255, Math.max(0, Math.round(spec.pad ?? 0)));
  for (let c = 0; c < 3; c++) {
    const value = (luts[order[c] as number] as Float32Array)[pad] as number;
    if (value === 0) continue;
    if (layout === 'NCHW') out.fill(value, c * plane, (c + 1) * plane);
    else for (let i = c; i < out.length; i += 3) out[i] = value;
  }
  return { out, luts, order, nchw: layout === 'NCHW', plane };
}

/**
 * For each source channel R, G, B: the tensor value of every pixel level 0..255, (level - mean) / std for float32
 * or the level itself for uint8, so the pack is one lookup a value.
 */
function channelTables(spec: InputSpec, dtype: TensorInput['dtype']): Float32Array[] {
  return [0, 1, 2].map((c) => {
    const table = new Float32Array(256);
    const mean = spec.mean[c] as number;
    const std = spec.std[c] as number;
    for (let level = 0; level < 256; level++) table[level] = dtype === 'uint8' ? level : (level - mean) / std;
    return table;
  });
}

/**
 * Resizes an upright RGBA image as the spec says and packs it into the artifact's input tensor, in one pass: rows
 * are resampled (resample.ts, photon's triangle filter) and written straight into the tensor's layout and dtype,
 * with no resized RGBA copy between. Resampled values are rounded to pixel levels first, as the RGBA path did.
 */
export function imageToTensor(
  image: { rgba: Uint8Array; width: number; height: number },
  spec: InputSpec,
  input: Layout & Partial<TensorInput>,
): { tensor: Tensor; placement: Placement } {
  const placement = placeInput(image.width, image.height, spec);
  const { out, luts, order, nchw, plane } = padded(spec, input);
  const W = spec.width;
  const [l0, l1, l2] = order.map((c) => luts[c] as Float32Array) as [Float32Array, Float32Array, Float32Array];
  const [o0, o1, o2] = order as [number, number, number];
  // Triangle weights are non-negative and sum to 1, so a resampled value stays in 0..255: `+ 0.5 | 0` rounds it.
  const pack = nchw
    ? (y: number, rgb: Float32Array) => {
        let i = y * W;
        for (let s = 0, end = placement.width * 3; s < end; s += 3, i++) {
          out[i] = l0[((rgb[s + o0] as number) + 0.5) | 0] as number;
          out[i + plane] = l1[((rgb[s + o1] as number) + 0.5) | 0] as number;
          out[i + 2 * plane] = l2[((rgb[s + o2] as number) + 0.5) | 0] as number;
        }
      }
    : (y: number, rgb: Float32Array) => {
        let i = y * W * 3;
        for (let s = 0, end = placement.width * 3; s < end; s += 3, i += 3) {
          out[i] = l0[((rgb[s + o0] as number) + 0.5) | 0] as number;
          out[i + 1] = l1[((rgb[s + o1] as number) + 0.5) | 0] as number;
          out[i + 2] = l2[((rgb[s + o2] as number) + 0.5) | 0] as number;
        }
      };
  const resampler = createRowResampler(image.width, image.height, placement.width, placement.height, pack);
  const stride = image.width * 4;
  for (let y = 0; y < image.height; y++) resampler.push(image.rgba.subarray(y * stride, (y + 1) * stride));
  const dims = imageDims(spec, input.layout);
  return { tensor: out instanceof Uint8Array ? tensor('uint8', out, dims) : tensor('float32', out, dims), placement };
}

/** What extra inputs may be built from. */
export interface FeedContext {
  /** The size of the image the outputs should be in (DETR exports scale boxes by it). */
  imageSize?: { width: number; height: number };
}

/** The extra inputs an artifact names in `feeds`, e.g. DEIMv2's `orig_target_sizes` = [[w, h]]. */
export function extraFeeds(feeds: readonly FeedSpec[], context: FeedContext): Tensors {
  const out: Tensors = {};
  for (const feed of feeds) {
    const size = context.imageSize;
    if (!size) throw new Error(`the '${feed.name}' input needs the image size`);
    out[feed.name] = tensor('int64', BigInt64Array.from([BigInt(size.width), BigInt(size.height)]), [1, 2]);
  }
  return out;
}
