/**
 * POST /v1/detect: what is where? JSON detections, optionally with the annotated image, or the image itself. The
 * detect task as the task table (tasks.ts) declares it.
 */
import { DetectBatchResponse, DetectOptions, DetectResponse } from '@cvkit/sdk/contract';
import { annotate } from '../draw/annotate';
import { imageAnswer } from '../http/negotiate';
import { examples } from '../http/openapi-examples';
import { defineTask, tierHeader } from '../http/task';
import { countLabels } from './postprocess';
import { toDataUrl } from '../image/data-url';
import { canonicalClasses } from '../models/labels';
import { runTask } from '../providers/types';
import { serverTiming } from '../timings';
import { type DetectOutput, detectPipeline } from './pipeline';

/** The key under which detect leaves its detections in `image.shared` for the other tasks of an analyze request. */
export const SHARED_DETECTIONS = 'detect.detections';

export const detectTask = defineTask({
  task: 'detect',
  schema: DetectOptions,
  pipeline: detectPipeline,
  picture: (options, accept) => imageAnswer(options.format, accept),
  // Annotating draws on the photo, so it needs every pixel the budget allows.
  decodeHints: (options, model) => (options.annotate ? undefined : { minWidth: model.input.width, minHeight: model.input.height }),
  async run({ provider, image, options, model, timer, signal, picture }) {
    const draw = picture ?? (options.annotate ? 'same-as-input' : undefined);
    // Drawing needs every pixel the decoder allows: decode them first, and the pipeline reuses them.
    const photo = draw ? await timer.measureAsync('decode', () => image.decode()) : undefined;
    const result = await runTask<DetectOutput>(provider, {
      image,
      model,
      options: {
        threshold: options.threshold,
        iou: options.iou,
        max_detections: options.max_detections,
        class_agnostic: options.class_agnostic,
        tiles: options.tiles,
        classes: canonicalClasses(model, options.classes),
      },
      tier: options.tier,
      timer,
      signal,
    });
    // Other tasks on this image (pose in /v1/analyze) reuse the boxes, unless `classes` left people out.
    if (!options.classes || canonicalClasses(model, options.classes)?.some((c) => c.toLowerCase() === 'person')) image.shared.set(SHARED_DETECTIONS, result.detections);
    let annotated: { type: 'image/png' | 'image/jpeg'; bytes: Uint8Array } | undefined;
    if (draw && photo) {
      const type = draw === 'same-as-input' ? (photo.format === 'jpeg' ? 'image/jpeg' : 'image/png') : draw;
      annotated = { type, bytes: timer.measure('encode', () => annotate(photo, result.detections, type, { legend: options.legend })) };
    }
    if (picture && annotated) {
      const headers = { ...tierHeader(result.model), 'server-timing': serverTiming(timer.result()), 'x-detections': String(result.detections.length) };
      return { picture: { bytes: annotated.bytes, type: annotated.type, headers } };
    }
    const dataUrl = annotated && timer.measure('encode', () => toDataUrl(annotated.bytes, annotated.type));
    return {
      json: {
        task: 'detect',
        model: result.model,
        image: result.image,
        detections: result.detections,
        counts: countLabels(result.detections),
        ...(dataUrl ? { annotated_image: dataUrl } : {}),
        ...(result.fallback ? { fallback: result.fallback } : {}),
        timings: timer.result(),
      } satisfies DetectResponse,
      headers: tierHeader(result.model),
    };
  },
  doc: {
    summary: 'What is where? COCO boxes in pixels, best first, or the annotated picture.',
    description: '`format=image` or `Accept: image/png|image/jpeg` answers with the photo, boxes and tags drawn (tags never cover each other; `legend=true` adds a legend), with `x-detections` and `Server-Timing` headers.',
    response: { schema: DetectResponse, name: 'DetectResponse', example: examples.detect },
    batch: { schema: DetectBatchResponse, name: 'DetectBatchResponse', example: examples.detectBatch },
    pictures: ['image/png', 'image/jpeg'],
  },
});
