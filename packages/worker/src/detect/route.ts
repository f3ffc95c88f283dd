/** POST /v1/detect: what is where? JSON detections, optionally with the annotated image, or the image itself. */
import type { Hono } from 'hono';
import { DetectOptions, type DetectResponse } from '@cvkit/sdk/contract';
import { annotate } from '../draw/annotate';
import type { AppEnv, RouteDeps } from '../http/deps';
import { readTaskRequest } from '../http/task';
import { toDataUrl } from '../image/data-url';
import { serverTiming } from '../timings';
import { imageAnswer } from './negotiate';

export function detectRoute(app: Hono<AppEnv>, { provider, fetch }: RouteDeps) {
  app.post('/v1/detect', async (c) => {
    const { image, options, model, timer } = await readTaskRequest(c, 'detect', DetectOptions, fetch);
    const asImage = imageAnswer(options.format, c.req.header('accept'));
    // The answer's type depends on Accept: caches must keep JSON and pictures apart.
    c.header('vary', 'accept');
    const draw = asImage ?? (options.annotate ? 'same-as-input' : undefined);
    // Drawing needs every pixel the decoder allows: decode them first, and the pipeline reuses them.
    const photo = draw ? await timer.measureAsync('decode', () => image.decode()) : undefined;
    const result = await provider.detect({
      image,
      model,
      options: { threshold: options.threshold, iou: options.iou, max_detections: options.max_detections, classes: options.classes },
      tier: options.tier,
      timer,
      signal: c.req.raw.signal,
    });
    c.header('x-cvkit-tier', result.model.tier);
    let annotated: { type: 'image/png' | 'image/jpeg'; bytes: Uint8Array } | undefined;
    if (draw && photo) {
      const type = draw === 'same-as-input' ? (photo.format === 'jpeg' ? 'image/jpeg' : 'image/png') : draw;
      annotated = { type, bytes: timer.measure('encode', () => annotate(photo, result.detections, type)) };
    }
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
      model: result.model,
      image: result.image,
      detections: result.detections,
      ...(dataUrl ? { annotated_image: dataUrl } : {}),
      ...(result.fallback ? { fallback: result.fallback } : {}),
      timings: timer.result(),
    } satisfies DetectResponse);
  });
}
