/**
 * Single-person keypoints: one float32 output [1, 1, 17, 3], per COCO keypoint in COCO order the triple (y, x, score),
 * y and x in 0..1 of the model input (MoveNet SinglePose). Decoded by pose/keypoints.ts.
 */
import { z } from 'zod';
import { outputKind } from './types';

export const schema = z.object({ kind: z.literal('keypoints'), name: z.string() });

export const keypoints = outputKind({
  kind: 'keypoints',
  task: 'pose',
  schema,
  tensors: (s) => [{ name: s.name, dtypes: ['float32'], shape: [1, 1, 17, 3] }],
});
