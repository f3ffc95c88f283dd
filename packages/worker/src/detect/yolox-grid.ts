/**
 * Decoding a YOLOX head (manifest output kind `yolox-grid`): one row per anchor point of each stride's grid,
 * (x, y, w, h, objectness, class scores...), objectness and class scores already sigmoid. Boxes come out in
 * model-input pixels; the caller maps them back to the image and runs NMS.
 */
import { fromCenter } from './boxes';
import type { Candidate } from './nms';

export interface YoloxGrid {
  /** Model input size in pixels. */
  width: number;
  height: number;
  /** Strides in the order their grids appear in the output, e.g. [8, 16, 32]. */
  strides: readonly number[];
  /** Number of class scores per row. */
  classes: number;
}

export interface DecodeFilter {
  /** Keep candidates scoring at least this. */
  threshold: number;
  /** When given, only classes with a non-zero entry count (the best allowed class is taken per anchor). */
  allowed?: Uint8Array | undefined;
}

/** Number of anchor rows the grid has: sum over strides of ceil(width / s) * ceil(height / s). */
export function anchorCount({ width, height, strides }: Pick<YoloxGrid, 'width' | 'height' | 'strides'>): number {
  return strides.reduce((n, s) => n + Math.ceil(width / s) * Math.ceil(height / s), 0);
}

/**
 * One candidate per anchor whose best (allowed) class scores at least `threshold`, score = objectness * class,
 * as YOLOX's own postprocess does. Throws when `data` does not have the grid's shape (a manifest/model mismatch).
 */
export function decodeYoloxGrid(data: Float32Array, grid: YoloxGrid, { threshold, allowed }: DecodeFilter): Candidate[] {
  const row = 5 + grid.classes;
  const anchors = anchorCount(grid);
  if (data.length !== anchors * row) {
    throw new Error(`yolox-grid: output has ${data.length} values, the grid needs ${anchors} x ${row}`);
  }
  const out: Candidate[] = [];
  let a = 0;
  for (const s of grid.strides) {
    const gw = Math.ceil(grid.width / s);
    const gh = Math.ceil(grid.height / s);
    for (let gy = 0; gy < gh; gy++) {
      for (let gx = 0; gx < gw; gx++, a++) {
        const o = a * row;
        const objectness = data[o + 4] as number;
        // class scores are at most 1, so objectness bounds the score: skip the many empty anchors early
        if (objectness < threshold) continue;
        let best = -1;
        let bestScore = -Infinity;
        for (let c = 0; c < grid.classes; c++) {
          if (allowed && !allowed[c]) continue;
          const v = data[o + 5 + c] as number;
          if (v > bestScore) {
            bestScore = v;
            best = c;
          }
        }
        if (best < 0) continue;
        const score = objectness * bestScore;
        if (!(score >= threshold)) continue;
        const cx = ((data[o] as number) + gx) * s;
        const cy = ((data[o + 1] as number) + gy) * s;
        const w = Math.exp(data[o + 2] as number) * s;
        const h = Math.exp(data[o + 3] as number) * s;
        out.push({ box: fromCenter(cx, cy, w, h), score, classIndex: best });
      }
    }
  }
  return out;
}
