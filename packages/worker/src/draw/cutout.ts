/**
 * Segment's `format=cutout`: the photo as an RGBA PNG whose background is transparent. The alpha channel is the
 * class map at the photo's resolution (upsampled like the overlay's), so the cut follows the mask's edges.
 */
import { encodePng } from '../image/png';
import { type ClassMap, UNREQUESTED } from '../segment/class-map';

/**
 * The class indices a cutout makes transparent: pixels of classes not requested (255) and, when the caller named
 * no classes, the label list's `background`. A caller who names `background` in `classes` keeps it.
 */
export function cutoutDropped(labels: readonly string[], classesAsked: boolean): Set<number> {
  const dropped = new Set([UNREQUESTED]);
  const background = labels.indexOf('background');
  if (!classesAsked && background >= 0) dropped.add(background);
  return dropped;
}

/** Sets `rgba`'s alpha to 0 on dropped classes and 255 elsewhere, in place; `map` is at the same size. */
export function applyCutout(rgba: Uint8Array, map: ClassMap, dropped: ReadonlySet<number>): Uint8Array {
  if (rgba.length !== map.width * map.height * 4) throw new Error(`cutout: a ${map.width}x${map.height} class map does not fit ${rgba.length / 4} pixels`);
  const alpha = new Uint8Array(256).fill(255);
  for (const c of dropped) alpha[c] = 0;
  const { data } = map;
  for (let i = 0; i < data.length; i++) rgba[i * 4 + 3] = alpha[data[i] as number] as number;
  return rgba;
}

/** The cutout PNG. Draws into `photo`, which the caller gives up; `map` is at the photo's size. */
export function cutoutPng(photo: { rgba: Uint8Array; width: number; height: number }, map: ClassMap, dropped: ReadonlySet<number>): Promise<Uint8Array> {
  return encodePng({ width: photo.width, height: photo.height, color: 'rgba', data: applyCutout(photo.rgba, map, dropped) });
}
