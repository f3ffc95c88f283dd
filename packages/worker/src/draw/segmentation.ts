/**
 * Segmentation pictures: the photo with the colour mask blended over it (format=image; PNG or JPEG, optionally with
 * a legend), or the colour mask alone (format=mask), as PNG.
 */
import type { Segment } from '@cvkit/sdk/contract';
import type { Size } from '../detect/boxes';
import { encodePng } from '../image/png';
import type { ClassMap } from '../segment/class-map';
import { vocColor, vocPalette } from '../segment/palette';
import { styleFor } from './annotate';
import { legendLayout, MIN_LEGEND_SHARE, paintLegend, shareText } from './legend';
import { blendOverlay, maskTransparency } from './overlay';
import { renderPicture } from './render';

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

export interface OverlayOptions {
  type: 'image/png' | 'image/jpeg';
  /** The segments to list in a legend (background and specks under MIN_LEGEND_SHARE are left out); undefined: no legend. */
  legend?: readonly Segment[] | undefined;
}

/** The segments an overlay's legend lists: no background, no specks (MIN_LEGEND_SHARE), shares in whole percent. */
export function segmentLegend(segments: readonly Segment[]): Array<{ segment: Segment; text: string }> {
  return segments.filter((s) => s.index !== 0 && s.fraction >= MIN_LEGEND_SHARE).map((segment) => ({ segment, text: `${segment.label} ${shareText(segment.fraction)}` }));
}

/**
 * The overlay as PNG or JPEG, with a legend of the classes present (colour, name, share of the image) in the
 * corner that hides the least of them. `map` is at the photo's size; segment boxes are in the original image's
 * pixels and are scaled to the photo. Draws into `photo`, which the caller gives up.
 */
export async function overlayPicture(photo: { rgba: Uint8Array; width: number; height: number; original?: Size }, map: ClassMap, { type, legend }: OverlayOptions): Promise<Uint8Array> {
  const shown = segmentLegend(legend ?? []);
  if (type === 'image/png' && shown.length === 0) return overlayPng(photo, map);
  const size = { width: photo.width, height: photo.height };
  blendOverlay(photo.rgba, map, PALETTE);
  const { fontSize } = styleFor(size);
  const scale = photo.original ? photo.width / photo.original.width : 1;
  const avoid = shown.map(({ segment: { box } }) => ({ x: Math.floor(box.x1 * scale), y: Math.floor(box.y1 * scale), width: Math.ceil((box.x2 - box.x1) * scale), height: Math.ceil((box.y2 - box.y1) * scale) }));
  const entries = shown.map(({ segment, text }) => ({ text, color: vocColor(segment.index) }));
  const layout = legendLayout(entries, fontSize, size, avoid);
  if (layout) paintLegend(photo.rgba, size, layout);
  const runs = (layout?.rows ?? []).map((r) => ({ text: r.text, x: r.x, y: r.y, color: [255, 255, 255] as const }));
  return renderPicture(photo.rgba, size, runs, fontSize, type);
}
