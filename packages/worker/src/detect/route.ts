/** POST /v1/detect: what is where? JSON detections, optionally with the annotated image, or the image itself. */
import type { Hono } from 'hono';
import { DetectOptions, type DetectResponse } from '@cvkit/sdk/contract';
import { readTaskRequest } from '../http/task';
import { toDataUrl } from '../image/data-url';
import { serverTiming } from '../timings';
import { modelInfo } from '../models/manifest';
import type { AppEnv, RouteDeps } from '../app';
import { imageAnswer } from './negotiate';

export function detectRoute(app: Hono<AppEnv>, { tiers, fetch }: RouteDeps) {
  app.post('/v1/detect', async (c) => {
    const { image, options, model, timer } = await readTaskRequest(c, 'detect', DetectOptions, fetch);
    const asImage = imageAnswer(options.format, c.req.header('accept'));
    // The answer's type depends on Accept: caches must keep JSON and pictures apart.
    c.header('vary', 'accept');
    const ran = await tiers.detect({
      image,
      model,
      tier: options.tier,
      options: {
        threshold: options.threshold,
        iou: options.iou,
        max_detections: options.max_detections,
        classes: options.classes,
        annotate: asImage ?? (options.annotate ? 'same-as-input' : undefined),
      },
      timer,
      signal: c.req.raw.signal,
    });
    const result = ran.result;
    c.header('x-cvkit-tier', ran.tier);
    const annotated = result.annotated;
    if (asImage && annotated) {
      return c.body(annotated.bytes as Uint8Array<ArrayBuffer>, 200, {
        'content-type': annotated.type,
        'server-timing': serverTiming(timer.result()),
        'x-detections': String(result.detections.length),
      });
    }
    const dataUrl = annotated && timer.measure('encode', () => toDataUrl(annotated.bytes, annotated.type));
    return c.json({
      task: 'detect',
      model: modelInfo(ran.model, { tier: ran.tier, tiers: tiers.tiersOf(ran.model).tiers }),
      image: result.image,
      detections: result.detections,
      ...(dataUrl ? { annotated_image: dataUrl } : {}),
      ...(ran.fallback ? { fallback: ran.fallback } : {}),
      timings: timer.result(),
    } satisfies DetectResponse);
  });
}
