/**
 * Model input preparation as pure functions: where the image goes in the model's input (stretch or letterbox),
 * and packing RGBA pixels into the input tensor with the model's layout, channel order and normalisation.
 */
import type { InputSpec } from '../models/manifest';

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

/**
 * Packs `rgba` (placement.width x placement.height) into a float tensor of the spec's size, top-left aligned,
 * the rest filled with the spec's pad value. Each channel value is (pixel - mean[c]) / std[c].
 */
export function toTensor(rgba: Uint8Array, placement: Placement, spec: InputSpec): Float32Array {
  const { width: W, height: H } = spec;
  const plane = W * H;
  const out = new Float32Array(plane * 3);
  const order = spec.channels === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  const scale = [1 / spec.std[0], 1 / spec.std[1], 1 / spec.std[2]];
  const bias = [-spec.mean[0] / spec.std[0], -spec.mean[1] / spec.std[1], -spec.mean[2] / spec.std[2]];
  const nchw = spec.layout === 'NCHW';
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

/** Resizes an upright RGBA image as the spec says and packs it into the model's input tensor. */
export function imageToTensor(
  image: { rgba: Uint8Array; width: number; height: number },
  spec: InputSpec,
  resize: (rgba: Uint8Array, w: number, h: number, toW: number, toH: number) => Uint8Array,
): { tensor: Float32Array; placement: Placement } {
  const placement = placeInput(image.width, image.height, spec);
  const pixels = resize(image.rgba, image.width, image.height, placement.width, placement.height);
  return { tensor: toTensor(pixels, placement, spec), placement };
}
