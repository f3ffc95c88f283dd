/**
 * Decoding an Ultralytics YOLOv8 / YOLO11 detection head (output kind `yolo-v8`): one float output [1, 4 + nc, N],
 * channel-first: for each of the N anchors, rows cx, cy, w, h (model-input pixels, already decoded by the export's
 * own graph), then nc class scores (sigmoid, no objectness). N depends on the export size (8400 at 640), so it is
 * read from the tensor, not assumed. Boxes come out in model-input pixels; the caller maps them and runs NMS.
 */
import { fromCenter } from './boxes';
import type { Candidate } from './nms';
import type { DecodeFilter } from './yolox-grid';

/**
 * One candidate per anchor whose best (allowed) class scores at least `threshold`. `classes` is nc, the label
 * count; throws when `data` is not (4 + classes) rows of equal length (a catalog/model mismatch).
 */
export function decodeYoloV8(data: Float32Array, classes: number, { threshold, allowed }: DecodeFilter): Candidate[] {
  const rows = 4 + classes;
  const anchors = data.length / rows;
  if (classes < 1 || !Number.isInteger(anchors) || anchors < 1) {
    throw new Error(`yolo-v8: output has ${data.length} values, not ${rows} rows (4 box + ${classes} classes) of equal length`);
  }
  const out: Candidate[] = [];
  for (let a = 0; a < anchors; a++) {
    let best = -1;
    let bestScore = -Infinity;
    // channel-first: class c of anchor a is at (4 + c) * anchors + a
    for (let c = 0; c < classes; c++) {
      if (allowed && !allowed[c]) continue;
      const v = data[(4 + c) * anchors + a] as number;
      if (v > bestScore) {
        bestScore = v;
        best = c;
      }
    }
    if (best < 0 || !(bestScore >= threshold)) continue;
    const cx = data[a] as number;
    const cy = data[anchors + a] as number;
    const w = data[2 * anchors + a] as number;
    const h = data[3 * anchors + a] as number;
    out.push({ box: fromCenter(cx, cy, w, h), score: bestScore, classIndex: best });
  }
  return out;
}
