/** Classification: resize to the model input, run, dequantise, softmax when the model gives logits, top-k with labels. */
import type { Classification, ImageInfo } from '@cvkit/sdk/contract';
import { resizeRGBA } from '../image/decode';
import { dequantizeOutputs } from '../pipeline/dequantize';
import { imageToTensor } from '../pipeline/preprocess';
import { labelSpec } from '../models/manifest';
import type { PipelineContext } from '../pipeline/types';
import { softmax, topK } from './postprocess';

export interface ClassifyOutput {
  image: ImageInfo;
  predictions: Classification[];
}

export async function classifyPipeline({ model, artifact, runner, labels, image, timer, signal }: PipelineContext, options: { top_k: number }): Promise<ClassifyOutput> {
  const output = artifact.output;
  if (output.kind !== 'probabilities') throw new Error(`${artifact.key} has output kind '${output.kind}', not probabilities`);
  const decoded = await timer.measureAsync('decode', () => image.decode({ minWidth: model.input.width, minHeight: model.input.height }));
  const { tensor } = timer.measure('preprocess', () => imageToTensor(decoded, model.input, artifact.input, resizeRGBA));
  const raw = await timer.measureAsync('inference', () => runner.run({ [artifact.input.name]: tensor }, { signal }));
  return timer.measure('postprocess', () => {
    const outputs = dequantizeOutputs(raw, artifact.dequantize);
    const probabilities = outputs[output.name];
    if (probabilities?.dtype !== 'float32') throw new Error(`${artifact.key} has no float output '${output.name}'`);
    const scores = output.softmax ? softmax(probabilities.data) : probabilities.data;
    const predictions = topK(scores, options.top_k, new Set(labelSpec(model).ignore)).map((index) => ({
      label: labels.names[index] ?? String(index),
      index,
      score: scores[index] as number,
      synset: labels.lines[index] ?? String(index),
    }));
    return { image: decoded.original, predictions };
  });
}
