/**
 * YOLOX head: one float output [1, anchors, 5 + classes], per anchor (x, y, w, h) raw, objectness, class scores
 * (both already sigmoid). Anchors run over each stride's grid (input size / stride) row by row, strides in order:
 * cx = (x + gx) * s, cy = (y + gy) * s, w = exp(w) * s, h = exp(h) * s in input pixels; score = objectness * class.
 * `nms`: the candidates overlap and need non-maximum suppression. Decoded by detect/yolox-grid.ts.
 */
import { z } from 'zod';
import { outputKind } from './types';

export const schema = z.object({
  kind: z.literal('yolox-grid'),
  name: z.string(),
  strides: z.array(z.number().int().positive()).min(1),
  nms: z.boolean(),
});

export const yoloxGrid = outputKind({
  kind: 'yolox-grid',
  task: 'detect',
  schema,
  tensors: (s) => [{ name: s.name, dtypes: ['float32'], shape: [1, -1, -1], classes: { axis: 2, offset: 5 } }],
});
