/**
 * DETR-style set prediction: `boxes` f32 [1, queries, 4] xyxy, `labels` int64/int32 [1, queries], `scores` f32
 * [1, queries]. `coordinates` says what the boxes are in: `image` (pixels of the size fed as `image_size`),
 * `input` (model input pixels) or `normalized` (0..1). One-to-one matching makes NMS unnecessary (`nms: false`).
 * Decoded by detect/detr-boxes.ts.
 */
import { z } from 'zod';
import { outputKind } from './types';

export const schema = z.object({
  kind: z.literal('detr-boxes'),
  boxes: z.string(),
  labels: z.string(),
  scores: z.string(),
  coordinates: z.enum(['image', 'input', 'normalized']),
  nms: z.boolean(),
});

export const detrBoxes = outputKind({
  kind: 'detr-boxes',
  task: 'detect',
  schema,
  tensors: (s) => [
    { name: s.labels, dtypes: ['int64', 'int32'], shape: [-1, -1] },
    { name: s.boxes, dtypes: ['float32'], shape: [-1, -1, 4] },
    { name: s.scores, dtypes: ['float32'], shape: [-1, -1] },
  ],
});
