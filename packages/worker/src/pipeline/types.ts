/**
 * What a task pipeline (preprocess -> run -> postprocess) is given: the model, the artifact that will run it, a way
 * to run that artifact (a loaded model of any runtime: in the isolate or a network call), and the model's labels.
 * Pipelines never know which runtime runs them; providers build this context (see providers/pipeline.ts).
 */
import type { DecodeHints, DecodedImage } from '../image/decode';
import type { ArtifactSpec, ModelSpec } from '../models/manifest';
import type { Labels } from '../models/labels';
import type { LoadedModel } from '../runtimes/types';
import type { Timer } from '../timings';

/** The caller's image: raw bytes, decoded on demand (a remote provider may never decode it). */
export interface ImageSource {
  bytes: Uint8Array;
  /** Upright pixels at least `hints` large (JPEGs may come at reduced scale); no hints: as large as allowed. */
  decode(hints?: DecodeHints): Promise<DecodedImage>;
  /**
   * Results computed for this image, shared by the tasks of one request (/v1/analyze): a task that needs another
   * task's answer (pose needs detect's people) looks here first. Keys are the producer's to define.
   */
  readonly shared: Map<string, unknown>;
}

export interface PipelineContext {
  model: ModelSpec;
  artifact: ArtifactSpec;
  /** Runs the artifact (through whatever keeps it loaded); rejects on abort before work starts. */
  runner: Pick<LoadedModel, 'run'>;
  labels: Labels;
  image: ImageSource;
  timer: Timer;
  signal?: AbortSignal | undefined;
  /**
   * Runs another model's task on the same image through the same provider (a pipeline built on another task: pose
   * finds people with a detector). `model`: an id, or undefined for that task's default.
   */
  subtask<R extends object>(task: string, model: string | undefined, options: object): Promise<R>;
}

/** A task's pipeline: options already validated by the task's schema, then shaped for the pipeline by the task. */
export type Pipeline<O = never, R extends object = object> = (ctx: PipelineContext, options: O) => Promise<R>;
