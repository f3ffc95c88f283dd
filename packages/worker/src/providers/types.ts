/**
 * The provider interface: a task-level contract the HTTP routes talk to. The edge provider runs the task pipelines
 * over the runtimes inside the isolate (providers/pipeline.ts); a remote tier is the same pipelines over a runtime
 * whose runs are network calls, or a task-level service of its own.
 */
import type { ModelInfo, Tier } from '@cvkit/sdk/contract';
import type { ClassifyOutput } from '../classify/pipeline';
import type { DetectOptions, DetectOutput } from '../detect/pipeline';
import type { DecodeHints, DecodedImage } from '../image/decode';
import type { ModelSpec } from '../models/manifest';
import type { SegmentOutput } from '../segment/pipeline';
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

/** Every result says which model, tier and runtime produced it. */
export interface Served {
  model: ModelInfo;
}

export type ClassifyResult = ClassifyOutput & Served;
export type DetectCallOptions = DetectOptions;
export type DetectResult = DetectOutput & Served;
export type SegmentResult = SegmentOutput & Served;

export interface VisionProvider {
  readonly specificationVersion: 'v1';
  readonly tier: Tier;
  /** The models this provider can serve now, each as it would serve it (which runtime); the rest are left out. */
  models(): Promise<ModelInfo[]>;
  classify(call: TaskCall<{ top_k: number }>): Promise<ClassifyResult>;
  detect(call: TaskCall<DetectCallOptions>): Promise<DetectResult>;
  /** `classes`: label names to keep (unknown names are invalid_option); all classes when absent. */
  segment(call: TaskCall<{ classes?: string[] | undefined }>): Promise<SegmentResult>;
}
