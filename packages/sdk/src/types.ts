/**
 * The API's options and response bodies as plain TypeScript types, for the client.
 *
 * Field names are the wire's, snake_case (`top_k`, `max_detections`, `box_normalized`, `request_id`): what you read
 * in the API docs or in a curl response is exactly what you type here, with no renaming layer to learn.
 *
 * These mirror the zod schemas in `./contract.ts` but are written out by hand, so the client's `.d.ts` needs no zod
 * (it is an optional peer dependency, only for `@cvkit/sdk/contract`). `types.test.ts` fails the type-check when the
 * two drift apart.
 */

/** Tasks the API answers. */
export type Task = 'classify' | 'detect' | 'segment' | 'embed' | 'pose';

/** Where a model runs: inside the worker isolate (`edge`), on the remote GPU tier (`gpu`), or on Cloudflare Workers AI (`workers-ai`). */
export type Tier = 'edge' | 'gpu' | 'workers-ai';

/** Which tier a request asks for: `auto` (default) follows the model's preference and falls back to the other tier. */
export type TierOption = 'edge' | 'gpu' | 'auto';

/** Set in a response that ran on another tier than the one tried first. */
export interface Fallback {
  /** The tier tried first. */
  from: Tier;
  /** Its error code: `upstream_error`, `upstream_unavailable`, `timeout`; `overloaded` when a full isolate spilled to the GPU tier. */
  reason: string;
  message: string;
  /** For a GPU-only model answered by its edge substitute: the model that was asked for. */
  substitute_for?: string | undefined;
}

/** Public description of a served model (`GET /v1/models`, and `model` in every task response). */
export interface ModelInfo {
  id: string;
  task: Task;
  /** In a task response: the tier that ran it. In `models()`: the tier `auto` runs it on now. */
  tier: Tier;
  /** Every tier the model may run on (`gpu` only while a GPU tier is configured). */
  tiers: Tier[];
  /** The runtime that runs it on this server, e.g. "litert" (LiteRT.js) or "ort-web" (onnxruntime-web). */
  runtime: string;
  /** The model a task uses when the request names none. */
  default: boolean;
  /** The model's input size in pixels. */
  input: { width: number; height: number };
  /** How many classes the model knows. */
  labels: number;
  license: string;
  /** Published accuracy, e.g. "70.8% ImageNet top-1". */
  accuracy: string;
  /** Size of the model file. */
  bytes: number;
  /** `builtin`: one of cvkit's models; `catalog`: a model from this deployment's own catalog (docs/models.md). */
  source?: 'builtin' | 'catalog';
}

export interface ModelList {
  models: ModelInfo[];
}

/** Size of the image as a person sees it (EXIF orientation applied). All pixel coordinates refer to it. */
export interface ImageInfo {
  width: number;
  height: number;
}

/** Milliseconds spent in each stage of the request, measured inside the worker. */
export interface Timings {
  decode_ms: number;
  preprocess_ms: number;
  inference_ms: number;
  postprocess_ms: number;
  /** Encoding outputs: masks, annotated images. */
  encode_ms: number;
  total_ms: number;
}

