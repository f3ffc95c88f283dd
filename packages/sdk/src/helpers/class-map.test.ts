/** decodeMask on masks built here from the reference class map: PNG, RLE (with and without every class), none. */
import { describe, expect, it } from 'vitest';
import { fixture } from '../../../../test/support/fixtures';
import type { ClassRle, SegmentMask } from '../types';
import { decodeMask } from './class-map';
import { decodePngMask } from './png-mask';

/** COCO uncompressed RLE of `data == index`, column-major, starting with a run of 0s. */
function encodeRle(data: Uint8Array, width: number, height: number, index: number): ClassRle {
  const counts: number[] = [];
  let current = 0;
  let run = 0;
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      const bit = data[y * width + x] === index ? 1 : 0;
      if (bit !== current) {
        counts.push(run);
        current = bit;
        run = 0;
      }
      run++;
    }
  }
  counts.push(run);
  return { index, label: `class ${index}`, size: [height, width], counts };
}

describe('decodeMask', async () => {
  const png = fixture('bird_segmentation_mask.png');
  const reference = await decodePngMask(png);
  const { width, height, data } = reference;
  const pngMask: SegmentMask = { encoding: 'png', width, height, data_url: `data:image/png;base64,${Buffer.from(png).toString('base64')}` };

  it('png: the class map of the data URL', async () => {
    expect(await decodeMask(pngMask)).toEqual(reference);
  });

  it('rle with every class present gives the same map, from a mask or a whole result', async () => {
    const masks = [0, 1, 2, 3].map((i) => encodeRle(data, width, height, i));
    const rle: SegmentMask = { encoding: 'rle', width, height, order: 'column-major', masks };
    expect(await decodeMask(rle)).toEqual(reference);
    const result = { task: 'segment', mask: rle } as unknown as Parameters<typeof decodeMask>[0];
    expect(await decodeMask(result)).toEqual(reference);
  });

  it('rle of some classes: other pixels read 255 (as in the PNG mask), or the fill asked for', async () => {
    const rle: SegmentMask = { encoding: 'rle', width, height, order: 'column-major', masks: [encodeRle(data, width, height, 3)] };
    const map = await decodeMask(rle);
    expect(new Set(map.data)).toEqual(new Set([3, 255]));
    expect(map.data.filter((v) => v === 3).length).toBe(data.filter((v) => v === 3).length);
    expect(new Set((await decodeMask(rle, { fill: 0 })).data)).toEqual(new Set([0, 3]));
  });

  it('refuses a mask of another size and a result without a mask', async () => {
    const wrong: SegmentMask = { encoding: 'rle', width: 10, height: 10, order: 'column-major', masks: [encodeRle(data, width, height, 3)] };
    await expect(decodeMask(wrong)).rejects.toThrow(/513x513, the image 10x10/);
    await expect(decodeMask({ encoding: 'none' })).rejects.toThrow(/mask: 'png' or 'rle'/);
  });
});
