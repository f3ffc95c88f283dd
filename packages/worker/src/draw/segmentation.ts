/**
 * Segmentation pictures: the photo with the colour mask blended over it (format=image), or the colour mask alone
 * (format=mask), as PNG.
 */
import { encodePng } from '../image/png';
import type { ClassMap } from '../segment/class-map';
import { vocPalette } from '../segment/palette';
import { blendOverlay, maskTransparency } from './overlay';

const PALETTE = vocPalette(256);

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
