/**
 * The segmentation class map from a `segment()` result, whatever encoding it came in: the helper everyone writes
 * (cut-outs, overlays, measuring areas) starts from a `Uint8Array` of class indices at the image's size.
 */
import { CVKitError } from '../errors';
import type { SegmentMask, SegmentResponse } from '../types';
import { type ClassMap, decodePngMask } from './png-mask';
import { decodeRle } from './rle';

export interface DecodeMaskOptions {
  /** Value of pixels no RLE mask covers (when `classes` limited what was encoded). Default 255, as in the PNG mask. */
  fill?: number;
}

/**
 * Decodes `result.mask` (`png` or `rle`) into per-pixel class indices.
 *
 * @example
 * const result = await cv.segment(photo);
 * const map = await decodeMask(result);
 * const person = result.segments.find((s) => s.label === 'person');
 * const isPerson = (x: number, y: number) => map.data[y * map.width + x] === person?.index;
 */
export async function decodeMask(source: SegmentResponse | SegmentMask, { fill = 255 }: DecodeMaskOptions = {}): Promise<ClassMap> {
  const mask = 'encoding' in source ? source : source.mask;
  if (mask.encoding === 'png') return decodePngMask(mask.data_url);
  if (mask.encoding === 'rle') {
    const { width, height } = mask;
    const data = new Uint8Array(width * height).fill(fill);
    for (const rle of mask.masks) {
      if (rle.size[0] !== height || rle.size[1] !== width) {
        throw new CVKitError(`The RLE mask of class ${rle.index} is ${rle.size[1]}x${rle.size[0]}, the image ${width}x${height}.`);
      }
      const { index } = rle;
      const binary = decodeRle(rle);
      for (let i = 0; i < binary.length; i++) if (binary[i]) data[i] = index;
    }
    return { width, height, data };
  }
  throw new CVKitError("This result has no mask (mask: 'none'); ask for mask: 'png' or 'rle'.");
}
