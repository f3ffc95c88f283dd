/**
 * The output-kind registry: every kind a manifest (or a user's catalog) may name. Adding one is its file in this
 * folder and a line in each list below (the schema list gives the manifest its typed union).
 */
import { z } from 'zod';
import type { Task } from '@cvkit/sdk/contract';
import { classMap, schema as classMapSchema } from './class-map';
import { detrBoxes, schema as detrBoxesSchema } from './detr-boxes';
import { embedding, schema as embeddingSchema } from './embedding';
import { keypoints, schema as keypointsSchema } from './keypoints';
import { logits, schema as logitsSchema } from './logits';
import { probabilities, schema as probabilitiesSchema } from './probabilities';
import type { OutputKind, TensorExpectation } from './types';
import { tfliteSsd, schema as tfliteSsdSchema } from './tflite-ssd';
import { yoloV8, schema as yoloV8Schema } from './yolo-v8';
import { yoloxGrid, schema as yoloxGridSchema } from './yolox-grid';

export type { OutputKind, TensorDtype, TensorExpectation } from './types';

export const OutputSpec = z.discriminatedUnion('kind', [probabilitiesSchema, yoloxGridSchema, detrBoxesSchema, logitsSchema, classMapSchema, embeddingSchema, yoloV8Schema, tfliteSsdSchema, keypointsSchema]);
export type OutputSpec = z.infer<typeof OutputSpec>;

const kinds: readonly OutputKind[] = [probabilities, yoloxGrid, detrBoxes, logits, classMap, embedding, yoloV8, tfliteSsd, keypoints];

/** The registered kind named `kind`, if any. */
export const outputKindOf = (kind: string): OutputKind | undefined => kinds.find((k) => k.kind === kind);

/** The kinds that answer `task`. */
export const kindsFor = (task: Task): string[] => kinds.filter((k) => k.task === task).map((k) => k.kind);

/** The output tensors a spec reads. */
export const expectedTensors = (spec: OutputSpec): TensorExpectation[] => outputKindOf(spec.kind)?.tensors(spec) ?? [];
