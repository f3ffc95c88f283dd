/**
 * The models this worker serves, as data. manifest.json gives each public model id its preprocessing (size, resize,
 * channel order, normalisation) and labels once, and one or more artifacts: the same network for a runtime (an
 * `.onnx` file for onnxruntime-web, a `.tflite` file for LiteRT.js, a model name on a remote server), each with its
 * tensor names, layout, dtype/quantisation, output kind, session options and measured memory. A host serves a model
 * with the first artifact whose runtime it has and whose file is installed (see ./artifacts.ts).
 *
 * The manifest is validated when this module is imported: an unknown runtime, an output kind that does not fit the
 * model's task, or a uint8 input whose quantisation differs from the model's normalisation fails at start-up, not as
 * a 500 on the first request.
 */
import { z } from 'zod';
import type { Task } from '@cvkit/sdk/contract';
import { Task as TaskSchema } from '@cvkit/sdk/contract';
import { ApiError } from '../errors';
import { kindsFor, OutputSpec } from '../outputs';
import manifestJson from './manifest.json';

/**
 * Every runtime an artifact may name, and where it runs: `local` runtimes hold wasm memory in the isolate and read
 * an installed file; `remote` ones are a network call. Adding a runtime is a module in runtimes/ plus a line here.
 */
export const RUNTIME_KINDS = { 'ort-web': 'local', litert: 'local', 'oip-v2': 'remote' } as const;
export type RuntimeName = keyof typeof RUNTIME_KINDS;
const RuntimeNameSchema = z.enum(Object.keys(RUNTIME_KINDS) as [RuntimeName, ...RuntimeName[]], {
  error: (issue) => `unknown runtime ${JSON.stringify(issue.input)}; known: ${Object.keys(RUNTIME_KINDS).join(', ')}`,
});

const Triple = z.tuple([z.number(), z.number(), z.number()]);

