/** POST /v1/segment: which class is every pixel? JSON with per-class statistics and a mask, or a PNG picture. */
import type { Hono } from 'hono';
import { SegmentOptions, type SegmentResponse } from '@cvkit/sdk/contract';
import { readTaskRequest } from '../http/task';
import { serverTiming } from '../timings';
import { modelInfo } from '../models/manifest';
import type { AppEnv, RouteDeps } from '../app';
import { resizeNearest } from './class-map';
import { colorMaskPng, encodeMask, overlayPng } from './encode';

export function segmentRoute(app: Hono<AppEnv>, { tiers, fetch }: RouteDeps) {
  app.post('/v1/segment', async (c) => {
    const { image, options, model, timer } = await readTaskRequest(c, 'segment', SegmentOptions, fetch);
    const ran = await tiers.segment({ image, model, tier: options.tier, options: { classes: options.classes }, timer, signal: c.req.raw.signal });
    const result = ran.result;
    c.header('x-cvkit-tier', ran.tier);
    if (options.format === 'json') {
      const mask = await timer.measureAsync('encode', () => encodeMask(result, options.mask));
      const { image: size, segments } = result;
      const info = modelInfo(ran.model, { tier: ran.tier, tiers: tiers.tiersOf(ran.model).tiers });
      return c.json({ task: 'segment', model: info, image: size, segments, mask, ...(ran.fallback ? { fallback: ran.fallback } : {}), timings: timer.result() } satisfies SegmentResponse);
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
