/**
 * Turning a segmentation into what the caller asked for: the JSON `mask` field (PNG class map, COCO RLE, or
 * nothing) or a picture (the photo with the colour mask blended over it, or the colour mask alone).
 */
import type { SegmentMask } from '@cvkit/sdk/contract';
import { toDataUrl } from '../image/data-url';
import { encodePng } from '../image/png';
import type { SegmentResult } from '../providers/types';
import { type ClassMap, UNREQUESTED } from './class-map';
import { blendOverlay, maskTransparency } from './overlay';
import { vocPalette } from './palette';
import { encodeRle } from './rle';

const PALETTE = vocPalette(256);

/** The `mask` field of a JSON response. */
export async function encodeMask(result: Pick<SegmentResult, 'map' | 'segments'>, encoding: 'png' | 'rle' | 'none'): Promise<SegmentMask> {
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

/**
 * The colour mask alone as an indexed PNG: palette = VOC colours, so its pixel indices are still the class
 * indices (the PASCAL VOC SegmentationClass format), with background and unrequested pixels transparent.
 */
export function colorMaskPng(map: ClassMap): Promise<Uint8Array> {
  return encodePng({ width: map.width, height: map.height, color: 'indexed', data: map.data, palette: PALETTE, transparency: maskTransparency(256) });
}

/** The photo with each class's colour blended at half opacity. Draws into `photo`, which the caller gives up. */
export function overlayPng(photo: { rgba: Uint8Array; width: number; height: number }, map: ClassMap): Promise<Uint8Array> {
  return encodePng({ width: photo.width, height: photo.height, color: 'rgba', data: blendOverlay(photo.rgba, map, PALETTE) });
}
