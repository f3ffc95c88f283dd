/** TFLite_Detection_PostProcess: boxes [1, N, 4] (ymin, xmin, ymax, xmax, 0..1 of the input), classes [1, N], scores [1, N], count [1]. Decoded by detect/tflite-ssd.ts. */
import { z } from 'zod';
import { outputKind } from './types';

export const schema = z.object({ kind: z.literal('tflite-ssd'), boxes: z.string(), classes: z.string(), scores: z.string(), count: z.string(), nms: z.boolean().default(false) });

export const tfliteSsd = outputKind({
  kind: 'tflite-ssd',
  task: 'detect',
  schema,
  tensors: (s) => [
    { name: s.boxes, dtypes: ['float32'], shape: [1, -1, 4] },
    { name: s.classes, dtypes: ['float32'], shape: [1, -1] },
    { name: s.scores, dtypes: ['float32'], shape: [1, -1] },
    { name: s.count, dtypes: ['float32'], shape: [1] },
  ],
});
