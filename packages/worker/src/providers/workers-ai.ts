/**
 * A second kind of remote: Cloudflare Workers AI through the worker's `[ai]` binding, at the task level (Workers AI
 * takes the image and returns labels and boxes; there are no tensors to exchange). `@cf/microsoft/resnet-50`
 * classifies, `@cf/facebook/detr-resnet-50` detects; their answers are validated with zod and mapped into cvkit's
 * shapes. It cannot run offline: the tests drive it with a binding object.
 *
 * @example
 * const ai = createWorkersAiProvider({ ai: env.AI, imagenetLabels, cocoLabels });
 * const { predictions } = await ai.classify({ image: bytes, options: { top_k: 5 } });
 */
import { z } from 'zod';
import type { Box, Classification, Detection, ImageInfo, ModelInfo, Task } from '@cvkit/sdk/contract';
import { ApiError } from '../errors';
import { readHeader } from '../image/formats';
import { loadLabels } from '../models/labels';
import { type LabelSpec, labelSpec, manifest, type ModelSpec } from '../models/manifest';
import { abortError, UpstreamFailure } from '../runtimes/oip-v2/upstream-error';
import { type RemoteService, type RemoteServiceKind, remoteService } from './remote-service';
import type { VisionProvider } from './types';

/** The part of the `Ai` binding this provider uses. */
export interface AiBinding {
  run(model: string, inputs: { image: number[] }): Promise<unknown>;
}

export const WORKERS_AI_MODELS = { classify: '@cf/microsoft/resnet-50', detect: '@cf/facebook/detr-resnet-50' } as const;

const ClassifyOutput = z.array(z.object({ label: z.string(), score: z.number().min(0).max(1) }));
const DetectOutput = z.array(
  z.object({
    label: z.string(),
    score: z.number().min(0).max(1),
    box: z.object({ xmin: z.number(), ymin: z.number(), xmax: z.number(), ymax: z.number() }),
  }),
);

export interface WorkersAiOptions {
  ai: AiBinding;
  /** ImageNet synset lines ("tabby, tabby cat"), to give each label its index and synset; index -1 when not found. */
  imagenetLabels?: readonly string[];
  /** COCO label names, index for index. */
  cocoLabels?: readonly string[];
  /** The same two lists, read on first use instead (the worker reads them from the model pack). */
  labels?: () => Promise<{ imagenet: readonly string[]; coco: readonly string[] }>;
}

const catalogEntry = (id: string, task: Task, labels: string, input: number, provenance: string, accuracy: string): ModelSpec => ({
  id,
  task,
  source: 'builtin',
  default: false,
  license: 'Apache-2.0',
  provenance,
  accuracy,
  // Workers AI takes the image as it is; the input size is the network's, for decoding hints and GET /v1/models.
  input: { width: input, height: input, channels: 'RGB', resize: 'stretch', mean: [0, 0, 0], std: [1, 1, 1] },
  labels,
  where: 'gpu',
  prefer: 'gpu',
  artifacts: [],
});

/**
 * The Workers AI models cvkit serves when the worker has an `[ai]` binding, in the manifest's shape (no artifacts:
 * nothing is downloaded or run here). Their labels are mapped onto the pack's ImageNet and COCO lists.
 */
export const workersAiModels: readonly ModelSpec[] = [
  catalogEntry(WORKERS_AI_MODELS.classify, 'classify', 'imagenet_1001', 224, 'Cloudflare Workers AI (microsoft/resnet-50), run on Cloudflare\'s GPUs', 'ResNet-50 v1.5, ImageNet-1k (see the model card)'),
  catalogEntry(WORKERS_AI_MODELS.detect, 'detect', 'coco_80', 800, 'Cloudflare Workers AI (facebook/detr-resnet-50), run on Cloudflare\'s GPUs', '42.0 AP on COCO val2017 (DETR paper)'),
];

/** The ImageNet synset lines and COCO names of the model pack, for `labels` (read through the host's file reader). */
export async function packLabels(files: { read(file: string): Promise<Uint8Array> }): Promise<{ imagenet: string[]; coco: string[] }> {
  const read = (key: string) => loadLabels(manifest.labels[key] as LabelSpec, (f) => files.read(f));
  const [imagenet, coco] = await Promise.all([read('imagenet_1001'), read('coco_80')]);
  return { imagenet: imagenet.lines, coco: coco.lines };
}

