/**
 * Box geometry on plain numbers: intersection over union, mapping model coordinates back to the image (the
 * inverse of the stretch or letterbox placement), clipping to the image, and normalising to 0..1.
 */
import type { Placement } from '../pipeline/preprocess';

/** Corners in pixels: (x1, y1) top-left, (x2, y2) bottom-right. */
export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface Size {
  width: number;
  height: number;
}

export const area = (b: Box): number => Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1);

/** Intersection over union; 0 when the union is empty (two degenerate boxes). */
export function iou(a: Box, b: Box): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = area(a) + area(b) - inter;
  return union > 0 ? inter / union : 0;
}

/** From centre and size to corners. */
export const fromCenter = (cx: number, cy: number, w: number, h: number): Box => ({ x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2 });

/**
 * Maps a box in model-input pixels back to image pixels: undoes the resize of `placement` (stretch or letterbox;
 * letterboxed content sits top-left, so there is no offset). The effective scale is content size over image size,
 * not the unrounded `placement.scaleX`, because the resized content was rounded to whole pixels.
 */
export function inputToImage(box: Box, placement: Pick<Placement, 'width' | 'height'>, image: Size): Box {
  const sx = image.width / placement.width;
  const sy = image.height / placement.height;
  return { x1: box.x1 * sx, y1: box.y1 * sy, x2: box.x2 * sx, y2: box.y2 * sy };
}

/** Clips a box to the image; the result may be empty (see `area`). */
export function clip(box: Box, image: Size): Box {
  const cx = (v: number, max: number) => Math.min(max, Math.max(0, v));
  return { x1: cx(box.x1, image.width), y1: cx(box.y1, image.height), x2: cx(box.x2, image.width), y2: cx(box.y2, image.height) };
}

/** The box as fractions of the image size. */
export function normalize(box: Box, image: Size): Box {
  return { x1: box.x1 / image.width, y1: box.y1 / image.height, x2: box.x2 / image.width, y2: box.y2 / image.height };
}

/** Rounds each coordinate to `digits` decimals (keeps responses short; sub-pixel precision is noise). */
export function roundBox(box: Box, digits: number): Box {
  const f = 10 ** digits;
  const r = (v: number) => Math.round(v * f) / f;
  return { x1: r(box.x1), y1: r(box.y1), x2: r(box.x2), y2: r(box.y2) };
}
