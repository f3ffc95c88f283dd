/** POST /v1/segment: which class is every pixel? JSON with per-class statistics and a mask, or a PNG picture. */
import type { Hono } from 'hono';
import { SegmentOptions, type SegmentResponse } from '@cvkit/sdk/contract';
import { colorMaskPng, overlayPng } from '../draw/segmentation';
import type { AppEnv, RouteDeps } from '../http/deps';
import { readTaskRequest } from '../http/task';
import { serverTiming } from '../timings';
import { resizeNearest } from './class-map';
import { encodeMask } from './encode';

export function segmentRoute(app: Hono<AppEnv>, { provider, fetch }: RouteDeps) {
  app.post('/v1/segment', async (c) => {
    const { image, options, model, timer } = await readTaskRequest(c, 'segment', SegmentOptions, fetch);
    const result = await provider.segment({ image, model, options: { classes: options.classes }, tier: options.tier, timer, signal: c.req.raw.signal });
    c.header('x-cvkit-tier', result.model.tier);
    if (options.format === 'json') {
      const mask = await timer.measureAsync('encode', () => encodeMask(result, options.mask));
      const { image: size, segments } = result;
      const fallback = result.fallback ? { fallback: result.fallback } : {};
      return c.json({ task: 'segment', model: result.model, image: size, segments, mask, ...fallback, timings: timer.result() } satisfies SegmentResponse);
    }
    const png = await timer.measureAsync('encode', async () => {
      if (options.format === 'mask') return colorMaskPng(result.map);
      // The overlay is drawn into the decoded photo (no second full-size copy); a photo too large to decode whole
      // comes at reduced scale, and the class map is scaled to it.
      const photo = await image.decode();
      return overlayPng(photo, resizeNearest(result.map, photo.width, photo.height));
    });
    c.header('content-type', 'image/png');
    c.header('server-timing', serverTiming(timer.result()));
    return c.body(png as Uint8Array<ArrayBuffer>);
  });
}
