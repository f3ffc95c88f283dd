/** Classification scores per label, [1, labels]; `softmax` when the model outputs logits. */
import { z } from 'zod';
import { outputKind } from './types';

export const schema = z.object({ kind: z.literal('probabilities'), name: z.string(), softmax: z.boolean().default(false) });

export const probabilities = outputKind({
  kind: 'probabilities',
  task: 'classify',
  schema,
  tensors: (s) => [{ name: s.name, dtypes: ['float32', 'uint8'], shape: [1, -1], classes: { axis: 1, offset: 0 } }],
});
