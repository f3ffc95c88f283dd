/**
 * The cvkit HTTP API contract: zod schemas for every request option and response body, and the types inferred
 * from them. The worker validates and shapes its responses with these schemas; the SDK imports only the types
 * (`import type`), so no zod reaches a client bundle. Field names are the wire's (snake_case) everywhere.
 */
import { z } from 'zod';

// One "did you mean" rule for the API's unknown options and the CLI's flags (the worker imports only the contract).
export { closest } from './cli/suggest';

/** Tasks the API answers. */
export const Task = z.enum(['classify', 'detect', 'segment', 'embed', 'pose']);
export type Task = z.infer<typeof Task>;

/**
 * Where a model runs: inside the worker isolate (`edge`), on the remote GPU tier (`gpu`, Open Inference Protocol v2),
 * or on Cloudflare Workers AI (`workers-ai`, its own `@cf/...` models, when the worker has an `[ai]` binding).
 */
export const Tier = z.enum(['edge', 'gpu', 'workers-ai']);
export type Tier = z.infer<typeof Tier>;

/** Which tier a request asks for: `auto` follows the model's preference and falls back to the other tier. */
export const TierOption = z.enum(['edge', 'gpu', 'auto']);
export type TierOption = z.infer<typeof TierOption>;

/** Set when the request ran on another tier than the one tried first. */
export const Fallback = z.object({
  /** The tier that was tried first and could not answer. */
  from: Tier,
  /** Its error code: `upstream_error`, `upstream_unavailable` (also: breaker open, no GPU configured), `timeout`; `overloaded` when a full isolate spilled to the GPU tier. */
  reason: z.string(),
  message: z.string(),
  /** For a GPU-only model answered by its edge substitute: the model that was asked for. */
  substitute_for: z.string().optional(),
});
export type Fallback = z.infer<typeof Fallback>;

// Query strings and multipart fields arrive as strings; JSON bodies as numbers. Accept both, strictly.
const numberish = z.union([z.number(), z.string().trim().regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/).transform(Number)]);
const integerIn = (min: number, max: number) => numberish.pipe(z.number().int().min(min).max(max));

/** Booleans that may arrive as strings: true/false/1/0. */
export const booleanish = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);

/** Options shared by every task. */
const CommonOptions = z.strictObject({
  /** Model id from `GET /v1/models`; the task's default model when absent. */
  model: z.string().min(1).max(128).optional().meta({ description: "Model id from `GET /v1/models`; the task's default model when absent." }),
  /** `edge`, `gpu` or `auto` (default): see the README's GPU tier section. */
  tier: TierOption.default('auto').meta({ description: 'Where to run: `edge` (in the worker), `gpu` (the remote GPU tier, never falls back) or `auto` (default: the model\'s preferred tier, falling back to the other).' }),
  /** `false`: compute the answer afresh and keep it out of the result cache (README: Result cache). */
  cache: booleanish.default(true).meta({ description: 'Answer from the result cache when the same image, model and options were answered before (`cvkit-cache: hit`); `false` computes afresh and stores nothing. `Cache-Control: no-cache` does the same.' }),
});

/** Numbers that may arrive as strings (query string, multipart fields). */
export const numberIn = (min: number, max: number) => numberish.pipe(z.number().min(min).max(max));
export { integerIn };

export const ClassifyOptions = CommonOptions.extend({
  /** How many predictions to return, best first. */
  top_k: integerIn(1, 100).default(5).meta({ description: 'How many predictions to return, best first.' }),
});
export type ClassifyOptions = z.input<typeof ClassifyOptions>;

/**
 * Splits list items on commas: a list option may come as a JSON array, one comma-separated string, or the option
 * repeated (`?classes=cup&classes=spoon`, two form fields), and any mix of these.
 */
const splitList = (v: string | string[]) => (typeof v === 'string' ? [v] : v).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');

/** Label names (`classes`): a JSON array, one comma-separated string, or the option repeated. */
const labelList = z
  .union([z.string(), z.array(z.string())])
  .transform(splitList)
  .pipe(z.array(z.string().max(64)).min(1, 'name at least one label').max(256));

