/**
 * POST /v1/segment: which class is every pixel? JSON with per-class statistics and a mask, or a picture (the
 * overlay as PNG or JPEG, negotiated like detect's; the colour mask as PNG). The segment task as the task table
 * (tasks.ts) declares it.
 */
import { SegmentBatchResponse, SegmentOptions, SegmentResponse } from '@cvkit/sdk/contract';
import { cutoutDropped, cutoutPng } from '../draw/cutout';
import { colorMaskPng, overlayPicture } from '../draw/segmentation';
import { imageAnswer } from '../http/negotiate';
import { examples } from '../http/openapi-examples';
import { defineTask, tierHeader } from '../http/task';
import { canonicalClasses } from '../models/labels';
import { runTask } from '../providers/types';
import { serverTiming } from '../timings';
import { resizeNearest } from './class-map';
import { encodeMask } from './encode';
import { type SegmentOutput, segmentPipeline } from './pipeline';

export const segmentTask = defineTask({
  task: 'segment',
  schema: SegmentOptions,
  pipeline: segmentPipeline,
  // The mask is an indexed PNG whatever Accept says; the overlay is PNG unless Accept prefers JPEG.
  picture: (options, accept) => (options.format === 'mask' || options.format === 'cutout' ? 'image/png' : imageAnswer(options.format, accept, 'image/png')),
  // The class map is upscaled to the original size anyway: the model's input size is enough.
  decodeHints: (_options, model) => ({ minWidth: model.input.width, minHeight: model.input.height }),
  async run({ provider, image, options, model, timer, signal, picture }) {
    const result = await runTask<SegmentOutput>(provider, { image, model, options: { classes: canonicalClasses(model, options.classes) }, tier: options.tier, timer, signal });
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
  doc: {
    summary: 'Which class is every pixel? Per-class statistics and a mask, or the overlay picture.',
    description: "`format=image` (or `Accept: image/png|image/jpeg`) answers with the photo and the colour mask blended over it, and, with `legend=true`, a legend of the classes present; `format=mask` with the colour mask alone (indexed PNG); `format=cutout` with the photo as a PNG whose pixels outside the kept classes (`classes`, default every class but background) are transparent. Labels are spelled as detect spells them (`motorcycle`, `dining table`); VOC's spellings are accepted in `classes`.",
    response: { schema: SegmentResponse, name: 'SegmentResponse', example: examples.segment },
    batch: { schema: SegmentBatchResponse, name: 'SegmentBatchResponse', example: examples.segmentBatch },
    pictures: ['image/png', 'image/jpeg'],
  },
});
