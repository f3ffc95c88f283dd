/** POST /v1/segment: which class is every pixel? JSON with per-class statistics and a mask, or a PNG picture. */
import type { Hono } from 'hono';
import { SegmentOptions, type SegmentResponse, type Timings } from '@cvkit/sdk/contract';
import { readTaskRequest } from '../http/task';
import { modelInfo } from '../models/manifest';
import type { AppEnv, RouteDeps } from '../app';
import { colorMaskPng, encodeMask, overlayPng } from './encode';

/** Timings as a standard Server-Timing header, for responses whose body is a picture. */
function serverTiming(t: Timings): string {
  const stages: Array<[string, number]> = [
    ['decode', t.decode_ms], ['preprocess', t.preprocess_ms], ['inference', t.inference_ms],
    ['postprocess', t.postprocess_ms], ['encode', t.encode_ms], ['total', t.total_ms],
  ];
  return stages.map(([name, ms]) => `${name};dur=${ms}`).join(', ');
}

export function segmentRoute(app: Hono<AppEnv>, { provider, fetch }: RouteDeps) {
  app.post('/v1/segment', async (c) => {
    const { image, options, model, timer } = await readTaskRequest(c, 'segment', SegmentOptions, fetch);
    const result = await provider.segment({ image, model, options: { classes: options.classes }, timer, signal: c.req.raw.signal });
    if (options.format === 'json') {
      const mask = await timer.measureAsync('encode', () => encodeMask(result, options.mask));
      const { image: size, segments } = result;
      return c.json({ task: 'segment', model: modelInfo(model), image: size, segments, mask, timings: timer.result() } satisfies SegmentResponse);
    }
    // The decoded photo is not needed after segmentation, so the overlay is drawn into it (no second full-size copy).
    const png = await timer.measureAsync('encode', () => (options.format === 'image' ? overlayPng(image.decode(), result.map) : colorMaskPng(result.map)));
    c.header('content-type', 'image/png');
    c.header('server-timing', serverTiming(timer.result()));
    return c.body(png as Uint8Array<ArrayBuffer>);
  });
}
