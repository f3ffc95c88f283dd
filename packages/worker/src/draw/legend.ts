/**
 * A legend for drawn results: a dark translucent panel with one row per class (colour swatch, then its name), in
 * the image corner that covers the least of what was found. Layout is pure (tested on numbers); the panel and
 * swatches are painted on the RGBA buffer here, and the caller renders the rows' text (photon) where it says.
 */
import { overlapArea, type Rect, type Size } from './place-labels';

export type Color = readonly [number, number, number];

export interface LegendEntry {
  text: string;
  color: Color;
}

export interface LegendRow {
  swatch: Rect;
  color: Color;
  text: string;
  /** Where the text's box starts. */
  x: number;
  y: number;
}

export interface LegendLayout {
  panel: Rect;
  rows: LegendRow[];
}

/** Classes under this share of the image (specks of a few pixels) are left out of legends, drawn or in the playground. */
export const MIN_LEGEND_SHARE = 0.005;

/** A share of the image as legends show it, the one rounding rule (pictures and playground): whole percent, 0.012 -> "1%". */
export const shareText = (fraction: number): string => `${Math.round(fraction * 100)}%`;

/** Roboto's advance is 0.40-0.41 of the font size per lower-case letter or digit (measured with photon). */
export const textWidth = (text: string, fontSize: number) => Math.round(fontSize * 0.42 * text.length);

/**
 * Lays the legend out: rows as tall as a caption, as many as fit in the image (the rest summed up as "+N more"),
 * in the corner (top-right, top-left, bottom-right, bottom-left) whose panel overlaps `avoid` the least.
 * Undefined when there is nothing to list.
 */
export function legendLayout(entries: readonly LegendEntry[], fontSize: number, image: Size, avoid: readonly Rect[] = []): LegendLayout | undefined {
  if (entries.length === 0) return undefined;
  const rowHeight = Math.round(fontSize * 1.3);
  const pad = Math.max(2, Math.round(fontSize * 0.35));
  const swatch = Math.round(fontSize * 0.8);
  const fit = Math.max(1, Math.floor((image.height - 2 * pad) / rowHeight));
  let shown = [...entries];
  if (shown.length > fit) {
    const kept = shown.slice(0, Math.max(0, fit - 1));
    shown = [...kept, { text: `+${entries.length - kept.length} more`, color: [128, 128, 128] }];
  }
  const width = Math.min(image.width, 2 * pad + swatch + pad + Math.max(...shown.map((e) => textWidth(e.text, fontSize))) + pad);
  const height = Math.min(image.height, 2 * pad + shown.length * rowHeight);
  const margin = Math.min(pad, Math.max(0, image.width - width), Math.max(0, image.height - height));
  const right = Math.max(0, image.width - width - margin);
  const bottom = Math.max(0, image.height - height - margin);
  const corners: Rect[] = [
    { x: right, y: margin, width, height },
    { x: margin, y: margin, width, height },
    { x: right, y: bottom, width, height },
    { x: margin, y: bottom, width, height },
  ];
  const cost = (r: Rect) => avoid.reduce((sum, a) => sum + overlapArea(a, r), 0);
  const panel = corners.reduce((best, r) => (cost(r) < cost(best) ? r : best));
  const rows = shown.map((e, i) => {
    const y = panel.y + pad + i * rowHeight;
    return {
      swatch: { x: panel.x + pad, y: y + Math.round((rowHeight - swatch) / 2), width: swatch, height: swatch },
      color: e.color,
      text: e.text,
      x: panel.x + pad + swatch + pad,
      y,
    };
  });
  return { panel, rows };
}

/** Paints the panel (the photo darkened to 35%) and the swatches into `rgba`, in place; the text is the caller's. */
export function paintLegend(rgba: Uint8Array, image: Size, { panel, rows }: LegendLayout): void {
  const x1 = Math.min(image.width, panel.x + panel.width);
  const y1 = Math.min(image.height, panel.y + panel.height);
  for (let y = Math.max(0, panel.y); y < y1; y++) {
    for (let x = Math.max(0, panel.x), i = (y * image.width + x) * 4; x < x1; x++, i += 4) {
      rgba[i] = ((rgba[i] as number) * 90) >> 8;
      rgba[i + 1] = ((rgba[i + 1] as number) * 90) >> 8;
      rgba[i + 2] = ((rgba[i + 2] as number) * 90) >> 8;
      rgba[i + 3] = 255;
    }
  }
  for (const { swatch, color } of rows) {
    const sx1 = Math.min(image.width, swatch.x + swatch.width);
    const sy1 = Math.min(image.height, swatch.y + swatch.height);
    for (let y = Math.max(0, swatch.y); y < sy1; y++) {
      for (let x = Math.max(0, swatch.x), i = (y * image.width + x) * 4; x < sx1; x++, i += 4) {
        rgba[i] = color[0];
        rgba[i + 1] = color[1];
        rgba[i + 2] = color[2];
        rgba[i + 3] = 255;
      }
    }
  }
}
