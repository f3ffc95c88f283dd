/**
 * The annotated image: each detection's box outlined in a colour per class with a "label score" caption, sized
 * to the image so it reads on a 300 px thumbnail and on a 4000 px photo, captions placed so none covers another,
 * and optionally a legend. Boxes and caption backgrounds are drawn on the RGBA buffer here; photon renders the
 * caption text (Roboto) and encodes PNG or JPEG (draw/render.ts).
 */
import type { Detection } from '@cvkit/sdk/contract';
import type { Box, Size } from '../detect/boxes';
import { type LegendLayout, legendLayout, paintLegend } from './legend';
import { placeLabels } from './place-labels';
import { renderPicture, type TextRun } from './render';

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

export interface AnnotateOptions {
  /** Add a legend of the classes present, with their counts. */
  legend?: boolean | undefined;
}

/** Where everything goes on an annotated picture: box outlines, tags and the legend, in whole pixels. */
export interface AnnotationLayout {
  rects: Rect[];
  texts: string[];
  tags: Rect[];
  legend: LegendLayout | undefined;
}

/**
 * Lays out an annotated picture. The legend is placed first, in the corner that hides the fewest boxes, and the
 * tags are then placed around it as around each other, so the legend never hides a tag (on a 128 px photo whose
 * one box fills it, the tag moves to the box's free corner).
 */
export function annotationLayout(size: Size, detections: readonly Detection[], scale: number, style: Style, legend: boolean): AnnotationLayout {
  const rects = detections.map((d) =>
    pixelRect(scale === 1 ? d.box : { x1: d.box.x1 * scale, y1: d.box.y1 * scale, x2: d.box.x2 * scale, y2: d.box.y2 * scale }, size),
  );
  let panel: LegendLayout | undefined;
  if (legend) {
    const counts = new Map<number, { label: string; n: number }>();
    for (const d of detections) counts.set(d.index, { label: d.label, n: (counts.get(d.index)?.n ?? 0) + 1 });
    const entries = [...counts].map(([index, { label, n }]) => ({ text: `${label} (${n})`, color: classColor(index) }));
    panel = legendLayout(entries, style.fontSize, size, rects);
  }
  const texts = detections.map(captionText);
  const height = Math.round(style.fontSize * 1.3);
  const requests = rects.map((box, i) => ({ box, height, width: Math.round(style.fontSize * (0.42 * (texts[i] as string).length + 0.5)) }));
  const tags = placeLabels(requests, size, panel ? [panel.panel] : []);
  return { rects, texts, tags, legend: panel };
}

/**
 * Draws the detections onto a copy of `rgba` and encodes it. Lower scores are drawn first, so the best
 * detections' boxes end up on top; tags are placed best first so that none covers another (place-labels.ts).
 */
export function annotate(
  image: Size & { rgba: Uint8Array; original?: Size },
  detections: readonly Detection[],
  type: AnnotatedType,
  { legend = false }: AnnotateOptions = {},
): Uint8Array {
  const size = { width: image.width, height: image.height };
  // Boxes are in the original image's pixels; the pixels may have been decoded at reduced scale.
  const scale = image.original ? image.width / image.original.width : 1;
  const style = styleFor(size);
  const pixels = new Uint8Array(image.rgba);
  const layout = annotationLayout(size, detections, scale, style, legend);
  for (let i = detections.length - 1; i >= 0; i--) {
    strokeRect(pixels, size, layout.rects[i] as Rect, classColor((detections[i] as Detection).index), style.lineWidth);
  }
  const pad = Math.round(style.fontSize * 0.25);
  const runs: TextRun[] = [];
  layout.tags.forEach((rect, i) => {
    const color = classColor((detections[i] as Detection).index);
    fillRect(pixels, size, rect, color);
    runs.push({ text: layout.texts[i] as string, x: rect.x + pad, y: rect.y, color: textColor(color) });
  });
  if (layout.legend) {
    paintLegend(pixels, size, layout.legend);
    for (const row of layout.legend.rows) runs.push({ text: row.text, x: row.x, y: row.y, color: [255, 255, 255] });
  }
  return renderPicture(pixels, size, runs, style.fontSize, type);
}
