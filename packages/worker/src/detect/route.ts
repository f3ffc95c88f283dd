/** POST /v1/detect: what is where? JSON detections, optionally with the annotated image, or the image itself. */
import type { Hono } from 'hono';
import { DetectOptions, type DetectResponse, type Timings } from '@cvkit/sdk/contract';
import { readTaskRequest } from '../http/task';
import { modelInfo } from '../models/manifest';
import type { AppEnv, RouteDeps } from '../app';
import { imageAnswer } from './negotiate';

/** Base64 in chunks: String.fromCharCode on a whole multi-MB image would overflow the argument limit. */
export function toBase64(bytes: Uint8Array): string {
  const CHUNK = 0x8000;
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

/** The stage timings as a Server-Timing header, for responses that carry no JSON. */
const serverTiming = (t: Timings) =>
  (['decode', 'preprocess', 'inference', 'postprocess', 'encode', 'total'] as const).map((s) => `${s};dur=${t[`${s}_ms`]}`).join(', ');

export function detectRoute(app: Hono<AppEnv>, { provider, fetch }: RouteDeps) {
  app.post('/v1/detect', async (c) => {
    const { image, options, model, timer } = await readTaskRequest(c, 'detect', DetectOptions, fetch);
    const asImage = imageAnswer(options.format, c.req.header('accept'));
    const result = await provider.detect({
      image,
      model,
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
    const annotated = result.annotated;
    if (asImage && annotated) {
      return c.body(annotated.bytes as Uint8Array<ArrayBuffer>, 200, {
        'content-type': annotated.type,
        'server-timing': serverTiming(timer.result()),
        'x-detections': String(result.detections.length),
      });
    }
    const dataUrl = annotated && timer.measure('encode', () => `data:${annotated.type};base64,${toBase64(annotated.bytes)}`);
    return c.json({
      task: 'detect',
      model: modelInfo(model),
      image: result.image,
      detections: result.detections,
      ...(dataUrl ? { annotated_image: dataUrl } : {}),
      timings: timer.result(),
    } satisfies DetectResponse);
  });
}
