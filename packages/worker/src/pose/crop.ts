/**
 * MoveNet's input from part of a photo: a square around a person, sampled from the decoded RGBA straight into the
 * model's uint8 RGB (NHWC) input. The square may reach outside the photo: those pixels are padding (black, as
 * MoveNet's own crop helper pads), so a person near an edge is never stretched. Shrinking averages several
 * bilinear samples per output pixel so that a large crop does not alias; enlarging a small person is bilinear.
 */
import type { Box, Size } from '../detect/boxes';

/** A square in pixels: top-left corner and side. It may reach outside the image. */
export interface Square {
  x: number;
  y: number;
  size: number;
}

/** The square centred on a box, its side the box's longer side plus `margin` of it on each side. */
export function squareAround(box: Box, margin: number): Square {
  const size = Math.max(box.x2 - box.x1, box.y2 - box.y1, 1) * (1 + 2 * margin);
  return { x: (box.x1 + box.x2 - size) / 2, y: (box.y1 + box.y2 - size) / 2, size };
}

/** The smallest square holding the whole image, centred on it (padded on the short side, not stretched). */
export function wholeImageSquare({ width, height }: Size): Square {
  const size = Math.max(width, height);
  return { x: (width - size) / 2, y: (height - size) / 2, size };
}

/** At most this many samples per axis and output pixel when shrinking: enough to average out detail, bounded cost. */
const MAX_SUBSAMPLES = 6;

/** A rectangle in pixels; it may reach outside the image. */
export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const squareRegion = ({ x, y, size }: Square): Region => ({ x, y, width: size, height: size });

/**
 * Samples `region` (in the image's own pixels) of an RGBA image into an `outWidth` x `outHeight` x 3 RGB byte
 * array (row-major, NHWC): a square region keeps the aspect, any other is stretched. Outside the image the value
 * is `pad`. Each output pixel averages an n x n grid of bilinear samples over its footprint, n growing with the
 * shrink factor (1 when enlarging).
 */
export function cropRGB(image: Size & { rgba: Uint8Array }, region: Region, outWidth: number, outHeight: number, pad = 0): Uint8Array {
  const { rgba, width: W, height: H } = image;
  const result = new Uint8Array(outWidth * outHeight * 3);
  const stepX = region.width / outWidth;
  const stepY = region.height / outHeight;
  const nx = Math.min(MAX_SUBSAMPLES, Math.max(1, Math.round(stepX)));
  const ny = Math.min(MAX_SUBSAMPLES, Math.max(1, Math.round(stepY)));
  const count = nx * ny;
  const sample = new Float64Array(3);
  const sum = new Float64Array(3);
  for (let oy = 0; oy < outHeight; oy++) {
    for (let ox = 0; ox < outWidth; ox++) {
      sum[0] = sum[1] = sum[2] = 0;
      for (let j = 0; j < ny; j++) {
        const y = region.y + (oy + (j + 0.5) / ny) * stepY - 0.5;
        for (let i = 0; i < nx; i++) {
          bilinear(rgba, W, H, region.x + (ox + (i + 0.5) / nx) * stepX - 0.5, y, pad, sample);
          sum[0] += sample[0] as number;
          sum[1] += sample[1] as number;
          sum[2] += sample[2] as number;
        }
      }
      const o = (oy * outWidth + ox) * 3;
      result[o] = Math.round((sum[0] as number) / count);
      result[o + 1] = Math.round((sum[1] as number) / count);
      result[o + 2] = Math.round((sum[2] as number) / count);
    }
  }
  return result;
}

/** `cropRGB` of a square into an `out` x `out` input. */
export const cropSquareRGB = (image: Size & { rgba: Uint8Array }, square: Square, out: number, pad = 0): Uint8Array =>
  cropRGB(image, squareRegion(square), out, out, pad);

/**
 * Bilinear sample at (x, y) in pixel-centre coordinates, written to `out` as RGB. A point outside the image's area
 * reads `pad`; inside it (up to half a pixel beyond the outer pixel centres) the taps clamp to the edge pixels.
 */
function bilinear(rgba: Uint8Array, W: number, H: number, x: number, y: number, pad: number, out: Float64Array) {
  if (x < -0.5 || y < -0.5 || x > W - 0.5 || y > H - 0.5) {
    out[0] = out[1] = out[2] = pad;
    return;
  }
  const cx = Math.min(W - 1, Math.max(0, x));
  const cy = Math.min(H - 1, Math.max(0, y));
  const x0 = Math.min(W - 2, Math.floor(cx));
  const y0 = Math.min(H - 2, Math.floor(cy));
  const fx = W > 1 ? cx - x0 : 0;
  const fy = H > 1 ? cy - y0 : 0;
  const x1 = W > 1 ? x0 + 1 : 0;
  const y1 = H > 1 ? y0 + 1 : 0;
  const [a, b, c, d] = [(Math.max(0, y0) * W + Math.max(0, x0)) * 4, (Math.max(0, y0) * W + x1) * 4, (y1 * W + Math.max(0, x0)) * 4, (y1 * W + x1) * 4];
  for (let ch = 0; ch < 3; ch++) {
    const top = (rgba[a + ch] as number) * (1 - fx) + (rgba[b + ch] as number) * fx;
    const bottom = (rgba[c + ch] as number) * (1 - fx) + (rgba[d + ch] as number) * fx;
    out[ch] = top * (1 - fy) + bottom * fy;
  }
}
