/**
 * Segmentation on the edge engine: resize, run, decode the output as the manifest's output kind says (argmax of
 * logits or the model's own class map), scale the class map back to the upright photo, and measure each class.
 */
import type { Engine } from '../engine/engine';
import { imageToTensor } from '../engine/preprocess';
import { resizeRGBA } from '../image/decode';
import type { SegmentResult, TaskCall } from '../providers/types';
import { classIndices, classMapFromOutput, keepClasses, resizeNearest } from './class-map';
import { classStats, toSegments } from './stats';

export async function segmentOnEdge(engine: Engine, { image, model, options, timer }: TaskCall<{ classes?: string[] | undefined }>): Promise<SegmentResult> {
  const output = model.output;
  if (output.kind !== 'logits' && output.kind !== 'class-map') throw new Error(`model ${model.id}: output kind '${output.kind}' is not a segmentation output`);
  // Labels first: an unknown class name is the caller's mistake and should cost no decode or inference.
  const labels = await timer.measureAsync('preprocess', () => engine.labels(model));
  const keep = options.classes ? classIndices(options.classes, labels.names) : undefined;
  // The class map is upscaled to the original size anyway: decode only what the model takes.
  const decoded = await timer.measureAsync('decode', () => image.decode({ minWidth: model.input.width, minHeight: model.input.height }));
  const { tensor } = timer.measure('preprocess', () => imageToTensor(decoded, model.input, resizeRGBA));
  const outputs = await timer.measureAsync('inference', () => engine.run(model, tensor));
  return timer.measure('postprocess', () => {
    const result = outputs[output.name];
    if (!result) throw new Error(`model ${model.id} has no output '${output.name}'`);
    const small = classMapFromOutput(output, result, labels.names.length);
    const map = resizeNearest(small, decoded.original.width, decoded.original.height);
    const segments = toSegments(classStats(map), labels.names, map.width * map.height, keep);
    return { image: decoded.original, map: keepClasses(map, keep), segments, labels: labels.names };
  });
}
