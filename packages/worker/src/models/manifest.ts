/**
 * The models this worker serves, as data: manifest.json describes each model's file, input and output, and one
 * generic pipeline reads it. Adding a model is adding an entry, not code.
 */
import { z } from 'zod';
import type { ModelInfo, Task } from '@cvkit/sdk/contract';
import { Task as TaskSchema } from '@cvkit/sdk/contract';
import { ApiError } from '../errors';
import manifestJson from './manifest.json';

const Triple = z.tuple([z.number(), z.number(), z.number()]);

export const InputSpec = z.object({
  name: z.string(),
  layout: z.enum(['NCHW', 'NHWC']),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  channels: z.enum(['RGB', 'BGR']),
  /** stretch: resize to width x height; letterbox: keep aspect, top-left, pad the rest with `pad`. */
  resize: z.enum(['stretch', 'letterbox']),
  pad: z.number().optional(),
  /** value = (pixel - mean[c]) / std[c], pixels in 0..255. */
  mean: Triple,
  std: Triple,
});
export type InputSpec = z.infer<typeof InputSpec>;

export const OutputSpec = z.discriminatedUnion('kind', [
  /** Classification scores per label; `softmax` when the model outputs logits. */
  z.object({ kind: z.literal('probabilities'), name: z.string(), softmax: z.boolean().default(false) }),
  /**
   * YOLOX head: one float output [1, anchors, 5 + classes], per anchor (x, y, w, h) raw, objectness, class scores
   * (both already sigmoid). Anchors run over each stride's grid (input size / stride) row by row, strides in order:
   * cx = (x + gx) * s, cy = (y + gy) * s, w = exp(w) * s, h = exp(h) * s in input pixels; score = objectness * class.
   * `nms`: the candidates overlap and need non-maximum suppression.
   */
  z.object({
    kind: z.literal('yolox-grid'),
    name: z.string(),
    strides: z.array(z.number().int().positive()).min(1),
    nms: z.boolean(),
  }),
  /**
   * DETR-style set prediction: `boxes` f32 [1, queries, 4] xyxy, `labels` int64 [1, queries], `scores` f32
   * [1, queries]. `coordinates` says what the boxes are in: `image` (pixels of the size fed as `image_size`),
   * `input` (model input pixels) or `normalized` (0..1). One-to-one matching makes NMS unnecessary (`nms: false`).
   */
  z.object({
    kind: z.literal('detr-boxes'),
    boxes: z.string(),
    labels: z.string(),
    scores: z.string(),
    coordinates: z.enum(['image', 'input', 'normalized']),
    nms: z.boolean(),
  }),
  /**
   * Segmentation scores per pixel and class, [1,H,W,C] (NHWC) or [1,C,H,W] (NCHW); the class map is their argmax
   * over the class axis. H and W are read from the output tensor (they need not equal the input size).
   */
  z.object({ kind: z.literal('logits'), name: z.string(), layout: z.enum(['NHWC', 'NCHW']) }),
  /** Segmentation with the argmax built in: a [1,H,W] (or [H,W]) int64/int32 map of class indices. */
  z.object({ kind: z.literal('class-map'), name: z.string() }),
]);
export type OutputSpec = z.infer<typeof OutputSpec>;

/**
 * An extra model input besides the image tensor. `image_size`: int64 [1, 2] = [width, height] of the upright
 * image (DETR exports scale their normalized boxes by it, so the boxes come out in image pixels).
 */
export const FeedSpec = z.object({ name: z.string(), type: z.literal('int64'), value: z.enum(['image_size']) });
export type FeedSpec = z.infer<typeof FeedSpec>;

const ModelSpec = z.object({
  id: z.string(),
  task: TaskSchema,
  default: z.boolean(),
  file: z.string(),
  sha256: z.string().length(64),
  bytes: z.number().int(),
  license: z.string(),
  provenance: z.string(),
  accuracy: z.string(),
  input: InputSpec,
  /** Extra inputs the model takes besides the image. */
  feeds: z.array(FeedSpec).default([]),
  output: OutputSpec,
  labels: z.string(),
  session: z.object({ graphOptimizationLevel: z.enum(['disabled', 'basic', 'extended', 'all']) }),
  /** ORT wasm memory the model needs resident (weights, arena, activations), MiB: bench/memory.ts measures it. */
  memory_mb: z.number().positive(),
});
export type ModelSpec = z.infer<typeof ModelSpec>;

const LabelSpec = z.object({
  file: z.string(),
  sha256: z.string().length(64),
  /** synset: "name, other name, ..." per line, the first name is the label; plain: one label per line. */
  format: z.enum(['synset', 'plain']),
  count: z.number().int().positive(),
});
export type LabelSpec = z.infer<typeof LabelSpec>;

const Manifest = z
  .object({ labels: z.record(z.string(), LabelSpec), models: z.array(ModelSpec) })
  .refine((m) => m.models.every((model) => model.labels in m.labels), 'every model names a label list in `labels`')
  .refine(
    (m) => TaskSchema.options.every((task) => m.models.filter((x) => x.task === task && x.default).length <= 1),
    'at most one default model per task',
  )
  .refine(
    (m) => m.models.every((x) => x.output.kind !== 'detr-boxes' || x.output.coordinates !== 'image' || x.feeds.some((f) => f.value === 'image_size')),
    'a detr-boxes model with boxes in image coordinates feeds the image size',
  );

export const manifest = Manifest.parse(manifestJson);

/** The model for a task: `id` when given, else the task's default. Throws model_not_found (404). */
export function findModel(task: Task, id: string | undefined): ModelSpec {
  const model = id === undefined ? manifest.models.find((m) => m.task === task && m.default) : manifest.models.find((m) => m.id === id);
  if (!model) {
    const ids = manifest.models.filter((m) => m.task === task).map((m) => m.id);
    throw new ApiError('model_not_found', `No ${task} model '${id ?? '(default)'}'. Available: ${ids.join(', ')}.`);
  }
  if (model.task !== task) {
    throw new ApiError('model_not_found', `Model '${model.id}' is a ${model.task} model, not a ${task} model; use /v1/${model.task}.`);
  }
  return model;
}

export function labelSpec(model: ModelSpec): LabelSpec {
  return manifest.labels[model.labels] as LabelSpec;
}

/** The model as the API describes it: `tier` is where it ran (or runs now), `tiers` where it may run. */
export function modelInfo(model: ModelSpec, where: Pick<ModelInfo, 'tier' | 'tiers'> = { tier: 'edge', tiers: ['edge'] }): ModelInfo {
  return {
    id: model.id,
    task: model.task,
    tier: where.tier,
    tiers: where.tiers,
    default: model.default,
    input: { width: model.input.width, height: model.input.height },
    labels: labelSpec(model).count,
    license: model.license,
    accuracy: model.accuracy,
    bytes: model.bytes,
  };
}