/** Options shared by every task. */
export interface CommonOptions {
  /** Model id from `models()`; the task's default model when absent. */
  model?: string;
  /** `edge`, `gpu` or `auto` (default): where to run; `auto` may fall back (see `fallback` in the response). */
  tier?: TierOption;
  /** `false`: compute afresh, bypassing the server's result cache (default true; see `cvkit-cache`). */
  cache?: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// classify

export interface ClassifyOptions extends CommonOptions {
  /** How many predictions to return, best first (1..100, default 5). */
  top_k?: number;
}

export interface Classification {
  /** Human-readable class name: the first name of the synset, e.g. "Egyptian cat". */
  label: string;
  /** Index into the model's label list. */
  index: number;
  /** Probability in 0..1. */
  score: number;
  /** The full synset line, e.g. "hotdog, hot dog, red hot". */
  synset: string;
}

export interface ClassifyResponse {
  task: 'classify';
  model: ModelInfo;
  image: ImageInfo;
  predictions: Classification[];
  /** Set when the request ran on another tier than the one tried first. */
  fallback?: Fallback | undefined;
  timings: Timings;
}

// ---------------------------------------------------------------------------------------------------------------
// detect

/** A rectangle by its corners: (x1, y1) top left, (x2, y2) bottom right. */
export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface DetectOptions extends CommonOptions {
  /** Smallest score reported, 0..1 (default 0.5). */
  threshold?: number;
  /** IoU above which non-maximum suppression drops the weaker of two boxes of one class, 0..1 (default 0.45). */
  iou?: number;
  /**
   * One label per object (default true): boxes of other labels on (almost) the same box are folded into the best
   * one's `alternatives`; `false` keeps every label the model gives as its own detection.
   */
  class_agnostic?: boolean;
  /** Sliced inference for small objects: the whole image plus overlapping tiles at the model's input size (default false). */
  tiles?: boolean;
  /** At most this many detections, best first (default 100). */
  max_detections?: number;
  /** Only these labels (e.g. `["person", "dog"]`); sent as one comma-separated string. */
  classes?: readonly string[] | string;
  /** Add the photo with the boxes drawn on it to the JSON response, as a data URL (see `annotatedImage`). */
  annotate?: boolean;
  /** `image`: answer with the annotated photo itself (the client returns a `Blob`) instead of JSON. */
  format?: 'json' | 'image';
  /** Draw a legend of the classes present (colour, name, count) on the annotated picture (default false). */
  legend?: boolean;
}

export interface Detection {
  label: string;
  /** Index into the model's label list. */
  index: number;
  /** Confidence in 0..1. */
  score: number;
  /** In pixels of the image as a person sees it (EXIF orientation applied), clipped to the image. */
  box: Box;
  /** The same box as fractions (0..1) of the image's width and height. */
  box_normalized: Box;
  /** Other labels the model gave the same object, best first (at most 3; with `class_agnostic`, the default). */
  alternatives?: Array<{ label: string; index: number; score: number }> | undefined;
}

export interface DetectResponse {
  task: 'detect';
  model: ModelInfo;
  image: ImageInfo;
  /** Sorted by score, best first. */
  detections: Detection[];
  /** How many detections of each label, e.g. `{ person: 3, kite: 2 }`. */
  counts: Record<string, number>;
  /** Set when the request ran on another tier than the one tried first. */
  fallback?: Fallback | undefined;
  timings: Timings;
  /** With `annotate: true`: the photo with each box drawn and labelled, as a data URL. */
  annotated_image?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// pose

/** The 17 COCO keypoints, in COCO order (`left_*` is the subject's left). */
export type KeypointName =
  | 'nose' | 'left_eye' | 'right_eye' | 'left_ear' | 'right_ear' | 'left_shoulder' | 'right_shoulder' | 'left_elbow'
  | 'right_elbow' | 'left_wrist' | 'right_wrist' | 'left_hip' | 'right_hip' | 'left_knee' | 'right_knee'
  | 'left_ankle' | 'right_ankle';

export interface PoseOptions extends CommonOptions {
  /** A keypoint below this score counts as not seen: left out of the person's score and of pictures (default 0.3). */
  min_keypoint_score?: number;
  /** Smallest person score reported, 0..1 (default 0.25). */
  min_person_score?: number;
  /** At most this many people, best first (default 6, at most 20). */
  max_people?: number;
  /** `image`: answer with the photo with every skeleton drawn (the client returns a `Blob`) instead of JSON. */
  format?: 'json' | 'image';
  /** Draw a legend of the limb colours (left, right, centre) on the picture (default false). */
  legend?: boolean;
}

export interface Keypoint {
  name: KeypointName;
  /** In pixels of the image as a person sees it (EXIF orientation applied), clipped to the image. */
  x: number;
  y: number;
  /** Confidence in 0..1. */
  score: number;
}

export interface Person {
  /** Confidence in 0..1 that this is a person with these keypoints. */
  score: number;
  /** Around the person, in pixels of the image, clipped to it. */
  box: Box;
  /** Always all 17 COCO keypoints, in COCO order; check each `score` before trusting a point. */
  keypoints: Keypoint[];
}

export interface PoseResponse {
  task: 'pose';
  model: ModelInfo;
  image: ImageInfo;
  /** Sorted by score, best first; empty when nobody is found. */
  people: Person[];
  /** Set when the request ran on another tier than the one tried first. */
  fallback?: Fallback | undefined;
  timings: Timings;
}

// ---------------------------------------------------------------------------------------------------------------
// segment

export interface SegmentOptions extends CommonOptions {
  /** How the class map comes back in JSON (default `png`): see `SegmentMask`. */
  mask?: 'png' | 'rle' | 'none';
  /** Only report and encode these labels (other pixels read 255 in the masks); sent as one comma-separated string. */
  classes?: readonly string[] | string;
  /**
   * `image`: the photo with the colour mask blended over it; `mask`: the colour mask alone; `cutout`: the photo with
   * everything but `classes` (default: every class but background) transparent (all PNG, as a `Blob`; see `cutout`).
   */
  format?: 'json' | 'image' | 'mask' | 'cutout';
  /** Draw a legend of the classes present (colour, name, share) on the overlay picture (default false). */
  legend?: boolean;
}

/** One class present in the image. */
export interface Segment {
  label: string;
  /** The class index: the value of its pixels in the class map. */
  index: number;
  /** How many pixels of the image (at its own size) belong to the class. */
  pixels: number;
  /** `pixels` as a fraction of the image, 0..1. */
  fraction: number;
  /** The smallest box holding every pixel of the class, in pixel edges: x2 - x1 is the width in pixels. */
  box: Box;
  /** The class's colour in `format: 'image'` and `'mask'` pictures (the PASCAL VOC palette), CSS hex. */
  color: string;
}

/** The class map as a single-channel 8-bit PNG: pixel value = class index, 255 = a class not requested. */
export interface PngMask {
  encoding: 'png';
  width: number;
  height: number;
  /** `data:image/png;base64,...`; `decodeMask(result)` turns it into a class map. */
  data_url: string;
}

/**
 * A COCO run-length encoding of a binary mask: `size` is `[height, width]`, runs go down the columns (column-major,
 * as in COCO) and alternate 0s and 1s starting with 0s. `counts` is the list of run lengths, or COCO's compact string
 * form (pycocotools `mask.encode`); `decodeRle` reads both.
 */
export interface Rle {
  size: [number, number];
  counts: number[] | string;
}

/** One class's mask in COCO uncompressed RLE (`pycocotools.mask.frPyObjects(rle, height, width)` reads it). */
export interface ClassRle {
  index: number;
  label: string;
  /** `[height, width]`, COCO's order. */
  size: [number, number];
  /** Runs of "not this class" and "this class", column-major, starting with the former; they sum to height * width. */
  counts: number[];
}

/** One run-length encoded mask per reported segment, in the same order. */
export interface RleMask {
  encoding: 'rle';
  width: number;
  height: number;
  order: 'column-major';
  masks: ClassRle[];
}

/** `mask: 'none'`: only the segment statistics. */
export interface NoMask {
  encoding: 'none';
}

export type SegmentMask = PngMask | RleMask | NoMask;

export interface SegmentResponse {
  task: 'segment';
  model: ModelInfo;
  image: ImageInfo;
  /** One entry per class present, background included, largest first. */
  segments: Segment[];
  mask: SegmentMask;
  /** Set when the request ran on another tier than the one tried first. */
  fallback?: Fallback | undefined;
  timings: Timings;
}

// ---------------------------------------------------------------------------------------------------------------
// errors and health

/** Machine-readable error codes; each maps to exactly one HTTP status. */
export type ErrorCode =
  | 'invalid_request'
  | 'invalid_json'
  | 'invalid_option'
  | 'unauthorized'
  | 'model_not_found'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'invalid_image'
  | 'image_too_large'
  | 'fetch_failed'
  | 'request_timeout'
  | 'rate_limited'
  | 'overloaded'
  | 'internal_error'
  | 'upstream_error'
  | 'upstream_unavailable'
  | 'timeout';

/** For invalid options: which option and why. */
export interface ErrorIssue {
  path: string;
  message: string;
}

/** The one error body of the API. */
export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    request_id: string;
    retryable: boolean;
    issues?: ErrorIssue[] | undefined;
  };
}

