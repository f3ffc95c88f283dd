/**
 * Per-class statistics of a class map in one pass: pixel count and bounding box, then the response's segments
 * (one per class present, largest first).
 */
import type { ClassMap } from './class-map';
import { UNREQUESTED } from './class-map';
import { vocHex } from './palette';

/** Pixel-edge coordinates: pixel (x, y) spans [x, x+1) x [y, y+1), so x2 - x1 is the width in pixels. */
export interface PixelBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface ClassStats {
  index: number;
  pixels: number;
  box: PixelBox;
}

/** Count and bounding box of every class present (UNREQUESTED pixels are skipped), by class index. */
export function classStats(map: ClassMap): ClassStats[] {
  const { width, height, data } = map;
  const count = new Float64Array(256);
  const minX = new Int32Array(256).fill(width);
  const maxX = new Int32Array(256).fill(-1);
  const minY = new Int32Array(256).fill(height);
  const maxY = new Int32Array(256).fill(-1);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    // Walk runs of one class: the box only changes at a run's ends, which keeps the inner loop to one compare.
    let x = 0;
    while (x < width) {
      const c = data[row + x] as number;
      const start = x;
      while (x < width && data[row + x] === c) x++;
      count[c] = (count[c] as number) + (x - start);
      if (start < (minX[c] as number)) minX[c] = start;
      if (x - 1 > (maxX[c] as number)) maxX[c] = x - 1;
      if (y < (minY[c] as number)) minY[c] = y;
      maxY[c] = y;
    }
  }
  const out: ClassStats[] = [];
  for (let c = 0; c < 256; c++) {
    if (c === UNREQUESTED || count[c] === 0) continue;
    out.push({ index: c, pixels: count[c] as number, box: { x1: minX[c] as number, y1: minY[c] as number, x2: (maxX[c] as number) + 1, y2: (maxY[c] as number) + 1 } });
  }
  return out;
}

export interface Segment extends ClassStats {
  label: string;
  /** Share of the image's pixels, 0..1. */
  fraction: number;
  /** The class's VOC palette colour as CSS hex: the colour it has in format=image and format=mask. */
  color: string;
}

/**
 * The segments to report: classes present (and requested, when `keep` is given), largest first, ties by index.
 * `fraction` is relative to the whole image.
 */
export function toSegments(stats: readonly ClassStats[], labels: readonly string[], totalPixels: number, keep?: ReadonlySet<number>): Segment[] {
  return stats
    .filter((s) => !keep || keep.has(s.index))
    .map((s) => ({ label: labels[s.index] ?? String(s.index), index: s.index, pixels: s.pixels, fraction: s.pixels / totalPixels, box: s.box, color: vocHex(s.index) }))
    .sort((a, b) => b.pixels - a.pixels || a.index - b.index);
}
