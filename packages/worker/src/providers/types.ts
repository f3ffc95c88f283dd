/**
 * The provider interface: a task-level contract that the edge engine implements today and a remote GPU tier
 * (Open Inference Protocol v2: Triton, KServe) implements next. The HTTP routes only talk to this interface.
 */
import type { Classification, Detection, ImageInfo, Segment, Tier } from '@cvkit/sdk/contract';
import type { DecodeHints, DecodedImage } from '../image/decode';
import type { ModelSpec } from '../models/manifest';
import type { ClassMap } from '../segment/class-map';
import type { Timer } from '../timings';

/** The caller's image: raw bytes, decoded on demand (a remote provider may never decode it). */
export interface ImageSource {
  bytes: Uint8Array;
  /** Upright pixels at least `hints` large (JPEGs may come at reduced scale); no hints: as large as allowed. */
  decode(hints?: DecodeHints): Promise<DecodedImage>;
}

export interface TaskCall<Options> {
  image: ImageSource;
  model: ModelSpec;
  options: Options;
  timer: Timer;
  signal?: AbortSignal;
}

export interface ClassifyResult {
  image: ImageInfo;
  predictions: Classification[];
}

/** The annotated image's encoding; `same-as-input`: JPEG for a JPEG photo, PNG for anything else. */
export type AnnotateAs = 'image/png' | 'image/jpeg' | 'same-as-input';

export interface DetectCallOptions {
  threshold: number;
  /** NMS IoU; undefined: the model's default (NMS only for models whose outputs need it). */
  iou: number | undefined;
  max_detections: number;
  /** Label names to keep; undefined: all. An unknown name is an invalid_option error. */
  classes: string[] | undefined;
  /** Draw the detections on the image and encode it; undefined: no annotated image. */
  annotate: AnnotateAs | undefined;
  /** With `annotate`: add a legend of the classes present. */
  legend?: boolean | undefined;
}

export interface DetectResult {
  image: ImageInfo;
  detections: Detection[];
  annotated?: { type: 'image/png' | 'image/jpeg'; bytes: Uint8Array };
}

export interface SegmentResult {
  image: ImageInfo;
  /** Class index per pixel at the image's upright size; pixels of classes not requested are 255. */
  map: ClassMap;
  /** Classes present (and requested), largest first. */
  segments: Segment[];
  /** The model's label names, index for index. */
  labels: string[];
}

export interface VisionProvider {
  readonly specificationVersion: 'v1';
  readonly tier: Tier;
  classify(call: TaskCall<{ top_k: number }>): Promise<ClassifyResult>;
  detect(call: TaskCall<DetectCallOptions>): Promise<DetectResult>;
  /** `classes`: label names to keep (unknown names are invalid_option); all classes when absent. */
  segment(call: TaskCall<{ classes?: string[] | undefined }>): Promise<SegmentResult>;
  /** The model's label names, index for index (GET /v1/models/{id}). */
  labels?(model: ModelSpec): Promise<string[]>;
}