/** With API keys configured, `version` and `isolate` come only with a valid key (bare liveness otherwise). */
export interface Health {
  status: 'ok';
  version?: string | undefined;
  /** Identifies the isolate that answered: it changes when an isolate restarts. */
  isolate?: string | undefined;
  /** The GPU tier as this isolate sees it (with the key, when keys are set). */
  gpu?:
    | {
        configured: boolean;
        breaker?: 'closed' | 'open' | 'half-open' | undefined;
        retry_after?: number | undefined;
        last_error?: { at: string; code: string; message: string } | undefined;
      }
    | undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// models, batches, analyze

/** `GET /v1/models/{id}`: a model with its label names. */
export interface ModelDetail extends ModelInfo {
  /** The model's class names, index for index with `index` in results. */
  label_names: string[];
  /** Other accepted spellings for `classes`, alias -> label (e.g. VOC's "motorbike" -> "motorcycle"). */
  label_aliases: Record<string, string>;
  /** Pose models: the keypoint names, in the order every person's `keypoints` come in. */
  keypoints?: KeypointName[] | undefined;
  /** Pose models: the skeleton's edges, pairs of indices into `keypoints` (COCO's 19 limbs). */
  skeleton?: [number, number][] | undefined;
}

/** Filter of `models()`. */
export interface ModelsQuery {
  /** Only the models of this task. */
  task?: Task;
}

/** One image of a batch that failed: the usual error body, for that image only. */
export type BatchItemError = ErrorBody;

/** A batch answer: one item per image, in request order, the task's usual response or `{ error }`. */
export interface BatchResponse<T> {
  results: Array<T | BatchItemError>;
}

export type ClassifyBatchResponse = BatchResponse<ClassifyResponse>;
export type DetectBatchResponse = BatchResponse<DetectResponse>;
export type SegmentBatchResponse = BatchResponse<SegmentResponse>;
export type EmbedBatchResponse = BatchResponse<EmbedResponse>;
export type PoseBatchResponse = BatchResponse<PoseResponse>;

// ---------------------------------------------------------------------------------------------------------------
// embed and similarity

/** `float`: `embedding` is a number array; `base64`: little-endian float32 bytes in base64 (`decodeEmbedding` reads both). */
export type EmbeddingEncoding = 'float' | 'base64';

export interface EmbedOptions extends CommonOptions {
  /** How `embedding` comes back (default `float`); `base64` is about a quarter of the JSON, for indexing jobs. */
  encoding?: EmbeddingEncoding;
}

export interface EmbedResponse {
  task: 'embed';
  model: ModelInfo;
  image: ImageInfo;
  /** The L2-normalised vector (norm 1: cosine similarity is the dot product), in the requested encoding. */
  embedding: number[] | string;
  /** Length of the vector (1024 for the default model). */
  dimensions: number;
  encoding: EmbeddingEncoding;
  /** Set when the request ran on another tier than the one tried first. */
  fallback?: Fallback | undefined;
  timings: Timings;
}

export type SimilarityOptions = CommonOptions;

export interface SimilarityResponse {
  model: ModelInfo;
  /** Each image's size, in request order. */
  images: ImageInfo[];
  /** N x N cosine similarities in request order: symmetric, 1 on the diagonal. */
  matrix: number[][];
  /** Set when the request ran on another tier than the one tried first. */
  fallback?: Fallback | undefined;
  timings: Timings;
}

/** Most images one batch request may carry. */
export type MaxBatchImages = 16;

/** Per-task options for `analyze` (JSON answers only, so no `format`). */
export interface AnalyzeTaskOptions {
  classify?: ClassifyOptions;
  detect?: Omit<DetectOptions, 'format'>;
  segment?: Omit<SegmentOptions, 'format'>;
  embed?: EmbedOptions;
  pose?: Omit<PoseOptions, 'format'>;
}

export interface AnalyzeOptions {
  /** The tasks to run: a list (default options each), or per-task options, e.g. `{ classify: { top_k: 3 }, detect: {} }`. */
  tasks: readonly Task[] | AnalyzeTaskOptions;
}

export interface AnalyzeResponse {
  task: 'analyze';
  image: ImageInfo;
  /** Each requested task's usual response, or `{ error }` when that task failed. */
  results: {
    classify?: ClassifyResponse | BatchItemError | undefined;
    detect?: DetectResponse | BatchItemError | undefined;
    segment?: SegmentResponse | BatchItemError | undefined;
    embed?: EmbedResponse | BatchItemError | undefined;
    pose?: PoseResponse | BatchItemError | undefined;
  };
  /** The shared decode, and the whole request. */
  timings: { decode_ms: number; total_ms: number };
}