export const DetectOptions = CommonOptions.extend({
  /** Keep detections scoring at least this (0..1). */
  threshold: numberIn(0, 1).default(0.5).meta({ description: 'Keep detections scoring at least this (0..1).' }),
  /**
   * Non-maximum suppression: drop a box overlapping a better box of the same class with IoU above this. Default
   * 0.45 for models whose raw output needs NMS (YOLOX); DETR-style models need none, and get it only when asked.
   */
  iou: numberIn(0, 1)
    .optional()
    .meta({ description: 'Non-maximum suppression IoU: drop a box overlapping a better box of the same class above this. Default 0.45 for models whose output needs NMS (YOLOX); none for DETR-style models unless asked.' }),
  /**
   * One label per object (default): a box of another label overlapping a better box almost exactly (IoU > 0.7) is
   * the same object, reported once with the best label and the others in `alternatives`. `false` keeps every label.
   */
  class_agnostic: booleanish
    .default(true)
    .meta({ description: 'One label per object (default `true`): boxes of different labels overlapping almost exactly (IoU > 0.7) are one object, reported with its best label and the runners-up in `alternatives`. `false` keeps every label as its own detection.' }),
  /** Sliced inference for small objects: the whole image plus overlapping tiles at the model's input size, merged by NMS. */
  tiles: booleanish
    .default(false)
    .meta({ description: 'Sliced inference for small objects: the whole image plus overlapping tiles at the model\'s input size (20% overlap), each detected at full resolution and merged by NMS. Finds more small objects in large photos, at one inference per tile (see docs/detect.md).' }),
  /** At most this many detections, best first. */
  max_detections: integerIn(1, 1000).default(100).meta({ description: 'At most this many detections, best first.' }),
  /** Only these labels (names from the model's label list, e.g. "person,dog"); unknown names are an error. */
  classes: labelList
    .optional()
    .meta({ description: 'Only these labels (e.g. `person,dog`): a list, a comma-separated string, or the option repeated. Unknown names are an error.' }),
  /** Add the annotated image to the JSON response as a data URL. */
  annotate: booleanish.default(false).meta({ description: 'Add the annotated image to the JSON response as a data URL (`annotated_image`).' }),
  /** `image`: answer with the annotated image itself (PNG or JPEG, see `Accept`) instead of JSON. */
  format: z
    .enum(['json', 'image'])
    .optional()
    .meta({ description: '`image`: answer with the annotated picture (PNG, or JPEG for a JPEG photo; `Accept: image/png|image/jpeg` picks) instead of JSON. `Accept: image/png` or `image/jpeg` alone also answers with the picture.' }),
  /** Draw a legend of the classes present (colour, name, count) in a corner of the annotated image. */
  legend: booleanish.default(false).meta({ description: 'Draw a legend of the classes present (colour, name, count) in a corner of the annotated picture.' }),
});
export type DetectOptions = z.input<typeof DetectOptions>;

/** Public description of a served model. */
export const ModelInfo = z.object({
  id: z.string(),
  task: Task,
  /** In a task response: the tier that ran it. In `GET /v1/models`: the tier `auto` runs it on now. */
  tier: Tier,
  /** Every tier the model may run on here (`gpu` only while a GPU tier is configured). */
  tiers: z.array(Tier),
  /** The runtime that runs it on this server, e.g. "litert" (LiteRT.js) or "ort-web" (onnxruntime-web). */
  runtime: z.string(),
  default: z.boolean(),
  input: z.object({ width: z.number().int(), height: z.number().int() }),
  labels: z.number().int(),
  license: z.string(),
  accuracy: z.string(),
  bytes: z.number().int(),
  /** `builtin`: one of cvkit's models; `catalog`: a model from this deployment's own catalog (docs/models.md). */
  source: z.enum(['builtin', 'catalog']).optional(),
});
export type ModelInfo = z.infer<typeof ModelInfo>;

