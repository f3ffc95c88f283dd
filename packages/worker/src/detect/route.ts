/**
 * POST /v1/detect: what is where? JSON detections, optionally with the annotated image, or the image itself;
 * one image, or a batch (http/serve-task.ts).
 */
import type { Hono } from 'hono';
import { DetectOptions, type DetectResponse } from '@cvkit/sdk/contract';
import { imageAnswer } from '../http/negotiate';
import { serveTask } from '../http/serve-task';
import { taskHandler } from '../http/task';
import { toDataUrl } from '../image/data-url';
import { serverTiming } from '../timings';
import { canonicalClasses } from '../models/labels';
import { modelInfo } from '../models/manifest';
import type { AppEnv, RouteDeps } from '../app';

/** Detection on one image: single requests, batch items and /v1/analyze all call this. */
export const detectHandler = taskHandler({
  task: 'detect',
  schema: DetectOptions,
  picture: (options, accept) => imageAnswer(options.format, accept),
  // Annotating draws on the photo, so it needs every pixel the budget allows.
  decodeHints: (options, model) => (options.annotate ? undefined : { minWidth: model.input.width, minHeight: model.input.height }),
  async run({ provider, image, options, model, timer, signal, picture }) {
    const result = await provider.detect({
      image,
      model,
      options: {
        threshold: options.threshold,
        iou: options.iou,
        max_detections: options.max_detections,
        classes: canonicalClasses(model, options.classes),
        annotate: picture ?? (options.annotate ? 'same-as-input' : undefined),
        legend: options.legend,
      },
      timer,
      signal,
    });
    const annotated = result.annotated;
    if (picture && annotated) {
      const headers = { 'server-timing': serverTiming(timer.result()), 'x-detections': String(result.detections.length) };
      return { picture: { bytes: annotated.bytes, type: annotated.type, headers } };
    }
    const dataUrl = annotated && timer.measure('encode', () => toDataUrl(annotated.bytes, annotated.type));
    return {
      json: {
        task: 'detect',
        model: modelInfo(model),
        image: result.image,
        detections: result.detections,
        ...(dataUrl ? { annotated_image: dataUrl } : {}),
        timings: timer.result(),
      } satisfies DetectResponse,
    };
  },
});

export function detectRoute(app: Hono<AppEnv>, deps: RouteDeps) {
  app.post('/v1/detect', (c) => serveTask(c, deps, detectHandler));
}
