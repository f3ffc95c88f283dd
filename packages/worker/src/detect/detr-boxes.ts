/**
 * Decoding DETR-style set predictions (manifest output kind `detr-boxes`): per query a label, a score and an xyxy
 * box. The queries are matched one-to-one with objects in training, so there is nothing to suppress: filter by
 * score and class. Boxes stay in the coordinates the model gives (the manifest says which).
 */
import type { Candidate } from './nms';
import type { DecodeFilter } from './yolox-grid';

export interface DetrOutputs {
  /** [queries * 4] x1, y1, x2, y2 per query. */
  boxes: ArrayLike<number>;
  /** [queries] class index per query (ORT gives int64 as bigint). */
  labels: ArrayLike<bigint | number>;
  /** [queries] confidence per query. */
  scores: ArrayLike<number>;
}

/** Candidates whose score is at least `threshold` and whose label is a known (and allowed) class. */
export function decodeDetrBoxes({ boxes, labels, scores }: DetrOutputs, classes: number, { threshold, allowed }: DecodeFilter): Candidate[] {
  const queries = scores.length;
  if (labels.length !== queries || boxes.length !== queries * 4) {
    throw new Error(`detr-boxes: ${queries} scores, ${labels.length} labels and ${boxes.length / 4} boxes do not match`);
  }
  const out: Candidate[] = [];
  for (let q = 0; q < queries; q++) {
    const score = scores[q] as number;
    if (!(score >= threshold)) continue;
    const classIndex = Number(labels[q]);
    if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= classes) continue;
    if (allowed && !allowed[classIndex]) continue;
    const o = q * 4;
    out.push({ box: { x1: boxes[o] as number, y1: boxes[o + 1] as number, x2: boxes[o + 2] as number, y2: boxes[o + 3] as number }, score, classIndex });
  }
  return out;
}
