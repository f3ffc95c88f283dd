/** The JSON `mask` field of a segmentation: a PNG class map, COCO RLE, or nothing. (Pictures: draw/segmentation.ts.) */
import type { SegmentMask } from '@cvkit/sdk/contract';
import { toDataUrl } from '../image/data-url';
import { encodePng } from '../image/png';
import type { SegmentOutput } from './pipeline';
import { UNREQUESTED } from './class-map';
import { encodeRle } from './rle';

/** The `mask` field of a JSON response. */
export async function encodeMask(result: Pick<SegmentOutput, 'map' | 'segments'>, encoding: 'png' | 'rle' | 'none'): Promise<SegmentMask> {
  const { map, segments } = result;
  if (encoding === 'none') return { encoding };
  if (encoding === 'png') {
    const png = await encodePng({ width: map.width, height: map.height, color: 'gray', data: map.data });
    return { encoding, width: map.width, height: map.height, data_url: toDataUrl(png, 'image/png') };
  }
  const runs = encodeRle(map, new Set([UNREQUESTED]));
  return {
    encoding,
    width: map.width,
    height: map.height,
    order: 'column-major',
    masks: segments.map((s) => ({ index: s.index, label: s.label, size: [map.height, map.width], counts: runs.get(s.index) ?? [map.width * map.height] })),
  };
}
