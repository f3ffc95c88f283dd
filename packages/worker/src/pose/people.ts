/**
 * Several people from a single-person model: where to look, how sure we are, and which answers to keep.
 * MoveNet SinglePose reads one person filling most of a square, so each person box from the detector becomes a
 * square crop with a margin. When the detector finds nobody, the whole photo, padded to a square, is the one
 * candidate: a person filling the frame (a close portrait, a selfie) is often too close for the detector. Without a
 * detector's box the pose alone must convince (stricter keypoint scores: MoveNet answers 17 points on a hot dog
 * too, at 0.2-0.36 on the fixtures without people). People are kept best first, the same person found twice (two
 * overlapping boxes) once.
 */
import type { Keypoint, Person } from '@cvkit/sdk/contract';
import type { Box, Size } from '../detect/boxes';
import { type Square, squareAround, wholeImageSquare } from './crop';
import { keypointBox, visible } from './keypoints';

/** A person found by the detector, in the upright photo's pixels. */
export interface PersonBox {
  box: Box;
  score: number;
}

/** Where MoveNet looks: a square, and the detector's box it came from (none for the whole photo). */
export interface Candidate {
  square: Square;
  from?: PersonBox | undefined;
}

/** Margin added around a person box on each side, as a fraction of its longer side (limbs reach past boxes). */
export const CROP_MARGIN = 0.2;
/**
 * Without a detector's box, a keypoint counts toward the person only from this score (or the caller's floor if
 * higher): on the fixture photos without people MoveNet's best keypoints score 0.25-0.36, on a person 0.5-0.9.
 */
export const WHOLE_PHOTO_KEYPOINT_SCORE = 0.45;
/** Fewer visible keypoints than this is not a person (MoveNet always answers 17 points, seen or not). */
export const MIN_VISIBLE_KEYPOINTS = 4;

/** The squares to run MoveNet on: the best `maxBoxes` person boxes, or the whole photo when there are none. */
export function planCandidates(boxes: readonly PersonBox[], image: Size, maxBoxes: number): Candidate[] {
  if (boxes.length === 0) return [{ square: wholeImageSquare(image) }];
  const best = [...boxes].sort((a, b) => b.score - a.score).slice(0, maxBoxes);
  return best.map((from) => ({ square: squareAround(from.box, CROP_MARGIN), from }));
}

/**
 * How sure we are of a person, 0..1: the mean score of the keypoints seen (at least `minKeypointScore`), weighted
 * by the square root of the fraction of the 17 seen (a few confident points on a tree are not a person), and for a
 * detector box the geometric mean with the box's own score; without a box, only keypoints from
 * WHOLE_PHOTO_KEYPOINT_SCORE count. 0 with fewer than MIN_VISIBLE_KEYPOINTS keypoints seen.
 */
export function personScore(keypoints: readonly Keypoint[], minKeypointScore: number, boxScore?: number): number {
  const seen = visible(keypoints, boxScore === undefined ? Math.max(minKeypointScore, WHOLE_PHOTO_KEYPOINT_SCORE) : minKeypointScore);
  if (seen.length < MIN_VISIBLE_KEYPOINTS) return 0;
  const mean = seen.reduce((s, k) => s + k.score, 0) / seen.length;
  const coverage = Math.sqrt(seen.length / keypoints.length);
  const pose = mean * coverage;
  return boxScore === undefined ? pose : Math.sqrt(pose * boxScore);
}

/**
 * The person's box: the detector's, or for the whole photo the keypoints seen, widened by a tenth of their extent
 * on each side (keypoints are joints, not the body's outline), clipped to the photo.
 */
export function personBox(keypoints: readonly Keypoint[], minKeypointScore: number, image: Size, from?: PersonBox): Box {
  if (from) return from.box;
  const box = keypointBox(visible(keypoints, minKeypointScore)) ?? keypointBox(keypoints) as Box;
  const padX = (box.x2 - box.x1) * 0.1;
  const padY = (box.y2 - box.y1) * 0.1;
  return {
    x1: Math.max(0, box.x1 - padX),
    y1: Math.max(0, box.y1 - padY),
    x2: Math.min(image.width, box.x2 + padX),
    y2: Math.min(image.height, box.y2 + padY),
  };
}

/**
 * Whether two answers are the same person: most keypoints seen in both lie within a fifth of the person's size
 * (the longer side of the box of those keypoints) of each other.
 */
export function samePerson(a: readonly Keypoint[], b: readonly Keypoint[], minKeypointScore: number): boolean {
  const both = a.flatMap((k, i) => {
    const other = b[i];
    return other && k.score >= minKeypointScore && other.score >= minKeypointScore ? [[k, other] as const] : [];
  });
  if (both.length < MIN_VISIBLE_KEYPOINTS) return false;
  const box = keypointBox(both.flatMap(([p, q]) => [p, q])) as Box;
  const size = Math.max(box.x2 - box.x1, box.y2 - box.y1, 1);
  const near = both.filter(([p, q]) => Math.hypot(p.x - q.x, p.y - q.y) <= 0.2 * size).length;
  return near * 2 > both.length;
}

/** People scoring at least `minPersonScore`, best first, each person once, at most `maxPeople`. */
export function selectPeople(people: readonly Person[], options: { minPersonScore: number; maxPeople: number; minKeypointScore: number }): Person[] {
  const kept: Person[] = [];
  for (const p of [...people].sort((a, b) => b.score - a.score)) {
    if (p.score < options.minPersonScore || p.score === 0) continue;
    if (kept.some((k) => samePerson(k.keypoints, p.keypoints, options.minKeypointScore))) continue;
    kept.push(p);
    if (kept.length >= options.maxPeople) break;
  }
  return kept;
}

/** What the pose task asks of the detector: people only, a lower threshold than detect's (MoveNet's score decides). */
export const PEOPLE_QUERY = { threshold: 0.3, iou: undefined, max_detections: 20, classes: ['person'] };

/** The person boxes among a detector's detections (e.g. those /v1/analyze's detect task already found). */
export const personBoxes = (detections: readonly { label: string; score: number; box: Box }[]): PersonBox[] =>
  detections.filter((d) => d.label === 'person').map((d) => ({ box: d.box, score: d.score }));