export const ModelList = z.object({ models: z.array(ModelInfo) });
export type ModelList = z.infer<typeof ModelList>;

/** Size of the image as a person sees it (EXIF orientation applied). */
export const ImageInfo = z.object({ width: z.number().int(), height: z.number().int() });
export type ImageInfo = z.infer<typeof ImageInfo>;

/** Milliseconds spent in each stage of the request, measured inside the worker. */
export const Timings = z.object({
  decode_ms: z.number(),
  preprocess_ms: z.number(),
  inference_ms: z.number(),
  postprocess_ms: z.number(),
  /** Encoding outputs: masks, annotated images. */
  encode_ms: z.number(),
  total_ms: z.number(),
});
export type Timings = z.infer<typeof Timings>;

export const Classification = z.object({
  /** Human-readable class name: the first name of the synset, e.g. "Egyptian cat". */
  label: z.string(),
  /** Index into the model's label list. */
  index: z.number().int(),
  /** Probability in 0..1. */
  score: z.number(),
  /** The full synset line, e.g. "hotdog, hot dog, red hot". */
  synset: z.string(),
});
export type Classification = z.infer<typeof Classification>;

export const ClassifyResponse = z.object({
  task: z.literal('classify'),
  model: ModelInfo,
  image: ImageInfo,
  predictions: z.array(Classification),
  fallback: Fallback.optional(),
  timings: Timings,
});
export type ClassifyResponse = z.infer<typeof ClassifyResponse>;

/** Box corners (x1, y1) top-left, (x2, y2) bottom-right. */
export const Box = z.object({ x1: z.number(), y1: z.number(), x2: z.number(), y2: z.number() });
export type Box = z.infer<typeof Box>;

export const Detection = z.object({
  /** Class name from the model's label list, e.g. "dog". */
  label: z.string(),
  /** Index into the model's label list. */
  index: z.number().int(),
  /** Confidence in 0..1. */
  score: z.number(),
  /** In pixels of the upright image (EXIF orientation applied), clipped to it. */
  box: Box,
  /** The same box as fractions (0..1) of the image width and height. */
  box_normalized: Box,
  /** With `class_agnostic` (the default): other labels the model gave the same object, best first (at most 3). */
  alternatives: z.array(z.object({ label: z.string(), index: z.number().int(), score: z.number() })).optional(),
});
export type Detection = z.infer<typeof Detection>;

export const DetectResponse = z.object({
  task: z.literal('detect'),
  model: ModelInfo,
  image: ImageInfo,
  /** Sorted by score, best first. */
  detections: z.array(Detection),
  /** How many detections of each label, e.g. `{"person": 3, "kite": 2}`. */
  counts: z.record(z.string(), z.number().int()),
  /** With `annotate=true`: the photo with the boxes drawn, as a data: URL (JPEG for JPEG input, else PNG). */
  annotated_image: z.string().optional(),
  fallback: Fallback.optional(),
  timings: Timings,
});
export type DetectResponse = z.infer<typeof DetectResponse>;
export const SegmentOptions = CommonOptions.extend({
  /**
   * How `format=json` returns the class map: `png` (a data: URL of a single-channel 8-bit PNG whose pixel values are
   * class indices), `rle` (COCO run-length encoding per class, column-major) or `none` (segments only).
   */
  mask: z
    .enum(['png', 'rle', 'none'])
    .default('png')
    .meta({ description: 'How JSON answers carry the class map: `png` (data URL of a grayscale PNG, pixel = class index), `rle` (COCO run-length per class, column-major) or `none`.' }),
  /** Only report and encode these classes (label names, e.g. "person,dog"); other pixels read 255 in the masks. */
  classes: labelList
    .optional()
    .meta({ description: 'Only report and encode these classes (e.g. `person,dog`; VOC spellings such as `motorbike` are accepted aliases); other pixels read 255.' }),
  /**
   * `json` (default, unless `Accept` asks for a picture); `image`: the photo with the colour mask blended over it
   * (PNG, or JPEG with `Accept: image/jpeg`); `mask`: the colour mask alone (an indexed PNG); `cutout`: the photo as
   * an RGBA PNG with everything but the kept classes (`classes`, default every class but background) transparent.
   */
  format: z
    .enum(['json', 'image', 'mask', 'cutout'])
    .optional()
    .meta({ description: '`json` (default); `image`: the photo with the colour mask blended over it (PNG, or JPEG with `Accept: image/jpeg`); `mask`: the colour mask alone (indexed PNG); `cutout`: the photo as a PNG with the background transparent, keeping `classes` (default: every class but background). `Accept: image/png` or `image/jpeg` alone answers with the overlay.' }),
  /** Draw a legend of the classes present (colour, name, share of the image) on the overlay (format=image). */
  legend: booleanish.default(false).meta({ description: 'Draw a legend of the classes present (colour, name, share of the image) on the overlay picture.' }),
});
export type SegmentOptions = z.input<typeof SegmentOptions>;

