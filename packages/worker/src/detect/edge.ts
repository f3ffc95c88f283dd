/**
 * Detection on the edge engine: classes checked against the model's labels, then decode, resize (stretch or
 * letterbox as the manifest says), run with the manifest's extra feeds, decode the outputs by their kind, and
 * optionally draw the result.
 */
import type { Engine } from '../engine/engine';
import { imageToTensor } from '../engine/preprocess';
import { ApiError } from '../errors';
import { resizeRGBA } from '../image/decode';
import type { DetectCallOptions, DetectResult, TaskCall } from '../providers/types';
import { annotate } from './annotate';
import { classMask, decodeOutputs, toDetections } from './postprocess';

export async function detectOnEdge(engine: Engine, { image, model, options, timer }: TaskCall<DetectCallOptions>): Promise<DetectResult> {
  const output = model.output;
  if (output.kind !== 'yolox-grid' && output.kind !== 'detr-boxes') {
    throw new Error(`model ${model.id} has output kind '${output.kind}', not a detector's`);
  }
  const labels = await engine.labels(model);
  let allowed: Uint8Array | undefined;
  if (options.classes) {
    const mask = classMask(options.classes, labels.names);
    if ('unknown' in mask) {
      const message = `${mask.unknown.map((n) => `'${n}'`).join(', ')} ${mask.unknown.length > 1 ? 'are not labels' : 'is not a label'} of ${model.id}`;
      throw new ApiError('invalid_option', `Invalid options: classes: ${message}. Its labels are: ${labels.names.join(', ')}.`, [
        { path: 'classes', message },
      ]);
    }
    allowed = mask.mask;
  }

  // Annotating draws on the photo, so it needs every pixel the budget allows; otherwise what the model takes will do.
  const hints = options.annotate ? undefined : { minWidth: model.input.width, minHeight: model.input.height };
  const decoded = await timer.measureAsync('decode', () => image.decode(hints));
  const { tensor, placement } = timer.measure('preprocess', () => imageToTensor(decoded, model.input, resizeRGBA));
  const outputs = await timer.measureAsync('inference', () => engine.run(model, tensor, { imageSize: decoded.original }));
  const detections = timer.measure('postprocess', () => {
    const { candidates, coordinates } = decodeOutputs(output, model.input, outputs, labels.names.length, { threshold: options.threshold, allowed });
    // Boxes are reported in the original image's pixels, whatever scale it was decoded at.
    return toDetections(candidates, coordinates, placement, decoded.original, labels.names, {
      iou: options.iou,
      maxDetections: options.max_detections,
      nmsByDefault: output.nms,
    });
  });

  const result: DetectResult = { image: decoded.original, detections };
  if (options.annotate) {
    const type = options.annotate === 'same-as-input' ? (decoded.format === 'jpeg' ? 'image/jpeg' : 'image/png') : options.annotate;
    result.annotated = { type, bytes: timer.measure('encode', () => annotate(decoded, detections, type, { legend: options.legend })) };
  }
  return result;
}
