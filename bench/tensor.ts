/** The fixed input every runtime gets in the inference benchmark: a deterministic pseudo-random image tensor. */
import type { ArtifactSpec, InputSpec, ModelSpec } from '../packages/worker/src/models/manifest';
import { extraFeeds, imageDims } from '../packages/worker/src/pipeline/preprocess';
import { type Tensors, tensor } from '../packages/worker/src/runtimes/types';

export function benchTensor(spec: Pick<InputSpec, 'width' | 'height'>): Float32Array {
  const out = new Float32Array(spec.width * spec.height * 3);
  let seed = 12345;
  for (let i = 0; i < out.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    out[i] = (seed >>> 8) / 8388608 - 1; // in [-1, 1)
  }
  return out;
}

/** The inputs of one artifact: the same picture as float32 values or as the uint8 bytes they quantise to. */
export function benchInputs(model: Pick<ModelSpec, 'input'>, artifact: ArtifactSpec): Tensors {
  const values = benchTensor(model.input);
  const dims = imageDims(model.input, artifact.input.layout);
  const image =
    artifact.input.dtype === 'uint8'
      ? tensor('uint8', Uint8Array.from(values, (v) => Math.max(0, Math.min(255, Math.round(v * 128 + 128)))), dims)
      : tensor('float32', values, dims);
  return { [artifact.input.name]: image, ...extraFeeds(artifact.feeds, { imageSize: model.input }) };
}
