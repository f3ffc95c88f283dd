/**
 * POST /v1/detect: what is where? JSON detections, optionally with the annotated image, or the image itself;
 * one image, or a batch (http/serve-task.ts).
 */
import type { Hono } from 'hono';
import { DetectOptions, type DetectResponse } from '@cvkit/sdk/contract';
import { annotate } from '../draw/annotate';
import type { AppEnv, RouteDeps } from '../http/deps';
import { imageAnswer } from '../http/negotiate';
import { serveTask } from '../http/serve-task';
import { taskHandler, tierHeader } from '../http/task';
import { countLabels } from './postprocess';
import { toDataUrl } from '../image/data-url';
import { canonicalClasses } from '../models/labels';
import { serverTiming } from '../timings';

/** Detection on one image: single requests, batch items and /v1/analyze all call this. */
export const detectHandler = taskHandler({
  task: 'detect',
  schema: DetectOptions,
  picture: (options, accept) => imageAnswer(options.format, accept),
  // Annotating draws on the photo, so it needs every pixel the budget allows.
  decodeHints: (options, model) => (options.annotate ? undefined : { minWidth: model.input.width, minHeight: model.input.height }),
  async run({ provider, image, options, model, timer, signal, picture }) {
    const draw = picture ?? (options.annotate ? 'same-as-input' : undefined);
    // Drawing needs every pixel the decoder allows: decode them first, and the pipeline reuses them.
    const photo = draw ? await timer.measureAsync('decode', () => image.decode()) : undefined;
    const result = await provider.detect({
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
});

export function detectRoute(app: Hono<AppEnv>, deps: RouteDeps) {
  app.post('/v1/detect', (c) => serveTask(c, deps, detectHandler));
}
