/**
 * COCO run-length encoding (`mask: "rle"`): a binary mask of `size = [height, width]` read down the columns
 * (column-major), as alternating runs of 0s and 1s that start with 0s. `counts` is the list of run lengths, or
 * COCO's compact string form (pycocotools `mask.encode`: each run as 5-bit groups in ASCII from 48, runs after the
 * second stored as the difference to the run two before). Masks come back row-major, as images are.
 */
import { CVKitError } from '../errors';
import type { Rle } from '../types';

/** COCO's compact string counts to run lengths (the inverse of pycocotools' rleToString). */
export function decodeRleCounts(text: string): number[] {
  const counts: number[] = [];
  let p = 0;
  while (p < text.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= text.length) throw new CVKitError('The RLE counts string ends inside a number.');
      const c = text.charCodeAt(p) - 48;
      if (c < 0 || c > 63) throw new CVKitError(`The RLE counts string has an invalid character '${text[p]}'.`);
      x |= (c & 0x1f) << (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && (c & 0x10) !== 0) x |= -1 << (5 * k);
    }
    if (counts.length > 2) x += counts[counts.length - 2] as number;
    counts.push(x);
  }
  return counts;
}

/** One class's binary mask (1 inside, 0 outside), row-major: pixel (x, y) is `mask[y * width + x]`. */
export function decodeRle(rle: Rle): Uint8Array {
  const [height, width] = rle.size;
  const counts = typeof rle.counts === 'string' ? decodeRleCounts(rle.counts) : rle.counts;
  const total = width * height;
  const mask = new Uint8Array(total);
  let at = 0; // position in column-major order
  let value = 0;
  for (const run of counts) {
    if (!Number.isInteger(run) || run < 0 || at + run > total) {
      throw new CVKitError(`The RLE runs do not fit a ${width}x${height} mask (run ${run} at ${at}).`);
    }
    if (value === 1) {
      for (let i = at; i < at + run; i++) {
        const x = Math.floor(i / height);
        const y = i - x * height;
        mask[y * width + x] = 1;
      }
    }
    at += run;
    value ^= 1;
  }
  if (at !== total) throw new CVKitError(`The RLE runs cover ${at} pixels, the mask has ${total}.`);
  return mask;
}
