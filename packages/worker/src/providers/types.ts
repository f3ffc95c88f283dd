/**
 * The provider interface: a task-level contract that the edge engine implements today and a remote GPU tier
 * (Open Inference Protocol v2: Triton, KServe) implements next. The HTTP routes only talk to this interface.
 */
import type { Classification, ImageInfo, Segment, Tier } from '@cvkit/sdk/contract';
import type { DecodedImage } from '../image/decode';
import type { ModelSpec } from '../models/manifest';
import type { ClassMap } from '../segment/class-map';
import type { Timer } from '../timings';

/** The caller's image: raw bytes, decoded at most once, on demand (a remote provider may never decode it). */
export interface ImageSource {
  bytes: Uint8Array;
  decode(): DecodedImage;
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
  /** `classes`: label names to keep (unknown names are invalid_option); all classes when absent. */
  segment(call: TaskCall<{ classes?: string[] | undefined }>): Promise<SegmentResult>;
}