/** Preprocessing, shared by every artifact of a model: what the network expects, whatever runtime runs it. */
export const InputSpec = z.object({
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

/** Affine uint8 quantisation: real = (q - zero_point) * scale. */
export const Quantization = z.object({ scale: z.number().positive(), zero_point: z.number().int().min(0).max(255) });
export type Quantization = z.infer<typeof Quantization>;

/**
 * The image tensor of one artifact. `float32`: normalised values, (pixel - mean) / std. `uint8`: the raw pixel
 * bytes; the model's own input `quantization` must then equal the normalisation (checked at start-up).
 */
export const TensorInput = z.object({
  name: z.string(),
  layout: z.enum(['NCHW', 'NHWC']),
  dtype: z.enum(['float32', 'uint8']),
  quantization: Quantization.optional(),
});
export type TensorInput = z.infer<typeof TensorInput>;

export { OutputSpec };

/**
 * An extra model input besides the image tensor. `image_size`: int64 [1, 2] = [width, height] of the upright
 * image (DETR exports scale their normalized boxes by it, so the boxes come out in image pixels).
 */
export const FeedSpec = z.object({ name: z.string(), type: z.literal('int64'), value: z.enum(['image_size']) });
export type FeedSpec = z.infer<typeof FeedSpec>;

const ArtifactJson = z.object({
  runtime: RuntimeNameSchema,
  /** The file in the model pack; local runtimes only (a remote artifact names no file). */
  file: z.string().optional(),
  sha256: z.string().length(64).optional(),
  bytes: z.number().int().positive().optional(),
  /** The model's name on a remote server; default: the public model id. */
  remote_name: z.string().optional(),
  /**
   * Remote artifacts: how the server's graph differs from the edge file. `raw`: the same outputs; `argmax-in-graph`:
   * a class map instead of segmentation logits; `nms-in-graph`: final boxes instead of a raw detection grid.
   */
  form: z.enum(['raw', 'argmax-in-graph', 'nms-in-graph']).optional(),
  /** Remote artifacts: the pack file a GPU model repository is generated from (npm run gpu:repo); default: the ort-web artifact's file. */
  source: z.string().optional(),
  input: TensorInput,
  /** Extra inputs the artifact takes besides the image. */
  feeds: z.array(FeedSpec).default([]),
  output: OutputSpec,
  /** uint8 outputs and their quantisation: dequantised to float32 before the output kind decodes them. */
  dequantize: z.record(z.string(), Quantization).default({}),
  /**
   * onnxruntime-web session options. `graphOptimizationLevel` per model: 'basic' runs int8 QDQ graphs 20-30% faster
   * in wasm, but unfused (float between the QDQ pairs); 'all' fuses them into integer kernels, which answer as the
   * TFLite original does (MobileNetV2 bit for bit): the int8 MobileNets, whose LiteRT twin is served first, take
   * 'all' so that both runtimes give the same answers; the DeepLabs keep 'basic' (closer to the reference masks).
   */
  session: z.object({ graphOptimizationLevel: z.enum(['disabled', 'basic', 'extended', 'all']) }).optional(),
  /**
   * Wasm memory the loaded model adds to its runtime (weights, arena, activations), MiB, measured: LiteRT by
   * bench/model-memory.ts (per added instance), onnxruntime-web by bench/memory.ts (the model alone). The budget sums it.
   */
  memory_mb: z.number().min(0),
});

const ModelJson = z.object({
  id: z.string(),
  task: TaskSchema,
  /** `builtin`: this manifest; `catalog`: the user's catalog installed beside the model files (models/catalog.ts). */
  source: z.enum(['builtin', 'catalog']).default('builtin'),
  default: z.boolean(),
  license: z.string(),
  provenance: z.string(),
  accuracy: z.string(),
  input: InputSpec,
  labels: z.string(),
  /** Where the model may run: in the isolate (`edge`), on the remote GPU tier (`gpu`, an `oip-v2` artifact), or `both`. */
  where: z.enum(['edge', 'gpu', 'both']).default('edge'),
  /** The tier `tier=auto` tries first: the small defaults prefer the edge, heavier models the GPU. */
  prefer: z.enum(['edge', 'gpu']).default('edge'),
  /** For a GPU-only model: the edge model of the same task that answers when the GPU tier cannot. */
  substitute: z.string().optional(),
  artifacts: z.array(ArtifactJson).min(1),
});

const LabelSpec = z
  .object({
    /** A label file in the model pack, with its sha256; or `names` inline (keypoint names, or none for an embedder). */
    file: z.string().optional(),
    sha256: z.string().length(64).optional(),
    names: z.array(z.string()).optional(),
    /** synset: "name, other name, ..." per line, the first name is the label; plain: one label per line. */
    format: z.enum(['synset', 'plain']),
    count: z.number().int().min(0),
    /**
     * Display names for labels the file spells otherwise, file spelling -> name shown (VOC's "motorbike" ->
     * COCO's "motorcycle"), so that every task presents one spelling; the file's spelling stays an accepted alias.
     */
    display: z.record(z.string(), z.string()).default({}),
    /** Indices that are never a prediction: placeholders such as ImageNet's `background` (index 0 of 1001). */
    ignore: z.array(z.number().int().nonnegative()).default([]),
  })
  .refine((l) => (l.names ? l.file === undefined && l.names.length === l.count : l.file !== undefined && l.sha256 !== undefined), {
    message: 'a label list is a file with its sha256, or `names` inline (as many as `count`)',
  })
  .refine((s) => s.ignore.every((i) => i < s.count), { message: 'ignore: every index is below count' });
export type LabelSpec = z.infer<typeof LabelSpec>;

/** What is wrong with one artifact of `model`, if anything (beyond its JSON shape). */
function artifactProblems(model: z.infer<typeof ModelJson>, artifact: z.infer<typeof ArtifactJson>): string[] {
  const problems: string[] = [];
  const where = `${model.id} (${artifact.runtime})`;
  const kinds = kindsFor(model.task);
  if (!kinds.includes(artifact.output.kind)) {
    problems.push(`${where}: output kind '${artifact.output.kind}' cannot answer ${model.task}; use ${kinds.join(' or ')}`);
  }
  if (RUNTIME_KINDS[artifact.runtime] === 'local' && !(artifact.file && artifact.sha256 && artifact.bytes)) {
    problems.push(`${where}: a local runtime's artifact names its file, sha256 and bytes`);
  }
  const q = artifact.input.quantization;
  if (artifact.input.dtype === 'uint8') {
    // Raw bytes go in; the model's quantisation must do exactly the manifest's normalisation.
    const same = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
    if (!q) problems.push(`${where}: a uint8 input states its quantization`);
    else if (!model.input.mean.every((m, c) => same(m, q.zero_point) && same(model.input.std[c] as number, 1 / q.scale))) {
      problems.push(`${where}: uint8 input quantization (scale ${q.scale}, zero point ${q.zero_point}) differs from the model's mean/std`);
    }
  }
  if (artifact.output.kind === 'detr-boxes' && artifact.output.coordinates === 'image' && !artifact.feeds.some((f) => f.value === 'image_size')) {
    problems.push(`${where}: a detr-boxes output in image coordinates needs the image_size feed`);
  }
  return problems;
}

/** What is wrong with where a model may run: its tiers, its remote artifact, its substitute. */
function placementProblems(model: z.infer<typeof ModelJson>, models: z.infer<typeof ModelJson>[]): string[] {
  const problems: string[] = [];
  const remote = model.artifacts.filter((a) => RUNTIME_KINDS[a.runtime] === 'remote');
  const local = model.artifacts.filter((a) => RUNTIME_KINDS[a.runtime] === 'local');
  if (model.where !== 'edge' && remote.length === 0) problems.push(`${model.id}: runs on the GPU (where: ${model.where}) but has no oip-v2 artifact`);
  if (model.where === 'edge' && remote.length > 0) problems.push(`${model.id}: has an oip-v2 artifact but runs on the edge only (where: edge)`);
  if (model.where !== 'gpu' && local.length === 0) problems.push(`${model.id}: runs on the edge (where: ${model.where}) but has no local artifact`);
  if (model.where === 'edge' && model.prefer === 'gpu') problems.push(`${model.id}: prefers the GPU but runs on the edge only`);
  if (model.where === 'gpu' && model.prefer === 'edge') problems.push(`${model.id}: prefers the edge but runs on the GPU only`);
  for (const a of remote) if (!a.form) problems.push(`${model.id} (${a.runtime}): a remote artifact says its form (raw, argmax-in-graph, nms-in-graph)`);
  if (model.substitute !== undefined) {
    const sub = models.find((x) => x.id === model.substitute);
    if (model.where !== 'gpu') problems.push(`${model.id}: only a GPU-only model names a substitute`);
    if (!sub || sub.task !== model.task) problems.push(`${model.id}: substitute '${model.substitute}' is not a ${model.task} model`);
    else if (sub.where === 'gpu') problems.push(`${model.id}: substitute '${sub.id}' must run on the edge`);
  }
  return problems;
}

const Manifest = z
  .object({ labels: z.record(z.string(), LabelSpec), models: z.array(ModelJson) })
  .superRefine((m, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
    for (const model of m.models) {
      if (!(model.labels in m.labels)) fail(`${model.id}: label list '${model.labels}' is not in \`labels\``);
      for (const artifact of model.artifacts) for (const p of artifactProblems(model, artifact)) fail(p);
      for (const p of placementProblems(model, m.models)) fail(p);
    }
    for (const task of TaskSchema.options) {
      if (m.models.filter((x) => x.task === task && x.default).length > 1) fail(`more than one default ${task} model`);
    }
    const ids = m.models.map((x) => x.id);
    if (new Set(ids).size !== ids.length) fail('model ids are not unique');
  })
  .transform((m) => ({
    labels: m.labels,
    models: m.models.map((model) => ({
      ...model,
      artifacts: model.artifacts.map((a) => ({ ...a, model: model.id, key: `${model.id}@${a.runtime}` })),
    })),
  }));

export type ManifestData = z.output<typeof Manifest>;
export type ModelSpec = ManifestData['models'][number];
/** One artifact of a model, with the model's id and a key unique in the manifest (`<model id>@<runtime>`). */
export type ArtifactSpec = ModelSpec['artifacts'][number];

/** Parses and checks a manifest; throws one error listing every problem. */
export function parseManifest(json: unknown): ManifestData {
  const result = Manifest.safeParse(json);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
  throw new Error(`invalid model manifest:\n  ${lines.join('\n  ')}`);
}

/** The built-in manifest, as shipped. */
export const builtinManifest = manifestJson;

/**
 * The models served: the built-in manifest, and once models/catalog.ts has read the user's catalog, the two merged.
 * A live binding: importers always see the current catalog.
 */
export let manifest = parseManifest(manifestJson);

/** Replaces the served catalog (models/catalog.ts, once per isolate). */
export function useManifest(next: ManifestData): void {
  manifest = next;
}

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

export function labelSpec(model: Pick<ModelSpec, 'labels'>): LabelSpec {
  return manifest.labels[model.labels] as LabelSpec;
}