/** Pixel-edge coordinates: pixel (x, y) spans [x, x+1) x [y, y+1), so x2 - x1 is the width in pixels. */
export const PixelBox = z.object({ x1: z.number().int(), y1: z.number().int(), x2: z.number().int(), y2: z.number().int() });
export type PixelBox = z.infer<typeof PixelBox>;

/** One class present in the image. */
export const Segment = z.object({
  label: z.string(),
  /** Class index: the pixel value in the PNG mask. */
  index: z.number().int(),
  pixels: z.number().int(),
  /** Share of the image's pixels, 0..1. */
  fraction: z.number(),
  box: PixelBox,
  /** The class's colour in format=image and format=mask (the standard PASCAL VOC palette), CSS hex. */
  color: z.string(),
});
export type Segment = z.infer<typeof Segment>;

/** COCO uncompressed RLE of one class: pycocotools.mask.frPyObjects(rle, height, width) reads it. */
export const ClassRle = z.object({
  index: z.number().int(),
  label: z.string(),
  /** [height, width], COCO's order. */
  size: z.tuple([z.number().int(), z.number().int()]),
  /** Alternating runs of "not this class" and "this class", column-major, starting with the former; sum = height * width. */
  counts: z.array(z.number().int()),
});
export type ClassRle = z.infer<typeof ClassRle>;

export const SegmentMask = z.discriminatedUnion('encoding', [
  z.object({
    encoding: z.literal('png'),
    width: z.number().int(),
    height: z.number().int(),
    /** data:image/png;base64,... of a grayscale PNG: pixel value = class index, 255 = class not requested. */
    data_url: z.string(),
  }),
  z.object({
    encoding: z.literal('rle'),
    width: z.number().int(),
    height: z.number().int(),
    order: z.literal('column-major'),
    /** One per reported segment, in the same order. */
    masks: z.array(ClassRle),
  }),
  z.object({ encoding: z.literal('none') }),
]);
export type SegmentMask = z.infer<typeof SegmentMask>;

export const SegmentResponse = z.object({
  task: z.literal('segment'),
  model: ModelInfo,
  image: ImageInfo,
  /** One per class present (and requested), largest first; background included. */
  segments: z.array(Segment),
  mask: SegmentMask,
  fallback: Fallback.optional(),
  timings: Timings,
});
export type SegmentResponse = z.infer<typeof SegmentResponse>;

