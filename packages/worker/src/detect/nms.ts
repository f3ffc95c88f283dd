/**
 * Choosing the detections to report from scored candidate boxes: greedy per-class non-maximum suppression (or,
 * for models whose outputs do not overlap, DETR-style, just the best ones by score), and by default one label per
 * object (class-agnostic merging of near-identical boxes).
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

/** A kept candidate, with the other labels given to the same object when labels were merged (best first). */
export interface Selected extends Candidate {
  alternatives?: Candidate[];
}

export interface SelectOptions {
  /** Per-class NMS IoU: a box overlapping a kept box of its class above this is dropped; undefined: no per-class NMS. */
  iou: number | undefined;
  /**
   * One label per object: a box overlapping a kept box of another class above this IoU is the same object under
   * another label, and becomes one of that box's `alternatives`; undefined: every label is kept.
   */
  agnosticIou: number | undefined;
  maxDetections: number;
  /** At most this many alternatives per kept box (default 3). */
  maxAlternatives?: number;
}

/**
 * Greedy selection in score order: per-class non-maximum suppression and/or class-agnostic merging of the same
 * object under several labels. DETR-style models score every class per query, so one object can come back as
 * "hot dog 0.57" and "pizza 0.56" on an identical box; merging keeps the best label and lists the others.
 * Stops once `maxDetections` are kept, so each candidate is compared with at most that many boxes.
 */
export function selectDetections(candidates: readonly Candidate[], { iou: perClass, agnosticIou, maxDetections, maxAlternatives = 3 }: SelectOptions): Selected[] {
  const kept: Selected[] = [];
  for (const c of byScore(candidates)) {
    if (kept.length >= maxDetections) break;
    let merged: Selected | undefined;
    let suppressed = false;
    for (const k of kept) {
      const overlap = iou(k.box, c.box);
      // Same-label overlaps are `iou`'s alone (iou=1 still means no suppression).
      if (k.classIndex === c.classIndex) suppressed = perClass !== undefined && overlap > perClass; else if (!merged && agnosticIou !== undefined && overlap > agnosticIou) merged = k;
      if (suppressed) break;
    }
    if (suppressed) continue;
    if (merged) {
      const alternatives = (merged.alternatives ??= []);
      if (alternatives.length < maxAlternatives && !alternatives.some((a) => a.classIndex === c.classIndex)) alternatives.push(c);
      continue;
    }
    kept.push({ ...c });
  }
  return kept;
}

/**
 * Greedy non-maximum suppression per class: in score order, a candidate is kept unless an already kept candidate
 * of the same class overlaps it with IoU strictly above `iouThreshold`; boxes of different classes never suppress
 * each other. Stops once `maxDetections` are kept, so each candidate is compared with at most that many boxes.
 */
export function nms(candidates: readonly Candidate[], iouThreshold: number, maxDetections: number): Candidate[] {
  return selectDetections(candidates, { iou: iouThreshold, agnosticIou: undefined, maxDetections });
}

/** The best `maxDetections` candidates by score, no suppression. */
export const topDetections = (candidates: readonly Candidate[], maxDetections: number): Candidate[] => byScore(candidates).slice(0, maxDetections);
