/** Classification on the edge engine: resize, run, softmax when the model gives logits, top-k with labels. */
import type { Engine } from '../engine/engine';
import { imageToTensor } from '../engine/preprocess';
import { resizeRGBA } from '../image/decode';
import type { ClassifyResult, TaskCall } from '../providers/types';
import { softmax, topK } from './postprocess';

export async function classifyOnEdge(engine: Engine, { image, model, options, timer }: TaskCall<{ top_k: number }>): Promise<ClassifyResult> {
  const decoded = await timer.measureAsync('decode', () => image.decode({ minWidth: model.input.width, minHeight: model.input.height }));
  const { tensor } = timer.measure('preprocess', () => imageToTensor(decoded, model.input, resizeRGBA));
  const [outputs, labels] = await timer.measureAsync('inference', () => Promise.all([engine.run(model, tensor), engine.labels(model)]));
  return timer.measure('postprocess', () => {
    const output = model.output;
    if (output.kind !== 'probabilities') throw new Error(`model ${model.id} has output kind '${output.kind}', not probabilities`);
    const raw = outputs[output.name]?.data;
    if (!(raw instanceof Float32Array)) throw new Error(`model ${model.id} has no float output '${output.name}'`);
    const scores = output.softmax ? softmax(raw) : raw;
    const predictions = topK(scores, options.top_k).map((index) => ({
      label: labels.names[index] ?? String(index),
      index,
      score: scores[index] as number,
      synset: labels.lines[index] ?? String(index),
    }));
    return { image: decoded.original, predictions };
  });
}
