/**
 * Embedding: resize to the model input, run, dequantise, L2-normalise. The output is one feature vector of any
 * shape [1, ..., D] (the MobileNet V1 extractor's global average pool is uint8 [1,1,1,1024], dequantised with the
 * scale and zero point its .tflite file gives that tensor); unit length makes cosine similarity a dot product.
 */
import type { ImageInfo } from '@cvkit/sdk/contract';
import { resizeRGBA } from '../image/decode';
import type { ArtifactSpec, ModelSpec } from '../models/manifest';
import { dequantizeOutputs } from '../pipeline/dequantize';
import { imageToTensor } from '../pipeline/preprocess';
import type { PipelineContext } from '../pipeline/types';
import { l2Normalize } from './l2-normalize';

/** The output kind an embedding artifact declares: the name of its feature tensor. */
export interface EmbeddingOutputSpec {
  kind: 'embedding';
  name: string;
}

/**
 * What the pipeline reads of its context: a PipelineContext without labels (an embedding has none); the artifact's
 * output is checked to be an `embedding` at run time, as the other pipelines check theirs.
 */
export type EmbedContext = Pick<PipelineContext, 'runner' | 'image' | 'timer' | 'signal'> & {
  model: Pick<ModelSpec, 'input'>;
  artifact: Pick<ArtifactSpec, 'key' | 'input' | 'dequantize'> & { output: { kind: string; name?: string } };
};

export interface EmbedOutput {
  image: ImageInfo;
  /** Unit length (a zero feature vector stays zero). */
  embedding: Float32Array;
}

export async function embedPipeline({ model, artifact, runner, image, timer, signal }: EmbedContext): Promise<EmbedOutput> {
  const output = artifact.output;
  if (output.kind !== 'embedding' || output.name === undefined) throw new Error(`${artifact.key} has output kind '${output.kind}', not embedding`);
  const name = output.name;
  const decoded = await timer.measureAsync('decode', () => image.decode({ minWidth: model.input.width, minHeight: model.input.height }));
  const { tensor } = timer.measure('preprocess', () => imageToTensor(decoded, model.input, artifact.input, resizeRGBA));
  const raw = await timer.measureAsync('inference', () => runner.run({ [artifact.input.name]: tensor }, { signal }));
  return timer.measure('postprocess', () => {
    const features = dequantizeOutputs(raw, artifact.dequantize)[name];
    if (features?.dtype !== 'float32') throw new Error(`${artifact.key} has no float output '${name}'`);
    return { image: decoded.original, embedding: l2Normalize(features.data) };
  });
}
