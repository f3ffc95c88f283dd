/**
 * MoveNet SinglePose's output read as keypoints: a float32 [1, 1, 17, 3] tensor, per COCO keypoint (in COCO order)
 * the triple (y, x, score), y and x in 0..1 of the square the model saw. Mapped back through that square into the
 * upright photo's pixels, clipped to the photo, and named as COCO names them.
 */
import { type Keypoint, POSE_KEYPOINTS } from '@cvkit/sdk/contract';
import type { Box, Size } from '../detect/boxes';
import type { Square } from './crop';

export const KEYPOINT_COUNT = POSE_KEYPOINTS.length;

/** Whether a tensor's dims are MoveNet SinglePose's [1, 1, 17, 3] (or any leading 1s before [17, 3]). */
export const isKeypointOutput = (dims: readonly number[]): boolean =>
  dims.length >= 2 && dims.at(-1) === 3 && dims.at(-2) === KEYPOINT_COUNT && dims.slice(0, -2).every((d) => d === 1);

/** The 17 keypoints in the photo's pixels: (y, x, score) triples in 0..1 of `square`, which is in photo pixels. */
export function toKeypoints(data: Float32Array, square: Square, image: Size): Keypoint[] {
  if (data.length !== KEYPOINT_COUNT * 3) throw new Error(`a keypoint output has ${KEYPOINT_COUNT * 3} values, not ${data.length}`);
  const clip = (v: number, max: number) => Math.min(max, Math.max(0, v));
  return POSE_KEYPOINTS.map((name, k) => ({
    name,
    x: clip(square.x + (data[k * 3 + 1] as number) * square.size, image.width),
    y: clip(square.y + (data[k * 3] as number) * square.size, image.height),
    score: data[k * 3 + 2] as number,
  }));
}

/** The keypoints scoring at least `minScore`. */
export const visible = (keypoints: readonly Keypoint[], minScore: number): Keypoint[] => keypoints.filter((k) => k.score >= minScore);

/** The bounding box of the given keypoints; undefined when there are none. */
export function keypointBox(keypoints: readonly Keypoint[]): Box | undefined {
  if (keypoints.length === 0) return undefined;
  const xs = keypoints.map((k) => k.x);
  const ys = keypoints.map((k) => k.y);
  return { x1: Math.min(...xs), y1: Math.min(...ys), x2: Math.max(...xs), y2: Math.max(...ys) };
}
