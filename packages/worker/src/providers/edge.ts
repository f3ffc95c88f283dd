/** The edge provider: runs the manifest's models with ORT-web inside the isolate. */
import { softmax, topK } from '../classify/postprocess';
import type { Engine } from '../engine/engine';
import { imageToTensor } from '../engine/preprocess';
import { resizeRGBA } from '../image/decode';
import type { VisionProvider } from './types';

export function createEdgeProvider(engine: Engine): VisionProvider {
  return {
    specificationVersion: 'v1',
    tier: 'edge',

    async classify({ image, model, options, timer }) {
      const decoded = timer.measure('decode', () => image.decode());
      const { tensor } = timer.measure('preprocess', () => imageToTensor(decoded, model.input, resizeRGBA));
      const [outputs, labels] = await timer.measureAsync('inference', () => Promise.all([engine.run(model, tensor), engine.labels(model)]));
      return timer.measure('postprocess', () => {
        const output = outputs[model.output.name];
        if (!output) throw new Error(`model ${model.id} has no output '${model.output.name}'`);
        const raw = output.data as Float32Array;
        const scores = model.output.softmax ? softmax(raw) : raw;
        const predictions = topK(scores, options.top_k).map((index) => ({
          label: labels.names[index] ?? String(index),
          index,
          score: scores[index] as number,
          synset: labels.lines[index] ?? String(index),
        }));
        return { image: { width: decoded.width, height: decoded.height }, predictions };
      });
    },
  };
}
