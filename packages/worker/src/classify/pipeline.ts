/** Classification: resize to the model input, run, dequantise, softmax when the model gives logits, top-k with labels. */
import type { Classification, ImageInfo } from '@cvkit/sdk/contract';
import { runModel } from '../pipeline/run-model';
import { labelSpec } from '../models/manifest';
import type { PipelineContext } from '../pipeline/types';
import { softmax, topK } from './postprocess';

export interface ClassifyOutput {
  image: ImageInfo;
  predictions: Classification[];
}

export async function classifyPipeline(ctx: PipelineContext, options: { top_k: number }): Promise<ClassifyOutput> {
  const { model, artifact, labels, timer } = ctx;
  const output = artifact.output;
  if (output.kind !== 'probabilities') throw new Error(`${artifact.key} has output kind '${output.kind}', not probabilities`);
  const { decoded, outputs } = await runModel(ctx);
  return timer.measure('postprocess', () => {
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
