/**
 * The extra model inputs a manifest entry names in `feeds` (e.g. DEIMv2's `orig_target_sizes`), built as tensors.
 * The Engine interface takes extra feeds as ORT tensors but does not hand out ORT's Tensor class, so this file
 * imports it from the WASM entry the worker already bundles. ORT reads feeds by their fields (type, dims, data),
 * not by class, so in Node, where the engine uses the main entry, these tensors work the same.
 */
import { Tensor } from 'onnxruntime-web/wasm';
import type { FeedSpec } from '../models/manifest';
import type { Size } from './boxes';

export function extraFeeds(feeds: readonly FeedSpec[], image: Size): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const feed of feeds) {
    switch (feed.value) {
      case 'image_size':
        out[feed.name] = new Tensor('int64', new BigInt64Array([BigInt(image.width), BigInt(image.height)]), [1, 2]);
        break;
    }
  }
  return out;
}
