/**
 * The pipeline skeleton every image-in task shares: decode at the size the model needs, preprocess into the
 * artifact's input tensor (stretch or letterbox), add the artifact's extra feeds, run, dequantise. A task's pipeline
 * calls this and supplies its postprocess only.
 */
import type { DecodedImage } from '../image/decode';
import type { Tensors } from '../runtimes/types';
import { dequantizeOutputs } from './dequantize';
import { extraFeeds, imageToTensor, type Placement } from './preprocess';
import type { PipelineContext } from './types';

export interface ModelRun {
  /** The upright image as decoded (at least the model's input size; `original` is the caller's size). */
  decoded: DecodedImage;
  /** Where the image sits in the model input. */
  placement: Placement;
  /** The outputs by name, uint8 ones dequantised as the artifact says. */
  outputs: Tensors;
}

export async function runModel({ model, artifact, runner, image, timer, signal }: PipelineContext): Promise<ModelRun> {
  const decoded = await timer.measureAsync('decode', () => image.decode({ minWidth: model.input.width, minHeight: model.input.height }));
  const { tensor, placement } = timer.measure('preprocess', () => imageToTensor(decoded, model.input, artifact.input));
  const feeds = { [artifact.input.name]: tensor, ...extraFeeds(artifact.feeds, { imageSize: decoded.original }) };
  const raw = await timer.measureAsync('inference', () => runner.run(feeds, { signal }));
  const outputs = timer.measure('postprocess', () => dequantizeOutputs(raw, artifact.dequantize));
  return { decoded, placement, outputs };
}
