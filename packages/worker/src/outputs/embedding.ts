/**
 * One feature vector per image, [1, ..., D] (the MobileNet V1 extractor's pooled [1,1,1,1024]; uint8 is dequantised
 * first): an embedding, L2-normalised by embed/pipeline.ts.
 */
import { z } from 'zod';
import { outputKind } from './types';

export const schema = z.object({ kind: z.literal('embedding'), name: z.string() });

export const embedding = outputKind({
  kind: 'embedding',
  task: 'embed',
  schema,
  tensors: (s) => [{ name: s.name, dtypes: ['float32', 'uint8'], shape: [1, -1, -1, -1] }],
});
