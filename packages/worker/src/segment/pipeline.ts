/**
 * Segmentation: resize, run, decode the output as the artifact's output kind says (argmax of logits or the model's
 * own int32/int64 class map), scale the class map back to the upright photo, and measure each class.
 */
import type { ImageInfo, Segment } from '@cvkit/sdk/contract';
import { resolveClasses } from '../models/labels';
import { runModel } from '../pipeline/run-model';
import type { PipelineContext } from '../pipeline/types';
import { type ClassMap, classMapFromOutput, keepClasses, resizeNearest } from './class-map';
import { classStats, toSegments } from './stats';

export interface SegmentOutput {
  image: ImageInfo;
  /** Class index per pixel at the image's upright size; pixels of classes not requested are 255. */
  map: ClassMap;
  /** Classes present (and requested), largest first. */
  segments: Segment[];
  /** The model's label names, index for index. */
  labels: string[];
}

export async function segmentPipeline(ctx: PipelineContext, options: { classes?: string[] | undefined }): Promise<SegmentOutput> {
  const { model, artifact, labels, timer } = ctx;
  const output = artifact.output;
  if (output.kind !== 'logits' && output.kind !== 'class-map') throw new Error(`${artifact.key}: output kind '${output.kind}' is not a segmentation output`);
  // An unknown class name is the caller's mistake and costs no decode or inference.
  const keep = options.classes ? resolveClasses(options.classes, labels.names, model.id) : undefined;
  // The class map is upscaled to the original size anyway: decode only what the model takes.
  const { decoded, outputs } = await runModel(ctx);
  return timer.measure('postprocess', () => {
    const result = outputs[output.name];
    if (!result) throw new Error(`${artifact.key} has no output '${output.name}'`);
    const small = classMapFromOutput(output, result, labels.names.length);
    const map = resizeNearest(small, decoded.original.width, decoded.original.height);
    const segments = toSegments(classStats(map), labels.names, map.width * map.height, keep);
    return { image: decoded.original, map: keepClasses(map, keep), segments, labels: labels.names };
  });
}
