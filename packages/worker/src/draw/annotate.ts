/**
 * The annotated image: each detection's box outlined in a colour per class with a "label score" caption, sized
 * to the image so it reads on a 300 px thumbnail and on a 4000 px photo. Boxes and caption backgrounds are drawn
 * on the RGBA buffer here; photon renders the caption text (Roboto) and encodes PNG or JPEG.
 */
import { PhotonImage, Rgba, draw_text_with_color } from '@cf-wasm/photon';
import type { Detection } from '@cvkit/sdk/contract';
import type { Box, Size } from '../detect/boxes';

export type AnnotatedType = 'image/png' | 'image/jpeg';

export type Color = readonly [number, number, number];

/** 20 distinct, saturated colours (the Ultralytics palette); class i gets PALETTE[i % 20]. */
const PALETTE: readonly Color[] = [
  0xff3838, 0xff9d97, 0xff701f, 0xffb21d, 0xcfd231, 0x48f90a, 0x92cc17, 0x3ddb86, 0x1a9334, 0x00d4bb,
  0x2c99a8, 0x00c2ff, 0x344593, 0x6473ff, 0x0018ec, 0x8438ff, 0x520085, 0xcb38ff, 0xff95c8, 0xff37c7,
].map((hex) => [hex >> 16, (hex >> 8) & 0xff, hex & 0xff] as const);

export const classColor = (index: number): Color => PALETTE[((index % PALETTE.length) + PALETTE.length) % PALETTE.length] as Color;

/** Black or white, whichever reads better on `color` (perceived luminance). */
export const textColor = ([r, g, b]: Color): Color => (0.299 * r + 0.587 * g + 0.114 * b > 150 ? [0, 0, 0] : [255, 255, 255]);

export interface Style {
  /** Caption font size in pixels. */
  fontSize: number;
  /** Box outline width in pixels. */
  lineWidth: number;
}

/** Scales with the image's geometric mean side: 12 px text on a 430 px image, 31 px on 1352x900, at most 120. */
export function styleFor({ width, height }: Size): Style {
  const fontSize = Math.min(120, Math.max(12, Math.round(Math.sqrt(width * height) / 36)));
  return { fontSize, lineWidth: Math.max(2, Math.round(fontSize / 8)) };
}

/** Whole-pixel rectangle, inclusive-exclusive. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The pixels a box covers: floor of the top-left, ceil of the bottom-right, within the image. */
export function pixelRect(box: Box, image: Size): Rect {
  const x = Math.max(0, Math.floor(box.x1));
  const y = Math.max(0, Math.floor(box.y1));
  const x2 = Math.min(image.width, Math.ceil(box.x2));
  const y2 = Math.min(image.height, Math.ceil(box.y2));
  return { x, y, width: Math.max(0, x2 - x), height: Math.max(0, y2 - y) };
}

/** Fills a rectangle (clipped to the image) with an opaque colour. */
export function fillRect(rgba: Uint8Array, image: Size, rect: Rect, [r, g, b]: Color): void {
  const x0 = Math.max(0, rect.x);
  const y0 = Math.max(0, rect.y);
  const x1 = Math.min(image.width, rect.x + rect.width);
  const y1 = Math.min(image.height, rect.y + rect.height);
  for (let y = y0; y < y1; y++) {
    for (let x = x0, i = (y * image.width + x0) * 4; x < x1; x++, i += 4) {
      rgba[i] = r;
      rgba[i + 1] = g;
      rgba[i + 2] = b;
      rgba[i + 3] = 255;
    }
  }
}

/** Outlines a rectangle with `lineWidth` pixels drawn inward, so the outline stays on the box and in the image. */
export function strokeRect(rgba: Uint8Array, image: Size, rect: Rect, color: Color, lineWidth: number): void {
  const t = Math.min(lineWidth, Math.ceil(rect.width / 2), Math.ceil(rect.height / 2));
  fillRect(rgba, image, { x: rect.x, y: rect.y, width: rect.width, height: t }, color);
  fillRect(rgba, image, { x: rect.x, y: rect.y + rect.height - t, width: rect.width, height: t }, color);
  fillRect(rgba, image, { x: rect.x, y: rect.y, width: t, height: rect.height }, color);
  fillRect(rgba, image, { x: rect.x + rect.width - t, y: rect.y, width: t, height: rect.height }, color);
}

export const captionText = (d: Pick<Detection, 'label' | 'score'>): string => `${d.label} ${d.score.toFixed(2)}`;

/**
 * Where a caption goes: on top of the box's top-left corner, or just inside the box when there is no room
 * above; shifted left to stay in the image. The width is an estimate from Roboto's advance (0.40-0.41 of the
 * font size per character for lower-case labels and digits, measured with photon) plus a margin.
 */
export function captionRect(box: Rect, text: string, style: Style, image: Size): Rect {
  const height = Math.round(style.fontSize * 1.3);
  const width = Math.round(style.fontSize * (0.42 * text.length + 0.5));
  const above = box.y - height;
  const y = above >= 0 ? above : Math.max(0, Math.min(box.y, image.height - height));
  const x = Math.max(0, Math.min(box.x, image.width - width));
  return { x, y, width, height };
}

/**
 * Draws the detections onto a copy of `rgba` and encodes it. Lower scores are drawn first, so the best
 * detections' boxes and captions end up on top.
 */
export function annotate(image: Size & { rgba: Uint8Array; original?: Size }, detections: readonly Detection[], type: AnnotatedType): Uint8Array {
  const size = { width: image.width, height: image.height };
  // Boxes are in the original image's pixels; the pixels may have been decoded at reduced scale.
  const scale = image.original ? image.width / image.original.width : 1;
  const style = styleFor(size);
  const pixels = new Uint8Array(image.rgba);
  const order = [...detections].reverse();
  const captions: Array<{ text: string; rect: Rect; color: Color }> = [];
  for (const d of order) {
    const color = classColor(d.index);
    const rect = pixelRect(scale === 1 ? d.box : { x1: d.box.x1 * scale, y1: d.box.y1 * scale, x2: d.box.x2 * scale, y2: d.box.y2 * scale }, size);
    strokeRect(pixels, size, rect, color, style.lineWidth);
    const text = captionText(d);
    captions.push({ text, rect: captionRect(rect, text, style, size), color });
  }
  for (const c of captions) fillRect(pixels, size, c.rect, c.color);
  const photon = new PhotonImage(pixels, size.width, size.height);
  try {
    const pad = Math.round(style.fontSize * 0.25);
    // photon puts the glyphs' tops about 0.15 font sizes below y and their descenders at about 0.95
    const dy = Math.round(style.fontSize * 0.1);
    for (const c of captions) {
      const [r, g, b] = textColor(c.color);
      draw_text_with_color(photon, c.text, c.rect.x + pad, c.rect.y + dy, style.fontSize, new Rgba(r, g, b, 255));
    }
    return type === 'image/png' ? photon.get_bytes() : photon.get_bytes_jpeg(90);
  } finally {
    photon.free();
  }
}
