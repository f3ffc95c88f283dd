/**
 * Detection: classes checked against the model's labels, then decode, resize (stretch or letterbox as the manifest
 * says), run with the artifact's extra feeds, dequantise, decode the outputs by their kind. Drawing is the route's.
 */
import type { Detection, ImageInfo } from '@cvkit/sdk/contract';
import { resolveClasses } from '../models/labels';
import { dequantizeOutputs } from '../pipeline/dequantize';
import { extraFeeds, imageToTensor } from '../pipeline/preprocess';
import { runModel } from '../pipeline/run-model';
import type { PipelineContext } from '../pipeline/types';
import type { Candidate } from './nms';
import { DEFAULT_IOU, type DetectorOutput, decodeOutputs, toDetections, toImage } from './postprocess';
import { cropRGBA, fromTile, tileGrid } from './tiles';

export interface DetectOptions {
  threshold: number;
  /** NMS IoU; undefined: the model's default (NMS only for models whose outputs need it). */
  iou: number | undefined;
  max_detections: number;
  /** Label names to keep; undefined: all. An unknown name is an invalid_option error. */
  classes: string[] | undefined;
  /** One label per object (default true): see SAME_OBJECT_IOU; false keeps every label. */
  class_agnostic?: boolean | undefined;
  /** Sliced inference for small objects (tiles.ts): the whole image plus overlapping tiles at the model's input size. */
  tiles?: boolean | undefined;
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
  const settings = { iou: options.iou, maxDetections: options.max_detections, classAgnostic: options.class_agnostic };
  if (options.tiles) return tiledDetect(ctx, output, { threshold: options.threshold, allowed }, settings);
  // A route that draws decodes the whole photo first; the decode here then reuses it.
  const { decoded, placement, outputs } = await runModel(ctx);
  const detections = timer.measure('postprocess', () => {
    const { candidates, coordinates } = decodeOutputs(output, model.input, outputs, labels.names.length, { threshold: options.threshold, allowed });
    // Boxes are reported in the original image's pixels, whatever scale it was decoded at.
    return toDetections(candidates, coordinates, placement, decoded.original, labels.names, { ...settings, nmsByDefault: output.nms });
  });
  return { image: decoded.original, detections };
}

/**
 * `tiles`: the whole image, then overlapping tiles of the model's input size (tiles.ts), each run like a photo of
 * its own; their boxes, in the original image's pixels, are merged by NMS (always: tiles overlap, so even a
 * DETR-style model sees an object twice). Timings add up over the passes.
 */
async function tiledDetect(
  { model, artifact, runner, labels, image, timer, signal }: PipelineContext,
  output: DetectorOutput,
  filter: { threshold: number; allowed: Uint8Array | undefined },
  settings: { iou: number | undefined; maxDetections: number; classAgnostic: boolean | undefined },
): Promise<DetectOutput> {
  const decoded = await timer.measureAsync('decode', () => image.decode());
  const scale = decoded.original.width / decoded.width;
  const whole = { x: 0, y: 0, width: decoded.width, height: decoded.height };
  const candidates: Candidate[] = [];
  for (const tile of [whole, ...tileGrid(decoded.width, decoded.height, model.input.width, model.input.height)]) {
    signal?.throwIfAborted();
    const size = { width: tile.width, height: tile.height };
    const pixels = tile === whole ? decoded : { ...size, rgba: timer.measure('preprocess', () => cropRGBA(decoded.rgba, decoded.width, tile)) };
    const { tensor, placement } = timer.measure('preprocess', () => imageToTensor(pixels, model.input, artifact.input));
    // The whole pass gives its boxes in the original's pixels like an untiled request; tiles in their own.
    const imageSize = tile === whole ? decoded.original : size;
    const feeds = { [artifact.input.name]: tensor, ...extraFeeds(artifact.feeds, { imageSize }) };
    const raw = await timer.measureAsync('inference', () => runner.run(feeds, { signal }));
    timer.measure('postprocess', () => {
      const decodedOutputs = decodeOutputs(output, model.input, dequantizeOutputs(raw, artifact.dequantize), labels.names.length, filter);
      for (const c of decodedOutputs.candidates) {
        const box = toImage(c.box, decodedOutputs.coordinates, placement, imageSize);
        candidates.push({ ...c, box: tile === whole ? box : fromTile(box, tile, scale) });
      }
    });
  }
  const detections = timer.measure('postprocess', () =>
    toDetections(candidates, 'image', { width: 1, height: 1 }, decoded.original, labels.names, { ...settings, iou: settings.iou ?? DEFAULT_IOU, nmsByDefault: true }),
  );
  return { image: decoded.original, detections };
}