export const isWorkersAiModel = (model: Pick<ModelSpec, 'id'>) => workersAiModels.some((m) => m.id === model.id);

/** GET /v1/models' entry for a Workers AI model. */
export function workersAiModelInfo(model: ModelSpec): ModelInfo {
  return {
    id: model.id,
    task: model.task,
    tier: 'workers-ai',
    tiers: ['workers-ai'],
    runtime: 'workers-ai',
    default: false,
    input: { width: model.input.width, height: model.input.height },
    labels: labelSpec(model).count,
    license: model.license,
    accuracy: model.accuracy,
    bytes: 0,
  };
}

export interface WorkersAiCall<Options> {
  image: Uint8Array;
  options: Options;
  signal?: AbortSignal;
}

export interface WorkersAiProvider {
  readonly specificationVersion: 'v1';
  readonly name: 'workers-ai';
  classify(call: WorkersAiCall<{ top_k: number }>): Promise<{ model: string; image: ImageInfo; predictions: Classification[] }>;
  detect(
    call: WorkersAiCall<{ threshold: number; max_detections: number; classes?: string[] | undefined }>,
  ): Promise<{ model: string; image: ImageInfo; detections: Detection[] }>;
}

const norm = (s: string) => s.trim().toLowerCase().replace(/[_\s]+/g, ' ');

export function createWorkersAiProvider({ ai, imagenetLabels = [], cocoLabels = [], labels }: WorkersAiOptions): WorkersAiProvider {
  type Indexed = { imagenetLabels: readonly string[]; cocoLabels: readonly string[]; imagenetIndex: Map<string, number>; cocoIndex: Map<string, number> };
  let ready: Indexed | undefined;
  /**
   * The label lists and their indices, built once. Only the finished value is shared: a request never awaits a read
   * another request started (workerd cancels such a wait), so requests that come before it is done each read.
   */
  async function indexed(): Promise<Indexed> {
    if (ready) return ready;
    const { imagenet, coco } = labels ? await labels() : { imagenet: imagenetLabels, coco: cocoLabels };
    // name -> index over every name of every synset line ("tabby, tabby cat" answers to both).
    const imagenetIndex = new Map<string, number>();
    imagenet.forEach((line, i) => {
      for (const name of line.split(',')) if (!imagenetIndex.has(norm(name))) imagenetIndex.set(norm(name), i);
    });
    ready ??= { imagenetLabels: imagenet, cocoLabels: coco, imagenetIndex, cocoIndex: new Map(coco.map((name, i) => [norm(name), i] as const)) };
    return ready;
  }

  async function run<T>(model: string, schema: z.ZodType<T>, image: Uint8Array, signal?: AbortSignal): Promise<{ info: ImageInfo; output: T }> {
    const header = readHeader(image);
    if ('error' in header) throw new ApiError(header.error === 'unsupported' ? 'unsupported_media_type' : 'invalid_image', `The image cannot be read: ${header.detail}.`);
    if (signal?.aborted) throw abortError();
    let raw: unknown;
    try {
      raw = await ai.run(model, { image: Array.from(image) });
    } catch (error) {
      const message = (error instanceof Error ? error.message : String(error)).replace(/[\u0000-\u001f]+/g, ' ').slice(0, 200);
      throw new UpstreamFailure('server', `Workers AI failed on ${model}: ${message}.`);
    }
    if (signal?.aborted) throw abortError();
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new UpstreamFailure('malformed', `Workers AI's answer from ${model} is not the documented shape (${parsed.error.issues[0]?.path.join('.') || 'root'}: ${parsed.error.issues[0]?.message}).`);
    return { info: { width: header.width, height: header.height }, output: parsed.data };
  }

  return {
    specificationVersion: 'v1',
    name: 'workers-ai',
    async classify({ image, options, signal }) {
      const model = WORKERS_AI_MODELS.classify;
      const { imagenetLabels, imagenetIndex } = await indexed();
      const { info, output } = await run(model, ClassifyOutput, image, signal);
      const predictions = output
        .slice()
        .sort((a, b) => b.score - a.score)
        .slice(0, options.top_k)
        .map(({ label, score }) => {
          const index = imagenetIndex.get(norm(label)) ?? -1;
          const synset = index >= 0 ? (imagenetLabels[index] as string) : label;
          return { label: index >= 0 ? (synset.split(',')[0] as string).trim() : label, index, score, synset };
        });
      return { model, image: info, predictions };
    },
    async detect({ image, options, signal }) {
      const model = WORKERS_AI_MODELS.detect;
      const { cocoLabels, cocoIndex } = await indexed();
      if (options.classes && cocoLabels.length > 0) {
        const unknown = options.classes.filter((c) => !cocoIndex.has(norm(c)));
        if (unknown.length > 0) {
          throw new ApiError('invalid_option', `Invalid options: classes: ${unknown.map((n) => `'${n}'`).join(', ')} not in the COCO labels.`, [
            { path: 'classes', message: `unknown label(s): ${unknown.join(', ')}` },
          ]);
        }
      }
      const wanted = options.classes ? new Set(options.classes.map(norm)) : undefined;
      const { info, output } = await run(model, DetectOutput, image, signal);
      const clip = (v: number, max: number) => Math.min(Math.max(v, 0), max);
      const detections = output
        .filter((d) => d.score >= options.threshold && (!wanted || wanted.has(norm(d.label))))
        .sort((a, b) => b.score - a.score)
        .slice(0, options.max_detections)
        .map(({ label, score, box: b }): Detection => {
          const box: Box = {
            x1: clip(Math.min(b.xmin, b.xmax), info.width),
            y1: clip(Math.min(b.ymin, b.ymax), info.height),
            x2: clip(Math.max(b.xmin, b.xmax), info.width),
            y2: clip(Math.max(b.ymin, b.ymax), info.height),
          };
          return {
            label,
            index: cocoIndex.get(norm(label)) ?? -1,
            score,
            box,
            box_normalized: { x1: box.x1 / info.width, y1: box.y1 / info.height, x2: box.x2 / info.width, y2: box.y2 / info.height },
          };
        });
      return { model, image: info, detections };
    },
  };
}

