/**
 * The provider interface: a task-level contract that the edge engine implements today and a remote GPU tier
 * (Open Inference Protocol v2: Triton, KServe) implements next. The HTTP routes only talk to this interface.
 */
import type { Classification, ImageInfo, Tier } from '@cvkit/sdk/contract';
import type { DecodeHints, DecodedImage } from '../image/decode';
import type { ModelSpec } from '../models/manifest';
import type { Timer } from '../timings';

/** The caller's image: raw bytes, decoded on demand (a remote provider may never decode it). */
export interface ImageSource {
  bytes: Uint8Array;
  /** Upright pixels at least `hints` large (JPEGs may come at reduced scale); no hints: as large as allowed. */
  decode(hints?: DecodeHints): DecodedImage;
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

export interface VisionProvider {
  readonly specificationVersion: 'v1';
  readonly tier: Tier;
  classify(call: TaskCall<{ top_k: number }>): Promise<ClassifyResult>;
}
