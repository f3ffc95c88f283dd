/**
 * Choosing the detections to report from scored candidate boxes: greedy per-class non-maximum suppression, or,
 * for models whose outputs do not overlap (DETR-style), just the best ones by score.
 */
import { type Box, iou } from './boxes';

/** One scored box of one class, in whatever coordinates its producer uses. */
export interface Candidate {
  box: Box;
  score: number;
  /** Index into the model's label list. */
  classIndex: number;
}

/** Candidates sorted by score, best first; equal scores keep their input order (Array.prototype.sort is stable). */
export const byScore = <T extends { score: number }>(candidates: readonly T[]): T[] => [...candidates].sort((a, b) => b.score - a.score);

/**
 * Greedy non-maximum suppression per class: in score order, a candidate is kept unless an already kept candidate
 * of the same class overlaps it with IoU strictly above `iouThreshold`; boxes of different classes never suppress
 * each other. Stops once `maxDetections` are kept, so each candidate is compared with at most that many boxes.
 */
export function nms(candidates: readonly Candidate[], iouThreshold: number, maxDetections: number): Candidate[] {
  const kept: Candidate[] = [];
  const keptByClass = new Map<number, Candidate[]>();
  for (const c of byScore(candidates)) {
    if (kept.length >= maxDetections) break;
    const same = keptByClass.get(c.classIndex);
    if (same?.some((k) => iou(k.box, c.box) > iouThreshold)) continue;
    kept.push(c);
    if (same) same.push(c);
    else keptByClass.set(c.classIndex, [c]);
  }
  return kept;
}

/** The best `maxDetections` candidates by score, no suppression. */
export const topDetections = (candidates: readonly Candidate[], maxDetections: number): Candidate[] => byScore(candidates).slice(0, maxDetections);
