/**
 * POST /v1/segment: which class is every pixel? JSON with per-class statistics and a mask, or a picture (the
 * overlay as PNG or JPEG, negotiated like detect's; the colour mask as PNG); one image, or a batch.
 */
import type { Hono } from 'hono';
import { SegmentOptions, type SegmentResponse } from '@cvkit/sdk/contract';
import { cutoutDropped, cutoutPng } from '../draw/cutout';
import { colorMaskPng, overlayPicture } from '../draw/segmentation';
import type { AppEnv, RouteDeps } from '../http/deps';
import { imageAnswer } from '../http/negotiate';
import { serveTask } from '../http/serve-task';
import { taskHandler, tierHeader } from '../http/task';
import { canonicalClasses } from '../models/labels';
import { serverTiming } from '../timings';
import { resizeNearest } from './class-map';
import { encodeMask } from './encode';

/** Segmentation of one image: single requests, batch items and /v1/analyze all call this. */
export const segmentHandler = taskHandler({
  task: 'segment',
  schema: SegmentOptions,
  // The mask is an indexed PNG whatever Accept says; the overlay is PNG unless Accept prefers JPEG.
  picture: (options, accept) => (options.format === 'mask' || options.format === 'cutout' ? 'image/png' : imageAnswer(options.format, accept, 'image/png')),
  // The class map is upscaled to the original size anyway: the model's input size is enough.
  decodeHints: (_options, model) => ({ minWidth: model.input.width, minHeight: model.input.height }),
  async run({ provider, image, options, model, timer, signal, picture }) {
    const result = await provider.segment({ image, model, options: { classes: canonicalClasses(model, options.classes) }, tier: options.tier, timer, signal });
    if (!picture) {
      const mask = await timer.measureAsync('encode', () => encodeMask(result, options.mask));
      const { image: size, segments } = result;
      const fallback = result.fallback ? { fallback: result.fallback } : {};
      return {
        json: { task: 'segment', model: result.model, image: size, segments, mask, ...fallback, timings: timer.result() } satisfies SegmentResponse,
        headers: tierHeader(result.model),
      };
    }
    const type = picture === 'image/jpeg' ? 'image/jpeg' : 'image/png';
    const bytes = await timer.measureAsync('encode', async () => {
      if (options.format === 'mask') return colorMaskPng(result.map);
      // The overlay is drawn into the decoded photo (no second full-size copy); a photo too large to decode whole
      // comes at reduced scale, and the class map is scaled to it.
      const photo = await image.decode();
      const map = resizeNearest(result.map, photo.width, photo.height);
      if (options.format === 'cutout') return cutoutPng(photo, map, cutoutDropped(result.labels, options.classes !== undefined));
      return overlayPicture(photo, map, { type, legend: options.legend ? result.segments : undefined });
    });
    return { picture: { bytes, type: options.format === 'mask' || options.format === 'cutout' ? 'image/png' : type, headers: { ...tierHeader(result.model), 'server-timing': serverTiming(timer.result()) } } };
  },
});

export function segmentRoute(app: Hono<AppEnv>, deps: RouteDeps) {
  app.post('/v1/segment', (c) => serveTask(c, deps, segmentHandler));
}
