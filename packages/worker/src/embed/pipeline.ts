/**
 * Embedding: the shared skeleton (decode, resize to the model input, run, dequantise), then L2 normalisation. The
 * output is one feature vector of any shape [1, ..., D] (the MobileNet V1 extractor's global average pool is uint8
 * [1,1,1,1024], dequantised with the scale and zero point its .tflite file gives that tensor); unit length makes
 * cosine similarity a dot product.
 */
import type { ImageInfo } from '@cvkit/sdk/contract';
import { runModel } from '../pipeline/run-model';
import type { PipelineContext } from '../pipeline/types';
import { l2Normalize } from './l2-normalize';

export interface EmbedOutput {
  image: ImageInfo;
  /** Unit length (a zero feature vector stays zero). */
  embedding: Float32Array;
}

export async function embedPipeline(ctx: PipelineContext): Promise<EmbedOutput> {
  const { artifact, timer } = ctx;
  const output = artifact.output;
  if (output.kind !== 'embedding') throw new Error(`${artifact.key} has output kind '${output.kind}', not embedding`);
  const { decoded, outputs } = await runModel(ctx);
  return timer.measure('postprocess', () => {
    const features = outputs[output.name];
    if (features?.dtype !== 'float32') throw new Error(`${artifact.key} has no float output '${output.name}'`);
    return { image: decoded.original, embedding: l2Normalize(features.data) };
  });
}
