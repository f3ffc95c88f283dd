/**
 * Decoding the four outputs of TFLite's `TFLite_Detection_PostProcess` op (output kind `tflite-ssd`, the SSD
 * MobileNet and Model Maker / EfficientDet-Lite detector exports): boxes [1, N, 4] as ymin, xmin, ymax, xmax
 * normalised to the model input, classes [1, N] as float class indices, scores [1, N], count [1] (how many of the
 * N rows are valid). The op has already run NMS; boxes come out in model-input pixels so that a letterboxed input
 * maps back like every other detector's.
 */
import type { Candidate } from './nms';
import type { DecodeFilter } from './yolox-grid';

export interface TfliteSsdOutputs {
  /** [N * 4] ymin, xmin, ymax, xmax per row, 0..1 of the input. */
  boxes: ArrayLike<number>;
  /** [N] class index per row, as a float. */
  classes: ArrayLike<number>;
  /** [N] score per row. */
  scores: ArrayLike<number>;
  /** [1] valid rows. */
  count: ArrayLike<number>;
}

/** Candidates among the first `count` rows scoring at least `threshold`, with a known (and allowed) class. */
export function decodeTfliteSsd(
  { boxes, classes, scores, count }: TfliteSsdOutputs,
  input: { width: number; height: number; classes: number },
  { threshold, allowed }: DecodeFilter,
): Candidate[] {
  const rows = scores.length;
  if (classes.length !== rows || boxes.length !== rows * 4 || count.length !== 1) {
    throw new Error(`tflite-ssd: ${rows} scores, ${classes.length} classes, ${boxes.length / 4} boxes and ${count.length} counts do not match`);
  }
  const valid = Math.min(rows, Math.max(0, Math.round(count[0] as number)));
  const out: Candidate[] = [];
  for (let r = 0; r < valid; r++) {
    const score = scores[r] as number;
    if (!(score >= threshold)) continue;
    const classIndex = Math.round(classes[r] as number);
    if (classIndex < 0 || classIndex >= input.classes) continue;
    if (allowed && !allowed[classIndex]) continue;
    const o = r * 4;
    out.push({
      box: {
        x1: (boxes[o + 1] as number) * input.width,
        y1: (boxes[o] as number) * input.height,
        x2: (boxes[o + 3] as number) * input.width,
        y2: (boxes[o + 2] as number) * input.height,
      },
      score,
      classIndex,
    });
  }
  return out;
}
