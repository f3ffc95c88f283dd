/**
 * What a task pipeline (preprocess -> run -> postprocess) is given: the model, the artifact that will run it, a way
 * to run that artifact (a loaded model of any runtime: in the isolate or a network call), and the model's labels.
 * Pipelines never know which runtime runs them; providers build this context (see providers/pipeline.ts).
 */
import type { ArtifactSpec, ModelSpec } from '../models/manifest';
import type { Labels } from '../models/labels';
import type { ImageSource } from '../providers/types';
import type { LoadedModel } from '../runtimes/types';
import type { Timer } from '../timings';

export interface PipelineContext {
  model: ModelSpec;
  artifact: ArtifactSpec;
  /** Runs the artifact (through whatever keeps it loaded); rejects on abort before work starts. */
  runner: Pick<LoadedModel, 'run'>;
  labels: Labels;
  image: ImageSource;
  timer: Timer;
  signal?: AbortSignal | undefined;
}
