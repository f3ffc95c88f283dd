/**
 * Segmentation scores per pixel and class, [1,H,W,C] (NHWC) or [1,C,H,W] (NCHW); the class map is their argmax
 * over the class axis. H and W are read from the output tensor (they need not equal the input size).
 */
import { z } from 'zod';
import { outputKind } from './types';

export const schema = z.object({ kind: z.literal('logits'), name: z.string(), layout: z.enum(['NHWC', 'NCHW']) });

export const logits = outputKind({
  kind: 'logits',
  task: 'segment',
  schema,
  tensors: (s) => [{ name: s.name, dtypes: ['float32', 'uint8'], shape: [1, -1, -1, -1], classes: { axis: s.layout === 'NHWC' ? 3 : 1, offset: 0 } }],
});