/** Workers AI as a task-level provider: cvkit's response shapes, timed as inference. */
function workersAiVision(ai: WorkersAiProvider): VisionProvider {
  return {
    specificationVersion: 'v1',
    tier: 'workers-ai',
    models: async () => workersAiModels.map(workersAiModelInfo),
    async run({ image, model, options, timer, signal }) {
      const abort = signal ? { signal } : {};
      switch (model.task) {
        case 'classify': {
          const r = await timer.measureAsync('inference', () => ai.classify({ image: image.bytes, options: options as { top_k: number }, ...abort }));
          return { model: workersAiModelInfo(model), image: r.image, predictions: r.predictions };
        }
        case 'detect': {
          const r = await timer.measureAsync('inference', () => ai.detect({ image: image.bytes, options: options as Parameters<WorkersAiProvider['detect']>[0]['options'], ...abort }));
          return { model: workersAiModelInfo(model), image: r.image, detections: r.detections };
        }
        default:
          throw new ApiError('model_not_found', `Workers AI has no ${model.task} model here.`);
      }
    },
  };
}

/** Workers AI as a configured remote service (the registry's entry below makes one from the `AI` binding). */
export const workersAiService = (ai: WorkersAiProvider, options: { timeoutMs?: number; now?: () => number } = {}): RemoteService =>
  remoteService({ name: 'Workers AI', tier: 'workers-ai', prefix: '@cf/', models: workersAiModels, provider: workersAiVision(ai), ...options });

export const workersAiKind: RemoteServiceKind = {
  prefix: '@cf/',
  tier: 'workers-ai',
  setup: "Workers AI models need the worker's [ai] binding (README, \"Workers AI\")",
  create: (env, files) => (env.AI ? workersAiService(createWorkersAiProvider({ ai: env.AI as AiBinding, labels: () => packLabels(files) })) : undefined),
};
