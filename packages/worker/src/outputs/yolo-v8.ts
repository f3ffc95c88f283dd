/** Ultralytics YOLOv8 / YOLO11 head: one float output [1, 4 + classes, anchors] (cx, cy, w, h in input pixels, then class scores). Decoded by detect/yolo-v8.ts. */
import { z } from 'zod';
import { outputKind } from './types';

export const schema = z.object({ kind: z.literal('yolo-v8'), name: z.string(), nms: z.boolean().default(true) });

export const yoloV8 = outputKind({
  kind: 'yolo-v8',
  task: 'detect',
  schema,
  tensors: (s) => [{ name: s.name, dtypes: ['float32'], shape: [1, -1, -1], classes: { axis: 1, offset: 4 } }],
});
