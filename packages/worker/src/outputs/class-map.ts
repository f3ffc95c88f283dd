/** Segmentation with the argmax built in: a [1,H,W] int64/int32 map of class indices. */
import { z } from 'zod';
import { outputKind } from './types';

export const schema = z.object({ kind: z.literal('class-map'), name: z.string() });

export const classMap = outputKind({
  kind: 'class-map',
  task: 'segment',
  schema,
  tensors: (s) => [{ name: s.name, dtypes: ['int64', 'int32'], shape: [1, -1, -1] }],
});
