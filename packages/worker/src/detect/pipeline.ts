/**
 * Detection: classes checked against the model's labels, then decode, resize (stretch or letterbox as the manifest
 * says), run with the artifact's extra feeds, dequantise, decode the outputs by their kind. Drawing is the route's.
 */
import type { Detection, ImageInfo } from '@cvkit/sdk/contract';
import { resolveClasses } from '../models/labels';
import { runModel } from '../pipeline/run-model';
import type { PipelineContext } from '../pipeline/types';
import { decodeOutputs, toDetections } from './postprocess';

export interface DetectOptions {
  threshold: number;
  /** NMS IoU; undefined: the model's default (NMS only for models whose outputs need it). */
  iou: number | undefined;
  max_detections: number;
  /** Label names to keep; undefined: all. An unknown name is an invalid_option error. */
  classes: string[] | undefined;
}

export interface DetectOutput {
  image: ImageInfo;
  detections: Detection[];
}

export async function detectPipeline(ctx: PipelineContext, options: DetectOptions): Promise<DetectOutput> {
  const { model, artifact, labels, timer } = ctx;
  const output = artifact.output;
  if (output.kind !== 'yolox-grid' && output.kind !== 'detr-boxes' && output.kind !== 'yolo-v8' && output.kind !== 'tflite-ssd') throw new Error(`${artifact.key} has output kind '${output.kind}', not a detector's`);
  let allowed: Uint8Array | undefined;
  if (options.classes) {
    allowed = new Uint8Array(labels.names.length);
    for (const i of resolveClasses(options.classes, labels.names, model.id)) allowed[i] = 1;
  }
  // A route that draws decodes the whole photo first; the decode here then reuses it.
  const { decoded, placement, outputs } = await runModel(ctx);
  const detections = timer.measure('postprocess', () => {
    const { candidates, coordinates } = decodeOutputs(output, model.input, outputs, labels.names.length, { threshold: options.threshold, allowed });
    // Boxes are reported in the original image's pixels, whatever scale it was decoded at.
    return toDetections(candidates, coordinates, placement, decoded.original, labels.names, {
      iou: options.iou,
      maxDetections: options.max_detections,
      nmsByDefault: output.nms,
    });
  });
  return { image: decoded.original, detections };
}