/** Machine-readable error codes; each maps to exactly one HTTP status (see `ErrorStatus`). */
export const ErrorCode = z.enum([
  'invalid_request',
  'invalid_json',
  'invalid_option',
  'unauthorized',
  'model_not_found',
  'not_found',
  'method_not_allowed',
  'payload_too_large',
  'unsupported_media_type',
  'invalid_image',
  'image_too_large',
  'fetch_failed',
  'request_timeout',
  'rate_limited',
  'overloaded',
  'internal_error',
  'upstream_error',
  'upstream_unavailable',
  'timeout',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorStatus: Record<ErrorCode, number> = {
  invalid_request: 400,
  invalid_json: 400,
  invalid_option: 400,
  unauthorized: 401,
  model_not_found: 404,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
  invalid_image: 422,
  image_too_large: 422,
  fetch_failed: 422,
  request_timeout: 408,
  rate_limited: 429,
  overloaded: 503,
  internal_error: 500,
  upstream_error: 502,
  upstream_unavailable: 503,
  timeout: 504,
};

export const ErrorBody = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    request_id: z.string(),
    retryable: z.boolean(),
    /** For invalid options: which option and why. */
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/**
 * `GET /health`. With API keys configured, a request without a valid key gets the bare liveness answer
 * `{ status: 'ok' }`; details (version, isolate) need the key. Without keys, everyone gets the details.
 */
export const Health = z.object({
  status: z.literal('ok'),
  version: z.string().optional(),
  /** Identifies the isolate that answered: it changes when an isolate restarts. */
  isolate: z.string().optional(),
  /** The GPU tier as this isolate sees it (with the key, when keys are set). */
  gpu: z
    .object({
      configured: z.boolean(),
      /** Circuit breaker: `open` means GPU attempts fail fast (and `auto` uses the edge) until `retry_after` seconds pass. */
      breaker: z.enum(['closed', 'open', 'half-open']).optional(),
      retry_after: z.number().int().optional(),
      /** The last GPU failure seen by this isolate. */
      last_error: z.object({ at: z.string(), code: z.string(), message: z.string() }).optional(),
    })
    .optional(),
});
export type Health = z.infer<typeof Health>;

// ---------------------------------------------------------------------------------------------------------------
// Pose: human keypoints, several people per photo

/** The 17 COCO keypoints, in COCO order (`left_*` is the subject's left). Every person carries all 17, in this order. */
export const POSE_KEYPOINTS = [
  'nose',
  'left_eye',
  'right_eye',
  'left_ear',
  'right_ear',
  'left_shoulder',
  'right_shoulder',
  'left_elbow',
  'right_elbow',
  'left_wrist',
  'right_wrist',
  'left_hip',
  'right_hip',
  'left_knee',
  'right_knee',
  'left_ankle',
  'right_ankle',
] as const;
export const KeypointName = z.enum(POSE_KEYPOINTS);
export type KeypointName = z.infer<typeof KeypointName>;

/**
 * The skeleton: COCO's 19 limb edges (its `skeleton` field, here 0-based pairs of indices into POSE_KEYPOINTS),
 * given once here and in `GET /v1/models/{id}` for pose models, never repeated per person.
 */
export const POSE_EDGES: readonly (readonly [number, number])[] = [
  [15, 13], [13, 11], [16, 14], [14, 12], [11, 12], [5, 11], [6, 12], [5, 6], [5, 7], [6, 8],
  [7, 9], [8, 10], [1, 2], [0, 1], [0, 2], [1, 3], [2, 4], [3, 5], [4, 6],
];

export const PoseOptions = CommonOptions.extend({
  /** A keypoint scoring below this counts as not seen: left out of the person's score and of pictures (still returned). */
  min_keypoint_score: numberIn(0, 1)
    .default(0.3)
    .meta({ description: "A keypoint scoring below this counts as not seen: it is left out of the person's score and of pictures (all 17 keypoints are still returned)." }),
  /** Keep people scoring at least this (0..1). */
  min_person_score: numberIn(0, 1).default(0.25).meta({ description: 'Keep people scoring at least this (0..1).' }),
  /** At most this many people, best first. */
  max_people: integerIn(1, 20).default(6).meta({ description: 'At most this many people, best first.' }),
  /** `image`: answer with the photo with each skeleton drawn instead of JSON. */
  format: DetectOptions.shape.format.meta({
    description: '`image`: answer with the photo with every skeleton drawn (PNG, or JPEG for a JPEG photo; `Accept: image/png|image/jpeg` picks) instead of JSON.',
  }),
  /** Draw a legend (left, right and centre limb colours) in a corner of the picture. */
  legend: DetectOptions.shape.legend.meta({ description: 'Draw a legend (the colours of left, right and centre limbs) in a corner of the picture.' }),
});
export type PoseOptions = z.input<typeof PoseOptions>;

export const Keypoint = z.object({
  name: KeypointName,
  /** In pixels of the upright image (EXIF orientation applied), clipped to it. */
  x: z.number(),
  y: z.number(),
  /** Confidence in 0..1. */
  score: z.number(),
});
export type Keypoint = z.infer<typeof Keypoint>;

export const Person = z.object({
  /** Confidence that this is a person with these keypoints, 0..1. */
  score: z.number(),
  /** Around the person, in pixels of the upright image, clipped to it. */
  box: Box,
  /** All 17 COCO keypoints, in COCO order (POSE_KEYPOINTS). */
  keypoints: z.array(Keypoint).length(17),
});
export type Person = z.infer<typeof Person>;

export const PoseResponse = z.object({
  task: z.literal('pose'),
  model: ModelInfo,
  image: ImageInfo,
  /** Sorted by score, best first; empty when nobody is found. */
  people: z.array(Person),
  fallback: Fallback.optional(),
  timings: Timings,
});
export type PoseResponse = z.infer<typeof PoseResponse>;

// ---------------------------------------------------------------------------------------------------------------
// Models: one model, and the list's filter

/** `GET /v1/models` query: only the models of one task. */
export const ModelsQuery = z.strictObject({
  task: Task.optional().meta({ description: 'Only the models of this task.' }),
});
export type ModelsQuery = z.input<typeof ModelsQuery>;

/** `GET /v1/models/{id}`: a model with its label names. */
export const ModelDetail = ModelInfo.extend({
  /** The model's class names, index for index with its outputs (`index` in results). */
  label_names: z.array(z.string()),
  /** Other accepted spellings for `classes`, alias -> label (e.g. VOC's "motorbike" -> "motorcycle"). */
  label_aliases: z.record(z.string(), z.string()),
  /** Pose models: the keypoint names, in the order every person's `keypoints` come in. */
  keypoints: z.array(KeypointName).optional(),
  /** Pose models: the skeleton's edges, pairs of indices into `keypoints` (COCO's 19 limbs). */
  skeleton: z.array(z.tuple([z.number().int(), z.number().int()])).optional(),
});
export type ModelDetail = z.infer<typeof ModelDetail>;

// ---------------------------------------------------------------------------------------------------------------
// Batches: several images per task request

/** Most images one batch request may carry. */
export const MAX_BATCH_IMAGES = 16 as const;

/** One batch item that failed: the usual error body, for that image only. */
export const BatchItemError = ErrorBody;
export type BatchItemError = ErrorBody;

const batchOf = <T extends z.ZodType>(item: T) =>
  z.object({
    /** One per image, in request order: the task's usual response, or `{ error }` for an image that failed. */
    results: z.array(z.union([item, BatchItemError])),
  });

export const ClassifyBatchResponse = batchOf(ClassifyResponse);
export type ClassifyBatchResponse = z.infer<typeof ClassifyBatchResponse>;
export const DetectBatchResponse = batchOf(DetectResponse);
export type DetectBatchResponse = z.infer<typeof DetectBatchResponse>;
export const SegmentBatchResponse = batchOf(SegmentResponse);
export type SegmentBatchResponse = z.infer<typeof SegmentBatchResponse>;
export const PoseBatchResponse = batchOf(PoseResponse);
export type PoseBatchResponse = z.infer<typeof PoseBatchResponse>;

// ---------------------------------------------------------------------------------------------------------------
// Embeddings: a vector per image whose cosine similarity means visual similarity

/** `float`: a JSON number array; `base64`: little-endian float32 bytes in base64 (about a quarter of the JSON). */
export const EmbeddingEncoding = z.enum(['float', 'base64']);
export type EmbeddingEncoding = z.infer<typeof EmbeddingEncoding>;

export const EmbedOptions = CommonOptions.extend({
  encoding: EmbeddingEncoding.default('float').meta({
    description: '`float` (default): `embedding` is a JSON number array. `base64`: the little-endian float32 bytes in base64, about a quarter of the JSON size (for batch indexing).',
  }),
});
export type EmbedOptions = z.input<typeof EmbedOptions>;

export const EmbedResponse = z.object({
  task: z.literal('embed'),
  model: ModelInfo,
  image: ImageInfo,
  /** The L2-normalised embedding (norm 1: cosine similarity is the dot product), in the requested encoding. */
  embedding: z.union([z.array(z.number()), z.string()]),
  /** Length of the vector (1024 for the MobileNet V1 embedding extractor). */
  dimensions: z.number().int(),
  encoding: EmbeddingEncoding,
  fallback: Fallback.optional(),
  timings: Timings,
});
export type EmbedResponse = z.infer<typeof EmbedResponse>;
export const EmbedBatchResponse = batchOf(EmbedResponse);
export type EmbedBatchResponse = z.infer<typeof EmbedBatchResponse>;

/** `POST /v1/similarity`: two or more images (the `image` field repeated, or `images` in JSON), one model. */
export const SimilarityOptions = CommonOptions;
export type SimilarityOptions = z.input<typeof SimilarityOptions>;

export const SimilarityResponse = z.object({
  model: ModelInfo,
  /** Each image's size, in request order. */
  images: z.array(ImageInfo),
  /** N x N cosine similarities in request order: symmetric, 1 on the diagonal, -1..1 (this model's: 0..1). */
  matrix: z.array(z.array(z.number())),
  fallback: Fallback.optional(),
  timings: Timings,
});
export type SimilarityResponse = z.infer<typeof SimilarityResponse>;

// ---------------------------------------------------------------------------------------------------------------
// Analyze: one image, several tasks

/** A list of tasks: a JSON array, one comma-separated string, or the option repeated. */
const taskList = z
  .union([z.string(), z.array(z.string())])
  .transform(splitList)
  .pipe(z.array(Task).min(1, 'name at least one task'));

/**
 * `tasks` of `POST /v1/analyze`: which tasks to run and, per task, its options (the task endpoint's, JSON answers
 * only: `format` must be absent or `json`). A list form runs the tasks with their default options.
 */
export const AnalyzeTasks = z.union([
  taskList,
  z.strictObject({
    classify: ClassifyOptions.optional(),
    detect: DetectOptions.optional(),
    segment: SegmentOptions.optional(),
    embed: EmbedOptions.optional(),
    pose: PoseOptions.optional(),
  }),
]);
export type AnalyzeTasks = z.input<typeof AnalyzeTasks>;

export const AnalyzeOptions = z.strictObject({
  tasks: AnalyzeTasks.meta({
    description:
      'Tasks to run, each with its own options: `{"classify": {"top_k": 3}, "detect": {"threshold": 0.3}}`, or a list (`["classify","detect"]`, `classify,detect`) for default options. In a query string or form: `tasks=classify,detect` plus `detect.threshold=0.3`, or `tasks` as a JSON object string.',
  }),
});
export type AnalyzeOptions = z.input<typeof AnalyzeOptions>;

export const AnalyzeResponse = z.object({
  task: z.literal('analyze'),
  image: ImageInfo,
  /** Each requested task's usual response, or `{ error }` when that task failed (a bad option, an unknown model). */
  results: z.object({
    classify: z.union([ClassifyResponse, BatchItemError]).optional(),
    detect: z.union([DetectResponse, BatchItemError]).optional(),
    segment: z.union([SegmentResponse, BatchItemError]).optional(),
    embed: z.union([EmbedResponse, BatchItemError]).optional(),
    pose: z.union([PoseResponse, BatchItemError]).optional(),
  }),
  /** The shared decode, and the whole request. */
  timings: z.object({ decode_ms: z.number(), total_ms: z.number() }),
});
export type AnalyzeResponse = z.infer<typeof AnalyzeResponse>;
